"""Engine, sessions, and one transaction-bound session per request (pyramid_tm)."""

from __future__ import annotations

import threading

from sqlalchemy import engine_from_config, event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import Session, sessionmaker

from vantage6.server.database_url import create_sqlite_folder, installed_driver
from vantage6.server.transaction_events import join_transactions, with_transaction_manager


def get_engine(settings: dict) -> Engine:
    url = make_url(settings["sqlalchemy.url"])
    create_sqlite_folder(url)
    # A network database may drop idle connections; a file cannot, so SQLite skips the ping.
    ping = url.get_backend_name() != "sqlite"
    with installed_driver(url):
        engine = engine_from_config(settings, "sqlalchemy.", pool_pre_ping=ping)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _tune_sqlite)
        SQLiteWriters().install(engine)
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


WRITES = "vantage6_writes"  # execution option: this transaction is going to write
LOCK_WAIT_SECONDS = 30


class SQLiteWriters:
    """Writers take SQLite's write lock up front (BEGIN IMMEDIATE) and queue for it on a
    process-wide lock first.

    Up front, because a transaction that starts reading and later writes cannot wait for the
    lock: it fails with "database is locked" once another writer has committed since it began.
    Queued, because SQLite's own busy handler polls with growing sleeps, which turns a short
    wait into a long tail; other processes are still covered by the busy timeout.
    """

    def __init__(self):
        self._lock = threading.Lock()

    def install(self, engine: Engine) -> None:
        event.listen(engine, "begin", self.begin)
        event.listen(engine, "commit", self.end)
        event.listen(engine, "rollback", self.end)

    def begin(self, connection) -> None:
        if not connection.get_execution_options().get(WRITES, False):
            connection.exec_driver_sql("BEGIN")
            return
        if not self._lock.acquire(timeout=LOCK_WAIT_SECONDS):
            raise TimeoutError(f"no write turn on the database within {LOCK_WAIT_SECONDS} s")
        connection.info[WRITES] = True
        try:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        except BaseException:
            self.end(connection)
            raise

    def end(self, connection) -> None:
        if connection.info.pop(WRITES, False):
            self._lock.release()


def get_session_factory(engine: Engine) -> sessionmaker[Session]:
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    join_transactions(factory)
    return factory


def get_tm_session(session_factory, transaction_manager, request=None) -> Session:
    """A session that commits or aborts with ``transaction_manager``."""
    return session_factory(
        info={"request": request, **with_transaction_manager(transaction_manager)}
    )


READ_ONLY_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def _request_session(request, writes: bool) -> Session:
    session = get_tm_session(request.registry["dbsession_factory"], request.tm, request)
    if writes:
        session.connection(execution_options={WRITES: True})
    request.add_finished_callback(lambda request: session.close())
    return session


def _request_dbsession(request) -> Session:
    return _request_session(request, writes=request.method not in READ_ONLY_METHODS)


def _request_reading_dbsession(request) -> Session:
    """For a view that only reads whatever its method, e.g. a node login that checks an API
    key: it need not queue for SQLite's write lock while argon2 works."""
    return _request_session(request, writes=False)


def includeme(config) -> None:
    settings = config.get_settings()
    settings["tm.manager_hook"] = "pyramid_tm.explicit_manager"
    # pyramid_tm would name the user on every transaction, so every request, even one that
    # needs no identity (/version, /health), would check its token and load its rules.
    settings["tm.annotate_user"] = False
    config.include("pyramid_tm")
    engine = get_engine(settings)
    config.registry["dbengine"] = engine
    config.registry["dbsession_factory"] = get_session_factory(engine)
    config.add_request_method(_request_dbsession, "dbsession", reify=True)
    config.add_request_method(_request_reading_dbsession, "reading_dbsession", reify=True)
