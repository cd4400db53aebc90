"""Schema migrations (Alembic) applied to an engine: upgrade, downgrade, and where we are."""

from __future__ import annotations

import contextlib
from enum import Enum

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect
from sqlalchemy.engine import Connection, Engine


class SchemaState(Enum):
    EMPTY = "empty"
    CURRENT = "current"
    OUTDATED = "outdated"
    UNMANAGED = "unmanaged"


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", "vantage6.server:migrations")
    return config


def head_revision() -> str:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


@contextlib.contextmanager
def _connection(bind: Engine | Connection, begin: bool = False):
    """A connection of the engine (in a transaction committed at the end when ``begin``), or
    the caller's connection as it is: a migration then becomes part of the caller's
    transaction (``vserver import --drop-all`` drops, migrates and imports all or nothing)."""
    if isinstance(bind, Connection):
        yield bind
    else:
        with bind.begin() if begin else bind.connect() as connection:
            yield connection


def current_revision(bind: Engine | Connection) -> str | None:
    with _connection(bind) as connection:
        return MigrationContext.configure(connection).get_current_revision()


def schema_state(bind: Engine | Connection) -> SchemaState:
    revision = current_revision(bind)
    if revision == head_revision():
        return SchemaState.CURRENT
    if revision is not None:
        return SchemaState.OUTDATED
    tables = set(inspect(bind).get_table_names())
    return SchemaState.EMPTY if not tables else SchemaState.UNMANAGED


def upgrade(bind: Engine | Connection, revision: str = "head") -> None:
    _run(bind, command.upgrade, revision)


def downgrade(bind: Engine | Connection, revision: str) -> None:
    _run(bind, command.downgrade, revision)


def _run(bind: Engine | Connection, action, revision: str) -> None:
    config = alembic_config()
    with _connection(bind, begin=True) as connection:
        config.attributes["connection"] = connection
        action(config, revision)
