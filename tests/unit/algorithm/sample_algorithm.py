"""An algorithm package for the tests: one function per way the wrapper can call it."""

from vantage6.algorithm import algorithm_client, data


@data(1)
def column_total(df, column):
    return {"total": df[column].sum(), "rows": len(df)}  # numpy values: the wrapper converts


@algorithm_client
@data(2)
def who_and_what(client, first, second):
    return {"organization": client.organization_id, "sizes": [len(first), len(second)]}


def plain(a, b=0):
    return [a, b]


def RPC_legacy_partial(data, column):  # noqa: N802 - the 3.x naming convention
    return {"max": int(data[column].max())}


def legacy_partial(data, column):
    raise AssertionError("a 3.x call with master false must prefer RPC_legacy_partial")


def master(client, data, column):
    """A 3.x central function: undecorated, it gets the client and the data from the wrapper."""
    return {"organization": client.organization_id, "rows": len(data[column])}


def explode():
    raise RuntimeError("boom inside the algorithm")


NOT_CALLABLE = 3
