"""First start: schema handling per profile, and how the root user comes to be."""

import logging
import os
import stat

import pytest
from alembic.script import ScriptDirectory
from pyramid.exceptions import ConfigurationError
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from tests.support import server_settings
from vantage6.server.bootstrap import DatabaseNotReady, prepare_database
from vantage6.server.db import get_engine
from vantage6.server.migrate import (
    SchemaState,
    alembic_config,
    head_revision,
    schema_state,
    upgrade,
)
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


@pytest.fixture
def production(new_engine, tmp_path):
    """A production-profile database without a configured root password, whose first start
    writes root's password to ``tmp_path/root-password``."""
    engine, settings = new_engine(
        **{
            "vantage6.profile": "production",
            "vantage6.root_password_file": str(tmp_path / "root-password"),
        }
    )
    upgrade(engine)
    return engine, settings, tmp_path / "root-password"


def _users(engine) -> int:
    with Session(engine) as session:
        return session.scalar(select(func.count()).select_from(User))


def test_production_random_password_goes_to_a_private_file_not_the_terminal(
    production, capsys, caplog
):
    engine, settings, password_file = production
    umask = os.umask(0)  # even a umask that lets everyone read does not open the file up
    try:
        with caplog.at_level(logging.DEBUG):
            prepare_database(engine, settings)
    finally:
        os.umask(umask)
    assert stat.S_IMODE(password_file.stat().st_mode) == 0o600
    password = password_file.read_text().strip()
    assert len(password) >= 20
    assert _root(engine).check_password(password)
    printed = capsys.readouterr()
    assert f"written to {password_file} " in printed.err
    assert "then delete that file" in printed.err
    for shown in (printed.out, printed.err, caplog.text):
        assert password not in shown
    prepare_database(engine, settings)  # a second start creates nothing and writes nothing
    assert capsys.readouterr().err == ""
    assert password_file.read_text().strip() == password


def test_an_existing_password_file_is_never_overwritten(production):
    engine, settings, password_file = production
    password_file.write_text("someone else's\n")
    with pytest.raises(ConfigurationError, match=f"{password_file}: the file exists"):
        prepare_database(engine, settings)
    assert password_file.read_text() == "someone else's\n"
    assert _users(engine) == 0  # no root whose password nobody could learn


def test_a_link_in_the_password_files_place_is_not_followed(production, tmp_path):
    engine, settings, password_file = production
    password_file.symlink_to(tmp_path / "elsewhere")
    with pytest.raises(ConfigurationError, match="the file exists"):
        prepare_database(engine, settings)
    assert not (tmp_path / "elsewhere").exists()


def test_without_a_place_for_the_password_file_root_is_not_created(production):
    engine, settings, _ = production
    with pytest.raises(ConfigurationError, match="Set vantage6.root_password_file, or give"):
        prepare_database(engine, {**settings, "vantage6.root_password_file": ""})
    assert _users(engine) == 0


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


def test_head_revision_is_the_newest_migration_script():
    scripts = ScriptDirectory.from_config(alembic_config())
    assert head_revision() == scripts.get_current_head()
