"""Schema migrations (Alembic) applied to an engine: upgrade, downgrade, and where we are."""

from __future__ import annotations

from enum import Enum

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect
from sqlalchemy.engine import Engine


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


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def schema_state(engine: Engine) -> SchemaState:
    revision = current_revision(engine)
    if revision == head_revision():
        return SchemaState.CURRENT
    if revision is not None:
        return SchemaState.OUTDATED
    tables = set(inspect(engine).get_table_names())
    return SchemaState.EMPTY if not tables else SchemaState.UNMANAGED


def upgrade(engine: Engine, revision: str = "head") -> None:
    _run(engine, command.upgrade, revision)


def downgrade(engine: Engine, revision: str) -> None:
    _run(engine, command.downgrade, revision)


def _run(engine: Engine, action, revision: str) -> None:
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        action(config, revision)
