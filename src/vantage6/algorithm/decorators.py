"""``@data(n)``, ``@algorithm_client`` and ``@metadata``: hand an algorithm function what the
node provides.

Stacked decorators inject their values in the order they are written, top first, so
``@algorithm_client`` above ``@data(1)`` calls ``f(client, df, ...)``. The original 4.x tools
do it the other way round (the decorator nearest the function first); their import path,
:mod:`vantage6.algorithm.tools.decorators`, builds the same decorators in that order
(``nearest_first``). Either way ``@data(n)`` gives its n databases in the order the task
requested them (the original's wrapper reversed them for n > 1; its mock did not).

The reserved keywords ``mock_client=`` and ``mock_data=`` replace what would be loaded, for
the mock client and for tests.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from vantage6.algorithm import env
from vantage6.algorithm.client import AlgorithmClient, read_token, token_claims
from vantage6.algorithm.databases import load_requested
from vantage6.algorithm.errors import AlgorithmError

RESERVED = ("mock_client", "mock_data")
_MARK = "__vantage6_injection__"
# The original's marks on decorated functions (its mock client looks for them).
CLIENT_FLAG = "wrapped_in_algorithm_client_decorator"
DATA_FLAG = "wrapped_in_data_decorator"


@dataclass(frozen=True)
class _Injection:
    function: Callable  # the undecorated function
    providers: tuple[Callable[[dict], list], ...]  # in argument order; each gives its values
    flags: frozenset[str]


def is_decorated(function) -> bool:
    return hasattr(function, _MARK)


def injecting(provider: Callable[[dict], list], flag: str | None = None, nearest_first=False):
    """A decorator adding ``provider``'s values to those of the decorators below it: in front
    of them, or behind them when ``nearest_first``. One wrapper serves the whole stack."""

    def decorator(function):
        inner = getattr(function, _MARK, None)
        target = inner.function if inner else function
        below = inner.providers if inner else ()
        providers = (*below, provider) if nearest_first else (provider, *below)
        flags = (inner.flags if inner else frozenset()) | ({flag} if flag else set())

        @functools.wraps(target)
        def wrapper(*args, **kwargs):
            mocks = {name: kwargs.pop(name, None) for name in RESERVED}
            injected = [value for each in providers for value in each(mocks)]
            return target(*injected, *args, **kwargs)

        setattr(wrapper, _MARK, _Injection(target, providers, flags))
        for name in flags:
            setattr(wrapper, name, True)
        return wrapper

    return decorator


def client_provider(mocks: dict) -> list:
    if mocks["mock_client"] is not None:
        return [mocks["mock_client"]]
    return [AlgorithmClient.from_environment()]


def frames_provider(number_of_databases: int) -> Callable[[dict], list]:
    """The first ``number_of_databases`` databases the task requested, as DataFrames."""
    if not isinstance(number_of_databases, int) or number_of_databases < 1:
        raise ValueError("@data needs a number of databases of at least 1")

    def frames(mocks: dict) -> list:
        given = mocks["mock_data"]
        if given is None:
            return load_requested(number_of_databases)
        if len(given) < number_of_databases:
            raise AlgorithmError(
                f"the function needs {number_of_databases} database(s); {len(given)} given"
            )
        return list(given[:number_of_databases])

    return frames


@dataclass
class RunMetaData:
    """Who and where the run is (the original's ``RunMetaData``)."""

    task_id: int | None
    node_id: int | None
    collaboration_id: int | None
    organization_id: int | None
    temporary_directory: Path | None
    output_file: Path | None
    input_file: Path | None
    token_file: Path | None


# RunMetaData's files, and the variables naming them
_FILES = {
    "temporary_directory": "TEMPORARY_FOLDER",
    "output_file": "OUTPUT_FILE",
    "input_file": "INPUT_FILE",
    "token_file": "TOKEN_FILE",
}
_IDS = ("task_id", "node_id", "collaboration_id", "organization_id")


def metadata_provider(mocks: dict) -> list:
    """The run's metadata from its token and files; under the mock client, its ids (and no
    files)."""
    mock = mocks["mock_client"]
    if mock is not None:
        ids = {name: getattr(mock, name, None) for name in _IDS}
        return [RunMetaData(**ids, **dict.fromkeys(_FILES))]
    claims = token_claims(read_token())
    files = {field: env.get(variable) for field, variable in _FILES.items()}
    return [
        RunMetaData(
            **{name: claims.get(name) for name in _IDS},
            **{field: Path(value) if value else None for field, value in files.items()},
        )
    ]


algorithm_client = injecting(client_provider, CLIENT_FLAG)
algorithm_client.__doc__ = "Pass an AlgorithmClient (talking to the node proxy) as first argument."

metadata = injecting(metadata_provider)
metadata.__doc__ = "Pass the run's RunMetaData (task, node, organization, its files)."


def data(number_of_databases: int = 1):
    """Pass the first ``number_of_databases`` databases the task requested, as DataFrames in
    the requested order."""
    return injecting(frames_provider(number_of_databases), DATA_FLAG)
