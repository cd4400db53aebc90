"""Schema migrations (Alembic) applied to an engine: upgrade, downgrade, and where we are.

Where we are is read without Alembic: every start of the server asks, and importing Alembic
(its scripts and templates) cost a start-up 0.4 s and 11 MiB that stayed resident. Alembic is
imported when a migration runs.
"""

from __future__ import annotations

import contextlib
from enum import Enum

from sqlalchemy import MetaData, inspect, text
from sqlalchemy.engine import Connection, Engine

# The newest migration of migrations/versions; a unit test holds it to the scripts' head.
HEAD_REVISION = "0006"
VERSION_TABLE = "alembic_version"  # where Alembic records the revision of a database


class SchemaState(Enum):
    EMPTY = "empty"
    CURRENT = "current"
    OUTDATED = "outdated"
    UNMANAGED = "unmanaged"


def alembic_config():
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", "vantage6.server:migrations")
    return config


def head_revision() -> str:
    return HEAD_REVISION


@contextlib.contextmanager
def _connection(bind: Engine | Connection):
    """A connection of the engine, or the caller's connection as it is: a migration then
    becomes part of the caller's transaction (``vserver import --drop-all`` drops, migrates
    and imports all or nothing)."""
    if isinstance(bind, Connection):
        yield bind
    else:
        with bind.connect() as connection:
            yield connection


def current_revision(bind: Engine | Connection) -> str | None:
    with _connection(bind) as connection:
        if not inspect(connection).has_table(VERSION_TABLE):
            return None
        return connection.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalar()


def schema_state(bind: Engine | Connection) -> SchemaState:
    revision = current_revision(bind)
    if revision == head_revision():
        return SchemaState.CURRENT
    if revision is not None:
        return SchemaState.OUTDATED
    tables = set(inspect(bind).get_table_names())
    return SchemaState.EMPTY if not tables else SchemaState.UNMANAGED


def upgrade(bind: Engine | Connection, revision: str = "head") -> None:
    from alembic import command

    _run(bind, command.upgrade, revision)


def downgrade(bind: Engine | Connection, revision: str) -> None:
    from alembic import command

    _run(bind, command.downgrade, revision)


def drop_every_table(connection: Connection) -> None:
    """Remove every table the database has, the migrations' bookkeeping included, children
    before parents (not by downgrading, which would rewrite tables full of data first)."""
    tables = MetaData()
    tables.reflect(connection)
    tables.drop_all(connection)


def _run(bind: Engine | Connection, action, revision: str) -> None:
    config = alembic_config()
    with _connection(bind) as connection, foreign_keys_checked_at_end(connection):
        with connection.begin() if not connection.in_transaction() else contextlib.nullcontext():
            config.attributes["connection"] = connection
            action(config, revision)
            check_foreign_keys(connection)


@contextlib.contextmanager
def foreign_keys_checked_at_end(connection: Connection):
    """SQLite changes a table's constraints by copying the table, and with foreign keys
    enforced, dropping the original fails while other tables refer to it. So on SQLite they
    are off for the block, whose transaction must begin inside it (the switch does nothing
    within a transaction) and end with :func:`check_foreign_keys`."""
    if connection.dialect.name != "sqlite" or connection.in_transaction():
        yield
        return
    raw = connection.connection.dbapi_connection
    raw.execute("PRAGMA foreign_keys=OFF")
    try:
        yield
    finally:
        raw.execute("PRAGMA foreign_keys=ON")


def check_foreign_keys(connection: Connection) -> None:
    """On SQLite, refuse (and so roll back) a transaction that left a reference dangling."""
    if connection.dialect.name != "sqlite":
        return
    dangling = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    if dangling:
        tables = sorted({row[0] for row in dangling})
        raise RuntimeError(f"the migration left references dangling in {', '.join(tables)}")
