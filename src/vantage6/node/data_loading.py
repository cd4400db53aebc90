"""Databases that node plugins load for a run (hook ``vantage6_load_data``) before it starts.

The algorithm tools load csv, parquet, excel databases themselves; a run asking for a
database of any other type (``sql``, ``folder``, ``other``) first goes past the node's loader
plugins. A ``pandas.DataFrame`` one of them returns is stored as parquet in the run's folder and
replaces that database for this run only. When no plugin answers, the algorithm gets the
database as configured, as on a node without plugins; except an ``sql`` database, which only
the node reads (its URI holds credentials, and its server is out of the containers' reach:
the built-in loader, :mod:`vantage6.node.sql_loading`, runs the task's query).

A loader that fails, or answers something else than a DataFrame, fails the run: its log says
which database and that the node's log has the details (which may hold data or credentials,
so they stay on the node); a loader that raises :class:`LoadFailed` chose a message fit for
the run's log, which the run gets as it is.
"""

from __future__ import annotations

import io
import logging

from vantage6.algorithm.databases import LOADERS
from vantage6.node.config import Database, NodeConfig

log = logging.getLogger(__name__)

PARAMETERS = ("query", "sheet_name", "preprocessing")
NODE_ONLY = frozenset({"sql"})  # types whose URI never reaches an algorithm


class LoadFailed(Exception):
    """A database of the run could not be loaded; the message is fit for the run's log."""


def needs_loader(database: Database) -> bool:
    """Whether the algorithm tools cannot load this database as configured, so that the
    node's loader plugins are asked for it (sql: the node keeps its URI to itself)."""
    return database.type in NODE_ONLY or database.type not in LOADERS


def parameters(request: dict) -> dict:
    """What the task asks of a database, as ``vantage6_load_data`` gets it."""
    return {key: request[key] for key in PARAMETERS if request.get(key) is not None}


def load_requested(plugins, config: NodeConfig, requested: list[dict]) -> dict[str, bytes]:
    """Parquet content per label, for each requested database a loader plugin loaded.

    A label the task requests twice is loaded once, with its last request (as the run's
    variables describe it). :class:`LoadFailed` when a loader fails.
    """
    loaded = {}
    for label, request in {item["label"]: item for item in requested}.items():
        database = config.database(label)
        if database is None or not needs_loader(database):
            continue
        frame = _ask(plugins, database, parameters(request))
        if frame is None and database.type in NODE_ONLY:
            raise failed(database, "no data loader of the node answered (only the node reads sql)")
        if frame is not None:
            loaded[label] = _parquet(frame, database)
            log.info("database %r (type %s) loaded by a plugin", label, database.type)
    return loaded


def _ask(plugins, database: Database, request: dict):
    try:
        frame = plugins.hook.vantage6_load_data(database=database, parameters=request)
    except LoadFailed:
        raise
    except Exception:
        log.exception("the vantage6_load_data plugin failed for database %r", database.label)
        raise LoadFailed(
            f"{_name(database)}: the node's data loader failed (see the node's log)"
        ) from None
    if frame is None or _is_data_frame(frame):
        return frame
    log.error(
        "a vantage6_load_data plugin answered a %s for database %r, not a pandas DataFrame",
        type(frame).__name__,
        database.label,
    )
    raise LoadFailed(f"{_name(database)}: the node's data loader answered no DataFrame")


def _is_data_frame(value) -> bool:
    try:
        import pandas
    except ImportError:  # then no plugin made a DataFrame
        return False
    return isinstance(value, pandas.DataFrame)


def _parquet(frame, database: Database) -> bytes:
    buffer = io.BytesIO()
    try:
        frame.to_parquet(buffer)
    except ImportError as exc:
        log.error("loaded data cannot be stored as parquet: %s", exc)
        raise missing_extra(database, "store loaded data as parquet", "pyarrow") from None
    except Exception:
        log.exception("the data loaded for database %r cannot be stored as parquet", database.label)
        raise LoadFailed(
            f"{_name(database)}: the loaded data cannot be stored as parquet (see the node's log)"
        ) from None
    return buffer.getvalue()


def failed(database: Database, reason: str) -> LoadFailed:
    """The failure of loading ``database``, for the run's log: ``reason`` must leak nothing."""
    return LoadFailed(f"{_name(database)}: {reason}")


def missing_extra(database: Database, doing: str, package: str) -> LoadFailed:
    """The failure of a node that lacks ``package`` (of the ``algorithm`` extra) for ``doing``."""
    return failed(
        database,
        f"the node cannot {doing} (its owner must install {package}: "
        "pip install 'vantage6[algorithm]')",
    )


def _name(database: Database) -> str:
    return f"database {database.label!r} (type {database.type})"
