"""First start: schema handling per profile, and how the root user comes to be."""

import logging

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from tests.support import server_settings
from vantage6.server.bootstrap import DatabaseNotReady, prepare_database
from vantage6.server.db import get_engine
from vantage6.server.migrate import SchemaState, head_revision, schema_state, upgrade
from vantage6.server.models import Organization, Role, Rule, User


@pytest.fixture
def new_engine(database_factory):
    engines = []

    def make(**overrides):
        settings = server_settings(database_factory.new_url(), **overrides)
        engine = get_engine(settings)
        engines.append(engine)
        return engine, settings

    yield make
    for engine in engines:
        engine.dispose()


def _root(engine) -> User:
    with Session(engine) as session:
        user = session.scalars(select(User).filter_by(username="root")).one()
        assert user.organization.name == "root"
        assert [role.name for role in user.roles] == ["Root"]
        session.expunge_all()
        return user


def test_development_migrates_an_empty_database_and_creates_root_root(new_engine, caplog):
    engine, settings = new_engine()
    assert schema_state(engine) is SchemaState.EMPTY
    with caplog.at_level(logging.WARNING):
        prepare_database(engine, settings)
    assert schema_state(engine) is SchemaState.CURRENT
    assert _root(engine).check_password("root")
    assert "Created user 'root' with password 'root'" in caplog.text


def test_production_refuses_an_empty_database_and_says_how_to_migrate(new_engine):
    engine, settings = new_engine(
        **{"vantage6.profile": "production", "vantage6.db.auto_migrate": "false"}
    )
    with pytest.raises(DatabaseNotReady, match="vserver db upgrade --config"):
        prepare_database(engine, settings)
    assert schema_state(engine) is SchemaState.EMPTY  # nothing was written


def test_production_refuses_an_outdated_schema(new_engine):
    engine, settings = new_engine(
        **{"vantage6.profile": "production", "vantage6.db.auto_migrate": "false"}
    )
    upgrade(engine)
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = 'older'"))
    with pytest.raises(DatabaseNotReady, match="outdated"):
        prepare_database(engine, settings)


def test_tables_without_migration_history_are_never_touched(new_engine):
    engine, settings = new_engine()
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE foreign_app (id INTEGER PRIMARY KEY)"))
    with pytest.raises(DatabaseNotReady, match="no migration history"):
        prepare_database(engine, settings)


def test_production_root_password_from_setting(new_engine, capsys):
    engine, settings = new_engine(
        **{"vantage6.profile": "production", "vantage6.root_password": "Configured-1"}
    )
    upgrade(engine)
    prepare_database(engine, settings)
    assert _root(engine).check_password("Configured-1")
    assert "Configured-1" not in capsys.readouterr().err


def test_production_random_password_is_printed_once_and_never_logged(new_engine, capsys, caplog):
    engine, settings = new_engine(**{"vantage6.profile": "production"})
    upgrade(engine)
    with caplog.at_level(logging.DEBUG):
        prepare_database(engine, settings)
    printed = capsys.readouterr().err
    password = printed.split("one-time password: ")[1].split()[0]
    assert len(password) >= 20
    assert _root(engine).check_password(password)
    assert password not in caplog.text
    prepare_database(engine, settings)  # a second start creates nothing and prints nothing
    assert "one-time password" not in capsys.readouterr().err


def test_restart_keeps_data_and_does_not_duplicate(new_engine):
    engine, settings = new_engine()
    prepare_database(engine, settings)
    prepare_database(engine, settings)
    with Session(engine) as session:
        assert session.scalar(select(func.count()).select_from(User)) == 1
        assert session.scalar(select(func.count()).select_from(Organization)) == 1
        assert session.scalar(select(func.count()).select_from(Rule)) == 86
        assert session.scalar(select(func.count()).select_from(Role)) == 7


def test_root_user_is_not_recreated_once_users_exist(new_engine):
    engine, settings = new_engine()
    prepare_database(engine, settings)
    with Session(engine) as session, session.begin():
        session.scalars(select(User)).one().username = "admin"
    prepare_database(engine, settings)
    with Session(engine) as session:
        assert session.scalars(select(User.username)).all() == ["admin"]


def test_head_revision_is_the_initial_schema():
    assert head_revision() == "0001"
