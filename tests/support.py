"""Helpers for tests: fresh databases of the backend under test, app settings."""

from __future__ import annotations

import os
import uuid

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from vantage6.server.models.rule import Operation, Scope
from vantage6.server.security.hashing import Cost
from vantage6.server.settings import load_settings

POSTGRES_URL = os.environ.get("VANTAGE6_TEST_DATABASE_URL")

# The words the reference (§2.2) uses for scopes and operations.
SCOPES = {
    "own": Scope.OWN,
    "org": Scope.ORGANIZATION,
    "col": Scope.COLLABORATION,
    "glo": Scope.GLOBAL,
}
OPERATIONS = {
    "view": Operation.VIEW,
    "edit": Operation.EDIT,
    "create": Operation.CREATE,
    "delete": Operation.DELETE,
    "send": Operation.SEND,
    "receive": Operation.RECEIVE,
}

FAST_ARGON2 = {
    "vantage6.argon2.time_cost": "1",
    "vantage6.argon2.memory_cost": "8",
    "vantage6.argon2.parallelism": "1",
    "vantage6.argon2.api_key_time_cost": "1",
    "vantage6.argon2.api_key_memory_cost": "8",
    "vantage6.argon2.api_key_parallelism": "1",
}
FAST_COST = Cost(time_cost=1, memory_cost=8, parallelism=1)


class DatabaseFactory:
    """Hands out URLs of new, empty databases of the backend under test."""

    def __init__(self, directory):
        self.directory = directory
        self.created: list[str] = []

    def new_url(self) -> str:
        name = f"v6test_{uuid.uuid4().hex[:12]}"
        if not POSTGRES_URL:
            return f"sqlite:///{self.directory / name}.sqlite"
        with self._admin() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        self.created.append(name)
        return make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)

    def drop_all(self) -> None:
        if not self.created:
            return
        with self._admin() as connection:
            for name in self.created:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

    def _admin(self):
        engine = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT", poolclass=NullPool)
        return engine.connect()


def server_settings(url: str, **overrides) -> dict:
    """Complete, checked settings for a development-profile app on ``url``."""
    raw = {
        "sqlalchemy.url": url,
        "vantage6.profile": "development",
        "vantage6.db.auto_migrate": "true",
        **FAST_ARGON2,
    }
    return load_settings({**raw, **overrides}, environ={})
