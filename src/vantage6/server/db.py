"""Engine, sessions, and one transaction-bound session per request (pyramid_tm)."""

from __future__ import annotations

import zope.sqlalchemy
from sqlalchemy import engine_from_config, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker


def get_engine(settings: dict) -> Engine:
    engine = engine_from_config(settings, "sqlalchemy.", pool_pre_ping=True)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _tune_sqlite)
        event.listen(engine, "begin", _begin_sqlite)
    return engine


def _tune_sqlite(dbapi_connection, connection_record) -> None:
    """Enforce foreign keys (off by default in SQLite), let readers run beside a writer, and
    take transaction control from the sqlite3 module, whose own handling breaks SAVEPOINTs."""
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def _begin_sqlite(connection) -> None:
    connection.exec_driver_sql("BEGIN")


def get_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False)


def get_tm_session(session_factory, transaction_manager, request=None) -> Session:
    """A session that commits or aborts with ``transaction_manager``."""
    session = session_factory(info={"request": request})
    zope.sqlalchemy.register(session, transaction_manager=transaction_manager)
    return session


def _request_dbsession(request) -> Session:
    session = get_tm_session(request.registry["dbsession_factory"], request.tm, request)
    request.add_finished_callback(lambda request: session.close())
    return session


def includeme(config) -> None:
    settings = config.get_settings()
    settings["tm.manager_hook"] = "pyramid_tm.explicit_manager"
    config.include("pyramid_tm")
    engine = get_engine(settings)
    config.registry["dbengine"] = engine
    config.registry["dbsession_factory"] = get_session_factory(engine)
    config.add_request_method(_request_dbsession, "dbsession", reify=True)
