"""The original 4.x tools' data loading functions: ours, from :mod:`vantage6.algorithm.databases`
(csv, parquet, excel and sql; not sparql). A database that cannot be loaded is an
:class:`~vantage6.algorithm.errors.AlgorithmError` where the original exited."""

from __future__ import annotations

from vantage6.algorithm.databases import load


def load_data(
    database_uri: str,
    db_type: str | None = None,
    query: str | None = None,
    sheet_name: str | None = None,
):
    """The database as a DataFrame; sql needs a ``query``, excel may name a ``sheet_name``."""
    return load(database_uri, db_type or "", query=query, sheet_name=sheet_name)


def get_column_names(
    database_uri: str,
    db_type: str | None = None,
    query: str | None = None,
    sheet_name: str | None = None,
) -> list[str]:
    return load_data(database_uri, db_type, query, sheet_name).columns.tolist()


__all__ = ["get_column_names", "load_data"]
