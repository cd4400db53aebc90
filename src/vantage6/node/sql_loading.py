"""The node's built-in loader of ``sql`` databases: the node runs the task's query itself and
the algorithm gets the result (as parquet, see :mod:`vantage6.node.data_loading`). So the URI
and its credentials stay on the node, and the database server need not be reachable from the
algorithms' network (it is not).

The query must be one statement (checked with sqlparse's tokenizer, whatever the driver: some
drivers run every statement of a string, so ``SELECT 1; DROP TABLE x`` would run both). It runs
in a read-only transaction where the dialect offers one (PostgreSQL's, SQLite's
``query_only``) and is never committed; the node's database account must be read-only anyway,
as it is the only safeguard for other dialects. A failure fails the run with the database's own
message; the URI's password appears nowhere, neither in the run's log nor in the node's.
"""

from __future__ import annotations

import logging
from pathlib import Path

import sqlparse
from sqlalchemy import create_engine, make_url, text
from sqlalchemy.engine import URL, Connection, Engine
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError, SQLAlchemyError
from sqlparse.tokens import Comment, Punctuation

from vantage6.node.config import Database
from vantage6.node.data_loading import failed, missing_extra

log = logging.getLogger(__name__)

MASK = "***"


def load(database: Database, parameters: dict):
    """The result of the task's ``query`` on ``database`` as a DataFrame; LoadFailed else."""
    query = parameters.get("query")
    if not isinstance(query, str) or not query.strip():
        raise failed(
            database,
            "the task gives no query for it; an sql database is read with a query "
            '(e.g. "query": "SELECT age FROM patients")',
        )
    _check_single_statement(database, query)
    try:
        import pandas
    except ImportError:
        raise missing_extra(database, "read sql databases", "pandas") from None
    url = _url(database)
    shown = url.render_as_string(hide_password=True)
    _check_sqlite_file(database, url)
    engine = _engine(database, url, shown)
    try:
        with engine.connect() as connection:  # closed without commit: rolled back
            return pandas.read_sql_query(text(query), _read_only(connection))
    except (SQLAlchemyError, pandas.errors.DatabaseError) as exc:
        # pandas wraps the errors of its queries
        error = exc.__cause__ if isinstance(exc.__cause__, SQLAlchemyError) else exc
        log.error(
            "database %r (%s): the query failed: %s", database.label, shown, _masked(error, url)
        )
        raise failed(database, _masked(_reason(error), url)) from None
    finally:
        engine.dispose()


def _check_single_statement(database: Database, query: str) -> None:
    """Refuse a query of several statements: the node runs one read, never a script."""
    count = sum(1 for statement in sqlparse.parse(query) if _has_content(statement))
    if count > 1:
        raise failed(
            database,
            f"the task's query holds {count} SQL statements; the node runs exactly one "
            "(a single SELECT, optionally ending in ';')",
        )


def _has_content(statement) -> bool:
    """Whether a parsed statement is more than whitespace, comments and semicolons."""
    return any(
        not (token.is_whitespace or token.ttype in Comment or token.match(Punctuation, ";"))
        for token in statement.flatten()
    )


def _url(database: Database) -> URL:
    try:
        return make_url(database.uri)
    except (ArgumentError, ValueError):  # their messages may quote the URI
        log.error("database %r: its uri is no SQLAlchemy URL", database.label)
        raise failed(database, "the node's URI of it is not a valid SQLAlchemy URL") from None


def _engine(database: Database, url: URL, shown: str) -> Engine:
    try:
        return create_engine(url)
    except (ImportError, NoSuchModuleError) as exc:
        log.error("database %r (%s): no dialect or driver: %s", database.label, shown, exc)
        raise failed(database, f"the node has no driver for {url.drivername}") from None
    except ArgumentError as exc:
        log.error("database %r (%s): %s", database.label, shown, _masked(exc, url))
        raise failed(database, "the node's URI of it is not valid (see the node's log)") from None


def _check_sqlite_file(database: Database, url: URL) -> None:
    """A missing SQLite file is an error (SQLite would create an empty one)."""
    path = url.database
    if url.get_backend_name() != "sqlite" or path in (None, "", ":memory:"):
        return
    if not path.startswith("file:") and not Path(path).is_file():
        log.error("database %r: the SQLite file %s does not exist", database.label, path)
        raise failed(database, "its SQLite file does not exist on the node")


def _read_only(connection: Connection) -> Connection:
    """The connection, made read-only where the dialect can (before its transaction starts)."""
    dialect = connection.dialect.name
    if dialect == "postgresql":
        return connection.execution_options(postgresql_readonly=True)
    if dialect == "sqlite":
        connection.exec_driver_sql("PRAGMA query_only = ON")
    return connection


def _reason(exc: Exception) -> str:
    """The database's (driver's) own message, without SQLAlchemy's statement and links."""
    if isinstance(exc, DBAPIError) and exc.orig is not None:
        return str(exc.orig).strip() or type(exc.orig).__name__
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__


def _masked(message, url: URL) -> str:
    message = str(message)
    return message.replace(url.password, MASK) if url.password else message
