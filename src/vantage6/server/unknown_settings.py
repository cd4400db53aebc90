"""A ``vantage6.*`` key the server does not know stops it at start, instead of being ignored.

A typo, or a setting guessed from the seed's YAML configuration (``type``, ``jwt_secret_key``,
``vpn_server``...), would otherwise change nothing without a word. The refusal names each such
key and, where the seed has the setting under another name, what this server reads instead.
Plugins are not concerned: their settings are prefixed with their module's name
(``vantage6_task_policy.*``), not ``vantage6.``.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from difflib import get_close_matches

from pyramid.exceptions import ConfigurationError
from pyramid.settings import aslist

PREFIX = "vantage6."

_LISTEN = "the address is listen = <ip>:<port> in the [server:...] section, not in [app:...]"

# The seed's server settings, written under vantage6., that this ini file spells differently or
# does not have. A key is looked up with its parents: vantage6.vpn_server.url finds vpn_server.
SEED_SETTINGS = {
    "vantage6.jwt_secret_key": "the secret that signs tokens is vantage6.jwt.secret "
    "(or VANTAGE6_JWT_SECRET)",
    "vantage6.uri": "the database URL is sqlalchemy.url (or VANTAGE6_DATABASE_URL)",
    "vantage6.description": "the description shown to users is vantage6.server_name",
    "vantage6.ip": _LISTEN,
    "vantage6.port": _LISTEN,
    "vantage6.smtp.server": "the SMTP server is vantage6.smtp.host",
    "vantage6.logging": "logging is set in the ini file's logging sections: the level in "
    "[logger_vantage6], the log file's size and count in [handler_log] (maxBytes, backupCount), "
    "the format in [formatter_generic]",
    "vantage6.vpn_server": "the original's VPN server (EduVPN) is not supported: the VPN "
    "between algorithms is WireGuard here, set with vantage6.vpn.subnet, vantage6.vpn.endpoint "
    "and the other vantage6.vpn.* settings (see README.md); remove the vpn_server settings",
}


def refuse_unknown(settings: dict, known: Collection[str]) -> None:
    """Raise a one-line ``ConfigurationError`` naming every ``vantage6.*`` key of ``settings``
    outside ``known``, each with what to write instead."""
    plugins = set(aslist(settings.get("vantage6.plugins", "")))
    problems = [
        _problem(key, known, plugins)
        for key in sorted(settings)
        if key.startswith(PREFIX) and key not in known
    ]
    if problems:
        raise ConfigurationError("; ".join(problems))


def _problem(key: str, known: Collection[str], plugins: set[str]) -> str:
    unknown = f"{key} is not a setting of this server"
    seed = next((SEED_SETTINGS[name] for name in _with_parents(key) if name in SEED_SETTINGS), None)
    if seed:
        return f"{unknown}: {seed}"
    if key.split(".")[1] in plugins:
        return (
            f"{unknown}: a plugin's settings are prefixed with its module's name, not vantage6. "
            "(e.g. vantage6_task_policy.require_digest)"
        )
    close = get_close_matches(key, known, n=3, cutoff=0.9)
    if close:
        return f"{unknown} (did you mean {' or '.join(close)}?)"
    return f"{unknown} (known: {', '.join(sorted(known))})"


def _with_parents(key: str) -> Iterator[str]:
    """``a.b.c``, then ``a.b``, then ``a``."""
    parts = key.split(".")
    for end in range(len(parts), 0, -1):
        yield ".".join(parts[:end])
