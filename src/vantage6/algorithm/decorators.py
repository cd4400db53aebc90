"""``@data(n)`` and ``@algorithm_client``: hand an algorithm function what the node provides.

Stacked decorators inject their values in the order they are written, top first, so
``@algorithm_client`` above ``@data(1)`` calls ``f(client, df, ...)`` (the original injects in
reverse order for ``@data(n)`` with n > 1; we do not). The reserved keywords ``mock_client=``
and ``mock_data=`` replace what would be loaded, for the mock client and for tests.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass

from vantage6.algorithm.client import AlgorithmClient
from vantage6.algorithm.databases import load_requested
from vantage6.algorithm.errors import AlgorithmError

RESERVED = ("mock_client", "mock_data")
_MARK = "__vantage6_injection__"


@dataclass(frozen=True)
class _Injection:
    function: Callable  # the undecorated function
    providers: tuple[Callable[[dict], list], ...]  # each returns the values it injects


def is_decorated(function) -> bool:
    return hasattr(function, _MARK)


def _injecting(provider: Callable[[dict], list]):
    """A decorator adding ``provider``'s values in front of those of the decorators below it;
    one wrapper serves the whole stack."""

    def decorator(function):
        inner = getattr(function, _MARK, None)
        target = inner.function if inner else function
        providers = (provider, *(inner.providers if inner else ()))

        @functools.wraps(target)
        def wrapper(*args, **kwargs):
            mocks = {name: kwargs.pop(name, None) for name in RESERVED}
            injected = [value for each in providers for value in each(mocks)]
            return target(*injected, *args, **kwargs)

        setattr(wrapper, _MARK, _Injection(target, providers))
        return wrapper

    return decorator


def _client(mocks: dict) -> list:
    if mocks["mock_client"] is not None:
        return [mocks["mock_client"]]
    return [AlgorithmClient.from_environment()]


algorithm_client = _injecting(_client)
algorithm_client.__doc__ = "Pass an AlgorithmClient (talking to the node proxy) as first argument."


def data(number_of_databases: int = 1):
    """Pass the first ``number_of_databases`` databases the task requested, as DataFrames in
    the requested order."""
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

    return _injecting(frames)
