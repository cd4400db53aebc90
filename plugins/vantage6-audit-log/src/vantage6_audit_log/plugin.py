"""The hooks: the log opened (and checked) at start; committed events appended to it, and,
unless ``vantage6_audit_log.writes = false``, committed API writes too (see :mod:`.writes`)."""

from __future__ import annotations

from typing import NoReturn

from pyramid.exceptions import ConfigurationError
from pyramid.settings import asbool, falsey, truthy
from pyramid.tweens import EXCVIEW

from vantage6.plugins import hookimpl
from vantage6_audit_log.chain import AuditLog, AuditLogError

PREFIX = "vantage6_audit_log."
KEYS = ("path", "writes")
AUDIT = "vantage6_audit_log.log"  # registry key


@hookimpl
def vantage6_pyramid_configure(config):
    raw = {
        key[len(PREFIX) :]: str(value).strip()
        for key, value in config.get_settings().items()
        if key.startswith(PREFIX)
    }
    unknown = sorted(set(raw) - set(KEYS))
    if unknown:
        _fail(unknown[0], f"is not a setting of this plugin; they are: {', '.join(KEYS)}")
    audit = AuditLog(raw.get("path") or _fail("path", "is required: the audit log file"))
    try:
        audit.check()
    except (OSError, AuditLogError) as exc:
        _fail("path", f"cannot be appended to: {exc}")
    config.registry[AUDIT] = audit
    writes = raw.get("writes") or "true"
    if writes.lower() not in truthy | falsey:
        _fail("writes", f"must be true or false, not {writes!r}")
    if asbool(writes):
        config.add_tween(
            "vantage6_audit_log.writes.audit_writes",
            under="pyramid_tm.tm_tween_factory",
            over=EXCVIEW,
        )


@hookimpl
def vantage6_event_committed(event, identity, registry):
    registry[AUDIT].append(
        who=principal(identity),
        kind="event",
        what=event.name,
        object={"collaboration_id": event.collaboration_id, **event.data},
    )


def principal(identity) -> str | None:
    """``user:5``, ``node:4``, ``container:run:12``, or None for an anonymous caller."""
    return None if identity is None else identity.principal


def _fail(key: str, problem: str) -> NoReturn:
    raise ConfigurationError(f"{PREFIX}{key} {problem}")
