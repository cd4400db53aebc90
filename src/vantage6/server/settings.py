"""Every server setting with its default, read from the ini file and the environment.

Settings are prefixed ``vantage6.``; the database URL is SQLAlchemy's ``sqlalchemy.url``. The
environment wins over the ini file for the secrets and URLs that deployments inject:
``VANTAGE6_DATABASE_URL``, ``VANTAGE6_ROOT_PASSWORD``, ``VANTAGE6_JWT_SECRET`` and
``VANTAGE6_SMTP_PASSWORD``. :data:`DEFAULT_SETTINGS` names every ``vantage6.*`` setting: any
other key under that prefix is refused (:mod:`vantage6.server.unknown_settings`).
"""

from __future__ import annotations

import os
import re

from pyramid.exceptions import ConfigurationError
from pyramid.settings import asbool, falsey, truthy
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from vantage6.common.api_path import normalise_api_path
from vantage6.server.database_url import SUPPORTED
from vantage6.server.root_password import default_file
from vantage6.server.unknown_settings import refuse_unknown
from vantage6.server.vpn.settings import default_key_file, vpn_settings

PROFILES = ("development", "production")

# The seed's environment types (DTAP), and the defaults each changes; the ini file's own
# settings still win. As in the original, only test differs: "In case the type is set to test
# the JWT-tokens expiration is set to 1 day (default is 6 hours)".
TYPE_DEFAULTS = {
    "dev": {},
    "test": {"vantage6.jwt.access_expires_seconds": str(24 * 3600)},
    "acc": {},
    "prod": {},
}
TYPES = tuple(TYPE_DEFAULTS)

# Where emails send users with questions when neither support_email nor email_from is set,
# as in the original.
FALLBACK_SUPPORT_EMAIL = "support@vantage6.ai"

DEFAULT_SETTINGS = {
    "vantage6.profile": "production",
    "vantage6.type": "prod",
    "vantage6.api_path": "/api",
    "vantage6.server_name": "vantage6",
    "vantage6.db.auto_migrate": "false",
    # Read by `vserver import --drop-all` (cli/batch.py), which checks it.
    "vantage6.allow_drop_all": "false",
    "vantage6.root_password": "",
    # Empty: beside an SQLite database file, else in the ini file's folder (root_password.py).
    "vantage6.root_password_file": "",
    "vantage6.argon2.time_cost": "3",
    "vantage6.argon2.memory_cost": "65536",
    "vantage6.argon2.parallelism": "4",
    "vantage6.argon2.api_key_time_cost": "2",
    "vantage6.argon2.api_key_memory_cost": "19456",
    "vantage6.argon2.api_key_parallelism": "1",
    "vantage6.jwt.secret": "",
    "vantage6.jwt.access_expires_seconds": "21600",  # six hours; a day for type test
    "vantage6.jwt.refresh_expires_seconds": "172800",
    "vantage6.login.max_failed_attempts": "5",
    "vantage6.login.inactivation_minutes": "15",
    "vantage6.max_body_bytes": "16777216",
    "vantage6.pagination.max_per_page": "500",
    "vantage6.plugins": "",
    "vantage6.plugins.blocked": "",
    "vantage6.two_factor_auth": "false",
    "vantage6.two_factor_enrolment": "password",
    "vantage6.smtp.host": "",
    "vantage6.smtp.port": "587",
    "vantage6.smtp.security": "starttls",
    "vantage6.smtp.username": "",
    "vantage6.smtp.password": "",
    "vantage6.smtp.timeout_seconds": "10",
    "vantage6.email_from": "",
    "vantage6.support_email": "",  # empty: email_from, else FALLBACK_SUPPORT_EMAIL
    "vantage6.email_token_validity_minutes": "60",
    "vantage6.between_user_emails_minutes": "60",
    "vantage6.two_factor_reset_hold_hours": "24",
    "vantage6.events.bus": "memory",
    "vantage6.events.auth_timeout_seconds": "10",
    "vantage6.events.heartbeat_timeout_seconds": "90",
    "vantage6.events.recheck_seconds": "60",
    "vantage6.events.duty_seconds": "30",
    "vantage6.events.max_message_bytes": "65536",
    "vantage6.events.queue_size": "1000",
    "vantage6.ui.enabled": "true",
    "vantage6.ui.path": "/",
    # The VPN between algorithms (vpn/settings.py): none without a subnet.
    "vantage6.vpn.subnet": "",
    "vantage6.vpn.endpoint": "",  # <host>:<port> of the hub, for the nodes
    "vantage6.vpn.prefix_length": "24",  # of each node's block of addresses
    "vantage6.vpn.key_file": "",  # empty: vpn-hub.key beside the root password file's default
    # Read by the hub alone (vserver vpn-hub); an empty listen_port is the endpoint's port.
    "vantage6.vpn.namespace": "v6-hub",
    "vantage6.vpn.interface": "v6hub",
    "vantage6.vpn.listen_port": "",
}

