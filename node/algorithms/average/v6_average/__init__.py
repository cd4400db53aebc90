"""The demo federated average.

``central_average`` runs at one organization: it asks every organization of the collaboration
for the sum and count of a column (``partial_average`` subtasks) and divides the totals, so the
result equals the average of the pooled data. The seeds' 3.x names ``master`` and
``average_partial`` are the same functions.
"""

from vantage6.algorithm import algorithm_client, data


@algorithm_client
def central_average(client, column_name: str, org_ids: list[int] | None = None) -> dict:
    ids = org_ids or [organization["id"] for organization in client.organization.list()]
    task = client.task.create(
        input_={"method": "partial_average", "kwargs": {"column_name": column_name}},
        organizations=ids,
        name="partial average",
        description=f"sum and count of {column_name!r}",
    )
    results = client.wait_for_results(task["id"])
    count = sum(result["count"] for result in results)
    if count == 0:
        raise ValueError(f"column {column_name!r} has no values at any organization")
    return {"average": sum(result["sum"] for result in results) / count}


@data(1)
def partial_average(df, column_name: str) -> dict:
    """Sum and number of the column's values (missing values left out, as pandas' mean does)."""
    if column_name not in df.columns:
        raise ValueError(f"no column {column_name!r}; the columns are {list(df.columns)}")
    column = df[column_name].dropna()
    return {"sum": column.sum().item(), "count": int(column.count())}


master = central_average
average_partial = partial_average
