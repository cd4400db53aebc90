"""An algorithm written for the original vantage6 4.x algorithm tools (their import paths, their
``@data`` decorator), run by the original's ``wrap_algorithm``: the mixed-fleet test image
(tests/integration/original/test_original_image.py)."""

from vantage6.algorithm.tools.decorators import data
from vantage6.algorithm.tools.util import info


@data(1)
def partial_sum(df, column):
    """The sum of ``column`` over the first requested database, and its number of rows."""
    info(f"summing {column!r} over {len(df)} rows")
    return {"sum": int(df[column].sum()), "count": len(df)}