SMTP_SECURITY = ("starttls", "ssl", "none")
# How a user without a second factor gets one: from the first login with the password, or
# from a token emailed to the account's address.
TWO_FACTOR_ENROLMENT = ("password", "email")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+")
# The web UI's path: "/" or segments of URL-safe characters, each followed by a slash.
_UI_PATH = re.compile(r"/(?:[A-Za-z0-9._~-]+/)*")
APIDOCS_PATH = "/apidocs"  # where vantage6.server.apidocs serves, whatever the API path

_FROM_ENVIRONMENT = {
    "VANTAGE6_DATABASE_URL": "sqlalchemy.url",
    "VANTAGE6_ROOT_PASSWORD": "vantage6.root_password",
    "VANTAGE6_JWT_SECRET": "vantage6.jwt.secret",
    "VANTAGE6_SMTP_PASSWORD": "vantage6.smtp.password",
}

_INTEGERS = (
    "vantage6.argon2.time_cost",
    "vantage6.argon2.memory_cost",
    "vantage6.argon2.parallelism",
    "vantage6.argon2.api_key_time_cost",
    "vantage6.argon2.api_key_memory_cost",
    "vantage6.argon2.api_key_parallelism",
    "vantage6.jwt.access_expires_seconds",
    "vantage6.jwt.refresh_expires_seconds",
    "vantage6.login.max_failed_attempts",
    "vantage6.login.inactivation_minutes",
    "vantage6.max_body_bytes",
    "vantage6.pagination.max_per_page",
    "vantage6.smtp.port",
    "vantage6.smtp.timeout_seconds",
    "vantage6.email_token_validity_minutes",
    "vantage6.between_user_emails_minutes",
    "vantage6.two_factor_reset_hold_hours",
    "vantage6.events.auth_timeout_seconds",
    "vantage6.events.heartbeat_timeout_seconds",
    "vantage6.events.recheck_seconds",
    "vantage6.events.duty_seconds",
    "vantage6.events.max_message_bytes",
    "vantage6.events.queue_size",
)


def load_settings(settings: dict, environ=os.environ, config_folder: str | None = None) -> dict:
    """Defaults, then the ini's settings, then the environment; values checked and typed.
    ``config_folder`` is the ini file's: the first root password may be written there."""
    refuse_unknown(settings, DEFAULT_SETTINGS)
    environment_type = settings.get("vantage6.type", DEFAULT_SETTINGS["vantage6.type"])
    type_defaults = TYPE_DEFAULTS.get(environment_type, {})  # an unknown type is refused below
    merged = {**DEFAULT_SETTINGS, **type_defaults, **settings}
    for variable, key in _FROM_ENVIRONMENT.items():
        if environ.get(variable):
            merged[key] = environ[variable]
    if not merged.get("sqlalchemy.url"):
        raise ConfigurationError(
            "sqlalchemy.url is not set: give it in the ini file or in VANTAGE6_DATABASE_URL"
        )
    _check_database_url(merged["sqlalchemy.url"])
    _check_choice(merged, "vantage6.profile", PROFILES)
    _check_choice(merged, "vantage6.type", TYPES)
    merged["vantage6.api_path"] = normalise_api_path(merged["vantage6.api_path"])
    for key in ("vantage6.db.auto_migrate", "vantage6.two_factor_auth", "vantage6.ui.enabled"):
        merged[key] = _boolean(key, merged[key])
    for key in _INTEGERS:
        try:
            merged[key] = int(merged[key])
        except (TypeError, ValueError):
            raise ConfigurationError(f"{key} must be a whole number, not {merged[key]!r}") from None
        if merged[key] <= 0:
            raise ConfigurationError(f"{key} must be positive, not {merged[key]}")
    _check_token_lifetimes(merged, from_type=type_defaults.keys() - settings.keys())
    _check_email(merged)
    merged["vantage6.support_email"] = (
        merged["vantage6.support_email"] or merged["vantage6.email_from"] or FALLBACK_SUPPORT_EMAIL
    )
    _check_two_factor_enrolment(merged)
    _check_ui_path(merged)
    url = merged["sqlalchemy.url"]
    if not merged["vantage6.root_password_file"]:
        merged["vantage6.root_password_file"] = default_file(url, config_folder)
    if not merged["vantage6.vpn.key_file"]:
        merged["vantage6.vpn.key_file"] = default_key_file(url, config_folder)
    vpn_settings(merged)  # a VPN setting that cannot work stops the start, not a request
    return merged


