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


def test_0002_keeps_the_data_and_names_who_started_each_job(database_factory):
    """Upgrading a database with users, roles and tasks in it: SQLite rewrites the user table,
    which others refer to; every row stays, and subtasks get their job's first organization."""
    engine = _engine(database_factory)
    upgrade(engine, "0001")
    rows = {
        "authenticatable": "(id, type) VALUES (1, 'user'), (2, 'user')",
        "organization": "(id, name) VALUES (1, 'a'), (2, 'b')",
        "collaboration": "(id, name, encrypted) VALUES (1, 'c', false)",
        '"user"': "(id, username, email, organization_id, failed_login_attempts) VALUES "
        "(1, 'ann', 'x@a.org', 1, 0), (2, 'bob', 'y@a.org', 2, 0)",
        "role": "(id, name, organization_id, is_default_role) VALUES (1, 'r', 1, false)",
        "user_role": "(user_id, role_id) VALUES (1, 1)",
        "job": "(id) VALUES (1)",
        "task": "(id, image, collaboration_id, job_id, parent_id, init_org_id, init_user_id, "
        "created_at) VALUES (1, 'i', 1, 1, NULL, 1, 1, CURRENT_TIMESTAMP), "
        "(2, 'i', 1, 1, 1, 2, 1, CURRENT_TIMESTAMP)",
    }
    with engine.begin() as connection:
        for table, values in rows.items():
            connection.exec_driver_sql(f"INSERT INTO {table} {values}")
    upgrade(engine)
    with engine.connect() as connection:
        started = connection.exec_driver_sql("SELECT id, job_init_org_id FROM task ORDER BY id")
        assert started.all() == [(1, 1), (2, 1)]
        assert connection.exec_driver_sql("SELECT user_id, role_id FROM user_role").all() == [
            (1, 1)
        ]
    downgrade(engine, "0001")
    with engine.connect() as connection:
        assert connection.exec_driver_sql('SELECT count(*) FROM "user"').scalar() == 2
    engine.dispose()
