"""Loading the databases a task requested, as the node describes them in the environment:
``USER_REQUESTED_DATABASE_LABELS`` (in task order) and, per label, ``<LABEL>_DATABASE_URI``,
``<LABEL>_DATABASE_TYPE``, ``<LABEL>_QUERY``, ``<LABEL>_SHEET_NAME``. Data the node loaded for
the run (an ``sql`` query's result) comes as CSV, which any tools read, and as parquet, which
keeps the column types: ``<LABEL>_DATABASE_PARQUET_URI`` is read first.

pandas is imported only when data is loaded, so the wrapper starts fast for central functions.
"""

from __future__ import annotations

import logging
from pathlib import Path

from vantage6.algorithm import env
from vantage6.algorithm.errors import AlgorithmError

log = logging.getLogger(__name__)

NOT_YET = {"sparql", "omop", "folder", "other"}  # types of the original we do not load (yet)


def requested_labels() -> list[str]:
    raw = env.get("USER_REQUESTED_DATABASE_LABELS") or ""
    return [label.strip() for label in raw.split(",") if label.strip()]


def load_requested(number: int) -> list:
    labels = requested_labels()
    if len(labels) < number:
        raise AlgorithmError(
            f"the algorithm needs {number} database(s) but the task requested {len(labels)}"
            f" ({', '.join(labels) or 'none'})"
        )
    if len(labels) > number:
        log.warning(
            "the task requested %s databases; the algorithm uses the first %s", labels, number
        )
    return [load_database(label) for label in labels[:number]]


def load_database(label: str):
    prefix = label.upper()
    uri = env.get(f"{prefix}_DATABASE_URI")
    if not uri:
        raise AlgorithmError(
            f"database {label!r} was requested but this node has no such database"
            f" ({prefix}_DATABASE_URI is not set)"
        )
    if (env.get(f"{prefix}_PREPROCESSING") or "[]") not in ("[]", "null"):
        raise AlgorithmError(f"database {label!r}: preprocessing is not supported yet")
    typed = env.get(f"{prefix}_DATABASE_PARQUET_URI")
    return load(
        typed or uri,
        "parquet" if typed else env.get(f"{prefix}_DATABASE_TYPE") or "",
        query=env.get(f"{prefix}_QUERY"),
        sheet_name=env.get(f"{prefix}_SHEET_NAME"),
        label=label,
    )


def load(uri: str, db_type: str, query=None, sheet_name=None, label: str | None = None):
    """One database as a DataFrame; every failure is an AlgorithmError naming the database."""
    name = f"database {label!r} ({uri})" if label else f"database {uri}"
    loader = LOADERS.get(db_type.lower())
    if loader is None:
        state = "is not supported yet" if db_type.lower() in NOT_YET else "is unknown"
        raise AlgorithmError(
            f"{name}: type {db_type!r} {state}; supported: {', '.join(sorted(LOADERS))}"
        )
    try:
        return loader(uri, query=query, sheet_name=sheet_name)
    except FileNotFoundError:
        raise AlgorithmError(f"{name}: file not found")
    except (ImportError, OSError, ValueError) as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise AlgorithmError(f"{name} could not be read as {db_type}: {reason}")


def _existing(uri: str) -> Path:
    path = Path(uri)
    if not path.is_file():
        raise FileNotFoundError(uri)
    return path


def _csv(uri, **_):
    import pandas

    return pandas.read_csv(_existing(uri))


def _parquet(uri, **_):
    import pandas

    return pandas.read_parquet(_existing(uri))


def _excel(uri, sheet_name=None, **_):
    import pandas

    return pandas.read_excel(_existing(uri), sheet_name=sheet_name or 0)


def _sql(uri, query=None, **_):
    import pandas
    import sqlalchemy

    if not query:
        raise ValueError("a sql database needs a query (the task's database 'query')")
    try:
        engine = sqlalchemy.create_engine(uri)
    except sqlalchemy.exc.SQLAlchemyError as exc:
        raise ValueError(str(exc))
    try:
        with engine.connect() as connection:
            return pandas.read_sql(sqlalchemy.text(query), connection)
    except sqlalchemy.exc.SQLAlchemyError as exc:
        raise ValueError(str(exc))
    finally:
        engine.dispose()


LOADERS = {"csv": _csv, "parquet": _parquet, "excel": _excel, "sql": _sql}
