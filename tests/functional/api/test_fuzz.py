"""Schemathesis fuzzes every operation of the served OpenAPI document, as root: no answer is a
5xx, every answer matches its documented schema, and no request that fits the document is
refused as malformed (the document is not looser than validation).

Each operation gets a fresh database with a few records of every kind (ids 1, 2, ... hit real
rows), so that what one operation's examples delete (root, say) does not blind the next.
Examples are bounded and derandomized: the run takes a minute or two on two cores and finds
the same things every time.

It runs on SQLite only: it exercises the document and the request handling, which are the
same on both databases, while its cost would double; what differs per database (e.g. values
too large for a column) has tests of its own that run on both.
"""

from __future__ import annotations

import pkgutil
from importlib import import_module

import pytest
import schemathesis
from cornice.service import get_services
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

import vantage6.server.api.endpoints as endpoints_package
from tests.support import POSTGRES_URL

pytestmark = pytest.mark.skipif(
    bool(POSTGRES_URL), reason="fuzzed on SQLite only (see the module's docstring)"
)

EXAMPLES = settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)


def documented_operations() -> list[str]:
    """ "METHOD /path" of every operation the document lists (each service method)."""
    for module in pkgutil.iter_modules(endpoints_package.__path__):
        import_module(f"{endpoints_package.__name__}.{module.name}")
    return sorted(
        f"{method} {service.path}"
        for service in get_services()
        for method, _view, _args in service.definitions
        if method not in ("HEAD", "OPTIONS")
    )


def fits_the_document_so_passes_validation(ctx, response, case):
    """Schema validation refuses with ``errors`` per field (api/errors.py); a request made
    from the document must never get them."""
    positive = case.meta is not None and case.meta.generation.mode.is_positive
    refused = response.status_code == 400 and "errors" in response.json()
    assert not (positive and refused), f"fits the API document, refused: {response.text}"


CHECKS = [not_a_server_error, response_schema_conformance, fits_the_document_so_passes_validation]


def populate(api) -> None:
    """Organizations, collaborations, nodes, a task with a subtask, a role, a user and a
    study."""
    ids = api.federation()
    task = api.task(ids["A"], [ids["a1"], ids["a2"]], init_org=ids["a1"], init_user=1)
    api.task(ids["A"], [ids["a1"]], init_org=ids["a1"], parent=task)
    api.role("fuzzed", ids["a1"])
    api.account("someone", "someone@example.org", organization_id=ids["a1"])
    api.study("fuzzed", ids["A"], [ids["a1"], ids["a2"]])


# populate() makes records of every kind with ids in this range (ids are numbered per table).
POPULATED_IDS = st.integers(min_value=1, max_value=8)


def cases(operation):
    """Requests that fit the document (also with ids of records that exist) and, where there
    is something to get wrong, requests that do not."""
    strategies = [operation.as_strategy(GenerationMode.POSITIVE)]
    names = [parameter.name for parameter in operation.path_parameters]
    if names:
        ids = st.fixed_dictionaries(dict.fromkeys(names, POPULATED_IDS))
        strategies.append(ids.flatmap(lambda ids: operation.as_strategy(path_parameters=ids)))
    inputs = [operation.path_parameters, operation.query, operation.headers, operation.body]
    if any(inputs):
        strategies.append(operation.as_strategy(GenerationMode.NEGATIVE))
    return st.one_of(strategies)


@pytest.mark.parametrize("operation", documented_operations())
def test_the_api_under_a_fuzzer(make_api, operation):
    api = make_api()
    populate(api)
    root = api.login("root", "root")
    method, path = operation.split(" ")
    served = schemathesis.openapi.from_wsgi("/apidocs/swagger.json", api.wsgi)

    @EXAMPLES
    @given(cases(served[path][method]))
    def fuzz(case):
        case.call_and_validate(app=api.wsgi, headers=root, checks=CHECKS)

    fuzz()
