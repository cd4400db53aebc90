"""The plugin's ini settings (``vantage6_auth_ldap.*``), checked once at server start.

A setting that cannot work stops the server with the key named, rather than failing logins
later. ``VANTAGE6_AUTH_LDAP_BIND_PASSWORD`` in the environment wins over ``bind_password``.
"""

from __future__ import annotations

import logging
import os
import string
from dataclasses import dataclass
from typing import NoReturn

from ldap3.core.exceptions import LDAPInvalidDnError
from ldap3.utils.dn import parse_dn
from pyramid.exceptions import ConfigurationError
from pyramid.settings import asbool, falsey, truthy

log = logging.getLogger(__name__)

PREFIX = "vantage6_auth_ldap."
PASSWORD_VARIABLE = "VANTAGE6_AUTH_LDAP_BIND_PASSWORD"

DEFAULTS = {
    "url": "",
    "start_tls": "false",
    "ca_file": "",
    "timeout_seconds": "10",
    "user_dn_template": "",
    "user_search_base": "",
    "user_filter": "(uid={username})",
    "bind_dn": "",
    "bind_password": "",
    "group_search_base": "",
    "group_filter": "(&(objectClass=groupOfNames)(member={user_dn}))",
    "group_map": "",
    "username_attribute": "uid",
    "firstname_attribute": "givenName",
    "lastname_attribute": "sn",
}


@dataclass(frozen=True)
class Grant:
    """What membership of one LDAP group gives: a role, in an organization (both by name)."""

    role: str
    organization: str


@dataclass(frozen=True)
class LdapSettings:
    url: str
    start_tls: bool
    ca_file: str | None
    timeout: int  # seconds
    user_dn_template: str | None  # either this (a direct bind) ...
    user_search_base: str | None  # ... or a search for the user's entry
    user_filter: str
    bind_dn: str | None  # the account that searches; anonymous when None
    bind_password: str | None
    group_search_base: str
    group_filter: str
    group_map: dict[str, tuple[Grant, ...]]  # normalized group DN -> grants
    username_attribute: str
    firstname_attribute: str
    lastname_attribute: str

    @property
    def uses_tls(self) -> bool:
        return self.start_tls or self.url.lower().startswith("ldaps://")


def normalized_dn(dn: str) -> str:
    """A DN in one spelling (case and spaces), so group DNs compare as the directory does."""
    parts = parse_dn(dn, strip=True)
    return "".join(f"{name.lower()}={value.lower()}{separator}" for name, value, separator in parts)


def parse_settings(settings: dict, environ=os.environ) -> LdapSettings:
    raw = _raw(settings)
    if environ.get(PASSWORD_VARIABLE):
        raw["bind_password"] = environ[PASSWORD_VARIABLE]
    url = _required(raw, "url")
    if not url.lower().startswith(("ldap://", "ldaps://")):
        _fail("url", f"must start with ldap:// or ldaps://, not {url!r}")
    parsed = LdapSettings(
        url=url,
        start_tls=_boolean(raw, "start_tls"),
        ca_file=_existing_file(raw, "ca_file"),
        timeout=_positive(raw, "timeout_seconds"),
        user_dn_template=_template(raw, "user_dn_template", {"username"}) or None,
        user_search_base=_dn(raw, "user_search_base") or None,
        user_filter=_template(raw, "user_filter", {"username"}),
        bind_dn=_dn(raw, "bind_dn") or None,
        bind_password=raw["bind_password"] or None,
        group_search_base=_dn(raw, "group_search_base")
        or _fail("group_search_base", "is required"),
        group_filter=_template(raw, "group_filter", {"user_dn", "username"}),
        group_map=_group_map(raw["group_map"]),
        username_attribute=_required(raw, "username_attribute"),
        firstname_attribute=_required(raw, "firstname_attribute"),
        lastname_attribute=_required(raw, "lastname_attribute"),
    )
    if parsed.start_tls and url.lower().startswith("ldaps://"):
        _fail("start_tls", "cannot be used with an ldaps:// url, which is encrypted already")
    if bool(parsed.user_dn_template) == bool(parsed.user_search_base):
        _fail("user_dn_template", "or user_search_base must be set: exactly one of them")
    if parsed.bind_password and not parsed.bind_dn:
        _fail("bind_password", "is set but bind_dn is not: set both to search as that account")
    if not parsed.uses_tls:
        log.warning(
            "%surl is not ldaps:// and start_tls is off: passwords travel unencrypted", PREFIX
        )
    return parsed


def _raw(settings: dict) -> dict[str, str]:
    ours = {key[len(PREFIX) :]: value for key, value in settings.items() if key.startswith(PREFIX)}
    unknown = sorted(set(ours) - DEFAULTS.keys())
    if unknown:
        _fail(unknown[0], f"is not a setting of this plugin; they are: {', '.join(DEFAULTS)}")
    return {key: str(value).strip() for key, value in {**DEFAULTS, **ours}.items()}


def _fail(key: str, problem: str) -> NoReturn:
    raise ConfigurationError(f"{PREFIX}{key} {problem}")


def _required(raw: dict, key: str) -> str:
    return raw[key] or _fail(key, "is required")


def _boolean(raw: dict, key: str) -> bool:
    if raw[key].lower() not in truthy | falsey:
        _fail(key, f"must be true or false, not {raw[key]!r}")
    return asbool(raw[key])


def _positive(raw: dict, key: str) -> int:
    if not raw[key].isdigit() or int(raw[key]) == 0:
        _fail(key, f"must be a positive whole number of seconds, not {raw[key]!r}")
    return int(raw[key])


def _existing_file(raw: dict, key: str) -> str | None:
    if raw[key] and not os.path.isfile(raw[key]):
        _fail(key, f"names no readable file: {raw[key]!r}")
    return raw[key] or None


def _dn(raw: dict, key: str) -> str:
    if raw[key]:
        _check_dn(key, raw[key])
    return raw[key]


def _check_dn(key: str, dn: str) -> None:
    try:
        parse_dn(dn, strip=True)
    except LDAPInvalidDnError:
        _fail(key, f"is not a DN: {dn!r}")


def _template(raw: dict, key: str, allowed: set[str]) -> str:
    """A text with ``{placeholders}``: only the allowed ones, and at least one of them."""
    if not raw[key]:
        return ""
    try:
        fields = {name for _, name, _, _ in string.Formatter().parse(raw[key]) if name is not None}
    except ValueError as exc:
        _fail(key, f"is not a valid template ({exc}): {raw[key]!r}")
    if not fields or not fields <= allowed:
        _fail(key, f"may use only {', '.join('{' + name + '}' for name in sorted(allowed))}")
    return raw[key]


def _group_map(text: str) -> dict[str, tuple[Grant, ...]]:
    """One line per group: ``<group DN> -> <role name>@<organization name>``."""
    grants: dict[str, list[Grant]] = {}
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        dn, arrow, grant = (part.strip() for part in line.partition("->"))
        role, at, organization = (part.strip() for part in grant.partition("@"))
        if not (arrow and at and dn and role and organization):
            _fail(
                "group_map",
                f"line {number} is not '<group DN> -> <role>@<organization>': {line.strip()!r}",
            )
        _check_dn(f"group_map (line {number})", dn)
        grants.setdefault(normalized_dn(dn), []).append(Grant(role, organization))
    if not grants:
        _fail("group_map", "is required: without it no LDAP user gets a role")
    return {dn: tuple(found) for dn, found in grants.items()}
