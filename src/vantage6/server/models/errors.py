"""Turn database refusals into one sentence a shell user or an API client can act on."""

from __future__ import annotations

import re

from sqlalchemy import inspect
from sqlalchemy.exc import IntegrityError, NoInspectionAvailable, SQLAlchemyError


class ModelError(ValueError):
    """Bad data for a model; shown as one line in IPython instead of a traceback."""

    def _render_traceback_(self):  # IPython's hook for custom exception display
        return [f"{type(self).__name__}: {self}"]


_SQLITE_UNIQUE = re.compile(r"UNIQUE constraint failed: (?P<cols>[\w., ]+)")
_SQLITE_NOT_NULL = re.compile(r"NOT NULL constraint failed: (?P<table>\w+)\.(?P<col>\w+)")
_DELETE = re.compile(r'\s*DELETE FROM "?(?P<table>\w+)"?', re.IGNORECASE)


def explain_database_error(exc: SQLAlchemyError, obj=None) -> str:
    """A one-line reason for ``exc``; ``obj`` (the object being saved, or a dict of its
    values) supplies the values to name."""
    if not isinstance(exc, IntegrityError):
        return f"the database refused it ({first_line(exc.orig or exc)})"
    orig = exc.orig
    diag = getattr(orig, "diag", None)
    sqlstate = getattr(orig, "sqlstate", None)
    text = str(orig)
    if sqlstate == "23505" or "UNIQUE constraint failed" in text:
        return _explain_unique(*_unique_columns(diag, text), obj)
    if sqlstate == "23502" or "NOT NULL constraint failed" in text:
        column = diag.column_name if diag is not None else _SQLITE_NOT_NULL.search(text)["col"]
        return f"{_readable(column)} is required"
    if sqlstate == "23503" or "FOREIGN KEY constraint failed" in text:
        deleted = _DELETE.match(exc.statement or "")
        if deleted:
            return _explain_still_referred_to(deleted["table"], diag)
        return f"it refers to a record that does not exist ({_membership_hint(obj)})"
    return f"the database refused it ({first_line(orig)})"


def _membership_hint(obj) -> str:
    """The deferred membership keys are checked at commit, which cannot say which failed."""
    if type(obj).__name__ == "Study":
        return "a study's organizations must be members of its collaboration"
    return "a node needs its organization to be a member of its collaboration"


def _explain_still_referred_to(table: str, diag) -> str:
    """A refused delete, naming the referring table (PostgreSQL says which; SQLite does not,
    so every table that could be the cause is named)."""
    if diag is not None and diag.table_name:
        referrers = [diag.table_name]
    else:
        referrers = _tables_referring_without_cascade(table) or ["other"]
    named = " or ".join(filter(None, [", ".join(referrers[:-1]), referrers[-1]]))
    return f"{named} records still refer to it; delete those first"


def _tables_referring_without_cascade(table: str) -> list[str]:
    from vantage6.server.models.base import Base

    return sorted(
        {
            fk.parent.table.name
            for other in Base.metadata.tables.values()
            for fk in other.foreign_keys
            if fk.column.table.name == table
            and fk.ondelete is None
            and fk.parent.table.name != table
        }
    )


def _unique_columns(diag, text: str) -> tuple[str | None, list[str]]:
    """The table and columns of the unique constraint that was violated."""
    if diag is not None and diag.constraint_name:
        name = diag.constraint_name
        from vantage6.server.models.base import Base

        for table in Base.metadata.tables.values():
            for constraint in table.constraints:
                if constraint.name == name:
                    return table.name, [c.name for c in constraint.columns]
        return diag.table_name, [name]
    match = _SQLITE_UNIQUE.search(text)
    if not match:
        return None, []
    qualified = [part.split(".") for part in match["cols"].split(", ")]
    return qualified[0][0], [parts[-1] for parts in qualified]


def _explain_unique(table: str | None, columns: list[str], obj) -> str:
    if columns == ["organization_id", "collaboration_id"]:
        if table == "member":
            return "this organization is already a member of this collaboration"
        return "this organization already has a node in this collaboration"
    if columns == ["api_key_id"]:
        return "another node already uses this API key"
    if columns == ["organization_id", "email"]:
        return "another user of this organization already has this email address"
    described = []
    for column in columns:
        value = _loaded_value(obj, column)
        described.append(
            f"{_readable(column)} {value!r}" if value is not None else _readable(column)
        )
    return " and ".join(described) + " is already in use"


def _loaded_value(obj, column: str):
    """The value ``obj`` (a model instance, or a dict of its values taken before the flush)
    holds in memory; never loads, as the transaction may have failed."""
    if obj is None:
        return None
    if isinstance(obj, dict):
        return obj.get(column)
    try:
        return inspect(obj).dict.get(column)
    except NoInspectionAvailable:
        return getattr(obj, column, None)


def _readable(column: str) -> str:
    return column.removesuffix("_id").replace("_", " ")


def first_line(exc) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
