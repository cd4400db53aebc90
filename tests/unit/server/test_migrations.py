"""Alembic migrations: empty → head → base → head, and the models match the migrations."""

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from tests.support import server_settings
from vantage6.server.db import get_engine
from vantage6.server.migrate import (
    SchemaState,
    current_revision,
    downgrade,
    head_revision,
    schema_state,
    upgrade,
)
from vantage6.server.models import Base


def _engine(database_factory):
    return get_engine(server_settings(database_factory.new_url()))


def _differences(engine):
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, Base.metadata)


def test_upgrade_downgrade_upgrade_round_trip(database_factory):
    engine = _engine(database_factory)
    upgrade(engine)
    assert current_revision(engine) == head_revision()
    assert set(inspect(engine).get_table_names()) >= set(Base.metadata.tables)

    downgrade(engine, "base")
    assert current_revision(engine) is None
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}

    upgrade(engine)
    assert schema_state(engine) is SchemaState.CURRENT
    assert _differences(engine) == []
    engine.dispose()


def test_models_and_migrations_describe_the_same_schema(database_factory):
    engine = _engine(database_factory)
    upgrade(engine)
    assert _differences(engine) == [], "run alembic autogenerate: models and migrations differ"
    engine.dispose()
