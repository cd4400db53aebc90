"""Every server setting with its default, read from the ini file and the environment.

Settings are prefixed ``vantage6.``; the database URL is SQLAlchemy's ``sqlalchemy.url``. The
environment wins over the ini file for the secrets and URLs that deployments inject:
``VANTAGE6_DATABASE_URL`` and ``VANTAGE6_ROOT_PASSWORD``.
"""

from __future__ import annotations

import os

from pyramid.exceptions import ConfigurationError
from pyramid.settings import asbool

PROFILES = ("development", "production")

DEFAULT_SETTINGS = {
    "vantage6.profile": "production",
    "vantage6.api_path": "/api",
    "vantage6.server_name": "vantage6",
    "vantage6.db.auto_migrate": "false",
    "vantage6.root_password": "",
    "vantage6.argon2.time_cost": "3",
    "vantage6.argon2.memory_cost": "65536",
    "vantage6.argon2.parallelism": "4",
    "vantage6.argon2.api_key_time_cost": "2",
    "vantage6.argon2.api_key_memory_cost": "19456",
    "vantage6.argon2.api_key_parallelism": "1",
    "vantage6.jwt.secret": "",
    "vantage6.jwt.access_expires_seconds": "21600",
    "vantage6.jwt.refresh_expires_seconds": "172800",
    "vantage6.login.max_failed_attempts": "5",
    "vantage6.login.inactivation_minutes": "15",
    "vantage6.max_body_bytes": "16777216",
    "vantage6.pagination.max_per_page": "500",
    "vantage6.plugins.blocked": "",
}

_FROM_ENVIRONMENT = {
    "VANTAGE6_DATABASE_URL": "sqlalchemy.url",
    "VANTAGE6_ROOT_PASSWORD": "vantage6.root_password",
    "VANTAGE6_JWT_SECRET": "vantage6.jwt.secret",
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
)


def load_settings(settings: dict, environ=os.environ) -> dict:
    """Defaults, then the ini's settings, then the environment; values checked and typed."""
    merged = {**DEFAULT_SETTINGS, **settings}
    for variable, key in _FROM_ENVIRONMENT.items():
        if environ.get(variable):
            merged[key] = environ[variable]
    if not merged.get("sqlalchemy.url"):
        raise ConfigurationError(
            "sqlalchemy.url is not set: give it in the ini file or in VANTAGE6_DATABASE_URL"
        )
    if merged["vantage6.profile"] not in PROFILES:
        raise ConfigurationError(
            f"vantage6.profile must be one of {', '.join(PROFILES)}, "
            f"not {merged['vantage6.profile']!r}"
        )
    api_path = "/" + merged["vantage6.api_path"].strip("/")
    merged["vantage6.api_path"] = "" if api_path == "/" else api_path
    merged["vantage6.db.auto_migrate"] = asbool(merged["vantage6.db.auto_migrate"])
    for key in _INTEGERS:
        try:
            merged[key] = int(merged[key])
        except (TypeError, ValueError):
            raise ConfigurationError(f"{key} must be a whole number, not {merged[key]!r}") from None
        if merged[key] <= 0:
            raise ConfigurationError(f"{key} must be positive, not {merged[key]}")
    return merged


def is_development(settings: dict) -> bool:
    return settings["vantage6.profile"] == "development"
