"""A federated average written for the original vantage6 4.x algorithm tools, with their import
paths and conventions (as the 4.x algorithm template does), for the tests that check such
algorithms run unchanged: through our wrapper in the process runtime, and in the mock client.

Nothing here may use what only our tools offer: it must also run on the original tools.
"""

from typing import Any

import pandas as pd

from vantage6.algorithm.client import AlgorithmClient
from vantage6.algorithm.tools.decorators import algorithm_client, data
from vantage6.algorithm.tools.exceptions import InputError, PrivacyThresholdViolation
from vantage6.algorithm.tools.util import get_env_var, info, warn

MINIMUM_ROWS = 2  # a partial result of fewer rows would give values away


@algorithm_client
def central_average(
    client: AlgorithmClient, column_name: str, organizations_to_include: list[int] | None = None
) -> Any:
    """The average of ``column_name`` over the organizations' data: partial sums and counts,
    combined here."""
    if not organizations_to_include:
        info("Collecting the organizations of the collaboration")
        organizations_to_include = [o["id"] for o in client.organization.list()]

    info(f"Creating the subtask for {organizations_to_include}")
    task = client.task.create(
        input_={"method": "partial_average", "kwargs": {"column_name": column_name}},
        organizations=organizations_to_include,
        name="Subtask average",
        description="Sum and count at each organization",
    )

    info("Waiting for the results")
    results = client.wait_for_results(task_id=task.get("id"))
    info(f"Results: {results}")

    total = sum(result["sum"] for result in results)
    count = sum(result["count"] for result in results)
    return {"average": total / count, "organizations": len(results)}


@data(1)
def partial_average(df: pd.DataFrame, column_name: str) -> Any:
    """The sum and count of the column's values here."""
    if column_name not in df.columns:
        raise InputError(f"Column '{column_name}' is not in the data")
    minimum = get_env_var("AVERAGE_MINIMUM_ROWS", default=str(MINIMUM_ROWS), as_type="int")
    values = df[column_name].dropna()
    if len(values) < minimum:
        raise PrivacyThresholdViolation(f"Fewer than {minimum} values")
    if len(values) < 2 * minimum:
        warn("Few values")
    info("Computing the sum and count")
    return {"sum": float(values.sum()), "count": int(values.count())}


@data(1)
@algorithm_client
def describe(client: AlgorithmClient, df: pd.DataFrame, column_name: str) -> Any:
    """Who ran this, on how many rows: the original's order of stacked decorators (the one
    nearest the function gives the first argument)."""
    return {"organization": client.organization_id, "rows": len(df), "column": column_name}