def _check_database_url(value: str) -> None:
    try:
        make_url(value)
    except ArgumentError:  # the value is not shown: it may hold a password
        raise ConfigurationError(
            f"sqlalchemy.url is not a database URL: give {SUPPORTED} (in the ini file or in "
            "VANTAGE6_DATABASE_URL)"
        ) from None


def _check_choice(settings: dict, key: str, choices: tuple[str, ...]) -> None:
    if settings[key] not in choices:
        raise ConfigurationError(
            f"{key} must be one of {', '.join(choices)}, not {settings[key]!r}"
        )


def _check_token_lifetimes(settings: dict, from_type: set[str]) -> None:
    """A refresh token renews access tokens, so it must outlive them. ``from_type``: the
    settings whose value is the default of ``vantage6.type``."""
    access = settings["vantage6.jwt.access_expires_seconds"]
    refresh = settings["vantage6.jwt.refresh_expires_seconds"]
    if refresh <= access:
        why = ""
        if "vantage6.jwt.access_expires_seconds" in from_type:
            why = f", the default of vantage6.type = {settings['vantage6.type']}"
        raise ConfigurationError(
            f"vantage6.jwt.refresh_expires_seconds ({refresh}) must be longer than "
            f"vantage6.jwt.access_expires_seconds ({access}{why})"
        )


def _check_two_factor_enrolment(settings: dict) -> None:
    _check_choice(settings, "vantage6.two_factor_enrolment", TWO_FACTOR_ENROLMENT)
    emailed = settings["vantage6.two_factor_enrolment"] == "email"
    if emailed and settings["vantage6.two_factor_auth"] and not settings["vantage6.smtp.host"]:
        raise ConfigurationError(
            "vantage6.two_factor_enrolment = email needs an SMTP server (vantage6.smtp.host): "
            "without one, nobody could set up two-factor authentication"
        )


def _check_ui_path(settings: dict) -> None:
    """The UI's path must be a folder (its assets are relative to the page) outside the paths
    of the API and the API documentation."""
    path = settings["vantage6.ui.path"]
    if not (path.startswith("/") and path.endswith("/")):
        raise ConfigurationError(
            f"vantage6.ui.path must start and end with '/' (e.g. / or /ui/), not {path!r}"
        )
    if not _UI_PATH.fullmatch(path):
        raise ConfigurationError(
            "vantage6.ui.path may hold only letters, digits and . _ ~ - between its slashes, "
            f"not {path!r}"
        )
    if not settings["vantage6.ui.enabled"]:
        return
    api = settings["vantage6.api_path"]  # normalised: "" when the API is at the root
    for key, taken in (("vantage6.api_path", api), ("the API documentation", APIDOCS_PATH)):
        if path.startswith(taken + "/"):
            raise ConfigurationError(
                f"vantage6.ui.path {path!r} is inside the path of {key} ({taken or '/'}): give "
                "the UI a path of its own, or set vantage6.ui.enabled = false"
            )


def _boolean(key: str, value) -> bool:
    if str(value).strip().lower() not in truthy | falsey:
        raise ConfigurationError(f"{key} must be true or false, not {value!r}")
    return asbool(value)


def _check_email(settings: dict) -> None:
    """SMTP settings that cannot work are refused at start-up, not at the first email."""
    if settings["vantage6.smtp.port"] > 65535:
        raise ConfigurationError(
            f"vantage6.smtp.port must be at most 65535, not {settings['vantage6.smtp.port']}"
        )
    _check_choice(settings, "vantage6.smtp.security", SMTP_SECURITY)
    if settings["vantage6.smtp.password"] and not settings["vantage6.smtp.username"]:
        raise ConfigurationError(
            "vantage6.smtp.password is set but vantage6.smtp.username is not: set both to log in "
            "to the SMTP server, or neither"
        )
    if settings["vantage6.smtp.host"] and not settings["vantage6.email_from"]:
        raise ConfigurationError(
            "vantage6.email_from must be set when vantage6.smtp.host is: the address that "
            "emails from this server come from"
        )
    for key in ("vantage6.email_from", "vantage6.support_email"):
        address = settings[key]
        if address and not _EMAIL.fullmatch(address):
            raise ConfigurationError(f"{key} must be an email address, not {address!r}")


def is_development(settings: dict) -> bool:
    return settings["vantage6.profile"] == "development"
