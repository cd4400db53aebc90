"""Fixtures shared by every test.

The suite runs on SQLite by default. With ``VANTAGE6_TEST_DATABASE_URL`` set to a PostgreSQL
server URL (an account that may create databases), every database the tests use is a fresh
PostgreSQL database instead; ``scripts/test`` runs the suite both ways.
"""

from __future__ import annotations

import pytest
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from tests.support import FAST_COST, POSTGRES_URL, DatabaseFactory, server_settings
from vantage6.server.bootstrap import prepare_database
from vantage6.server.db import get_engine
from vantage6.server.models.shell import bound_shell_session
from vantage6.server.pshell import namespace
from vantage6.server.security.hashing import configure_hasher


def pytest_report_header(config):
    backend = make_url(POSTGRES_URL).render_as_string() if POSTGRES_URL else "SQLite"
    return f"vantage6 test database: {backend}"


def pytest_collection_modifyitems(config, items):
    """On PostgreSQL, only the tests that use a database run: every database comes from
    ``database_factory``, so the others ran alike in the SQLite pass and would prove nothing
    more (``scripts/test`` runs both passes)."""
    if not POSTGRES_URL:
        return
    elsewhere = pytest.mark.skip(reason="uses no database: runs in the SQLite pass")
    for item in items:
        if "database_factory" not in getattr(item, "fixturenames", ()):
            item.add_marker(elsewhere)


@pytest.fixture(scope="session")
def database_factory(tmp_path_factory):
    factory = DatabaseFactory(tmp_path_factory.mktemp("databases"))
    yield factory
    factory.drop_all()


@pytest.fixture(scope="session", autouse=True)
def private_config_folders(tmp_path_factory):
    """User configuration, pid and log folders of this test session's own (the ``vnode`` and
    ``vserver`` processes tests start inherit them), so no test writes to the real home."""
    base = tmp_path_factory.mktemp("xdg")
    names = ("XDG_CONFIG_HOME", "XDG_DATA_HOME")
    with pytest.MonkeyPatch.context() as patch:
        for name in names:
            patch.setenv(name, str(base / name.lower()))
        yield


@pytest.fixture(scope="session", autouse=True)
def fast_hashing():
    """Argon2 at its cheapest: the tests check hashing happens, not how slow it is."""
    configure_hasher(passwords=FAST_COST, api_keys=FAST_COST)
    yield
    configure_hasher()


@pytest.fixture
def make_database(database_factory):
    """Build a fresh database, migrated and bootstrapped (rules, roles, root user)."""
    engines = []

    def make(**overrides):
        url = database_factory.new_url()
        settings = server_settings(url, **overrides)
        engine = get_engine(settings)
        engines.append(engine)
        prepare_database(engine, settings)
        return engine

    yield make
    for engine in engines:
        engine.dispose()


@pytest.fixture(scope="session")
def engine(database_factory):
    """One bootstrapped database shared by the tests that roll back what they do."""
    url = database_factory.new_url()
    settings = server_settings(url)
    engine = get_engine(settings)
    prepare_database(engine, settings)
    yield engine
    engine.dispose()


@pytest.fixture
def dbsession(engine):
    """A session whose commits are savepoints inside a transaction rolled back afterwards."""
    connection = engine.connect()
    outer = connection.begin()
    session = Session(bind=connection, join_transaction_mode="create_savepoint")
    yield session
    session.close()
    outer.rollback()
    connection.close()


@pytest.fixture
def shell(dbsession):
    """The admin shell's namespace (``db``, ``Scope``, ...) with save/get bound to dbsession."""
    with bound_shell_session(dbsession):
        yield namespace(dbsession)


@pytest.fixture(scope="module")
def node_server(tmp_path_factory, database_factory):
    """A real server (pserve on development.ini) for the nodes of a test module, which the
    module's tests may also crash and restart."""
    from tests.functional.node.daemons import RestartableServer

    server = RestartableServer(tmp_path_factory.mktemp("server"), database_factory.new_url())
    server.start()
    yield server
    server.stop()
