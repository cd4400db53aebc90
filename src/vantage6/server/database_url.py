"""The database that ``sqlalchemy.url`` names: where its file is, and refusals, each naming
the setting and what to do, of one the server cannot open.

Checked where the server opens it (:func:`vantage6.server.db.get_engine` and the first
connection at start-up), so ``pserve`` tells them in one line and ``vserver`` as its error.
"""

from __future__ import annotations

import contextlib
import importlib.util
import logging
from pathlib import Path

from pyramid.exceptions import ConfigurationError
from sqlalchemy.engine import URL, Engine, make_url
from sqlalchemy.exc import NoSuchModuleError, OperationalError

log = logging.getLogger(__name__)

SETTING = "sqlalchemy.url"
SUPPORTED = "sqlite:///<file> or postgresql+psycopg://<user>@<host>/<database>"


class DatabaseUnusable(ConfigurationError):
    """The configured database cannot be opened: no driver, no folder, no connection."""


def sqlite_file(database_url: str | URL) -> Path | None:
    """The file of an SQLite database URL; None for other databases and in-memory ones."""
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    return Path(url.database)


def public_url(database_url: str | URL) -> str:
    """The URL without its password, to name the database in messages."""
    return make_url(database_url).render_as_string(hide_password=True)


def create_sqlite_folder(database_url: str | URL) -> None:
    """SQLite creates a missing database file but not its folder (``var/`` in a fresh clone)."""
    database = sqlite_file(database_url)
    if database is None or database.parent.is_dir():
        return
    try:
        database.parent.mkdir(parents=True)
    except OSError as exc:
        raise DatabaseUnusable(
            f"cannot create the folder {database.parent} of the SQLite database in {SETTING}: "
            f"{exc.strerror}; create it, or point {SETTING} elsewhere"
        ) from None
    log.info("Created the folder %s for the SQLite database", database.parent)


@contextlib.contextmanager
def installed_driver(database_url: str | URL):
    """Around creating the engine: a database SQLAlchemy does not know, or whose driver is
    missing, is refused naming the setting. PostgreSQL needs psycopg, which only the
    ``postgresql`` extra installs, whatever driver the URL names: the events bus and the duty
    lock use it directly."""
    url = make_url(database_url)
    if url.get_backend_name() == "postgresql" and importlib.util.find_spec("psycopg") is None:
        raise DatabaseUnusable(
            f"{SETTING} is a PostgreSQL database, but its driver psycopg is not installed: "
            "pip install 'vantage6[postgresql]'"
        )
    try:
        yield
    except (NoSuchModuleError, ImportError) as exc:
        missing = isinstance(exc, ImportError) and exc.name
        reason = f"{missing} is not installed" if missing else exc
        raise DatabaseUnusable(
            f"{SETTING} = {public_url(url)} cannot be opened ({reason}); "
            f"the server runs on {SUPPORTED}"
        ) from None


def check_connection(engine: Engine) -> None:
    """Connect once, so that a database that is down, or a wrong URL, stops the start in one
    line instead of a traceback from the first query."""
    try:
        with engine.connect():
            pass
    except OperationalError as exc:
        reason = str(exc.orig or exc).strip().splitlines()[0]
        raise DatabaseUnusable(
            f"cannot connect to the database {public_url(engine.url)} ({reason}): check that "
            f"it is up and that {SETTING} is right (VANTAGE6_DATABASE_URL overrides it)"
        ) from None
