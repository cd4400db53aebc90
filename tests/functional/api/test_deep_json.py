"""Bodies nested too deep for Python's parser (or colander) are a 400 that says why, on every
endpoint, public or not, and nothing is logged as an error."""

import logging

import pytest

from tests.functional.api.test_task import body, task_count
from vantage6.server.bounded_json import MAX_DEPTH

TOO_DEEP = (
    "Request is incorrect (body: Invalid JSON: nested deeper than the limit of 64 levels of "
    "objects and arrays)"
)


def nested(levels: int, inner=None) -> dict:
    value = inner
    for _ in range(levels):
        value = {"a": value}
    return value


def assert_no_error_logged(caplog) -> None:
    assert not [record for record in caplog.records if record.levelno >= logging.ERROR]
    assert "Traceback" not in caplog.text


@pytest.mark.parametrize("path", ["/api/token/user", "/api/token/node", "/api/recover/lost"])
def test_a_body_too_deep_for_the_parser_is_a_400_without_a_traceback(api, caplog, path):
    deep = "[" * 50_000 + "]" * 50_000
    with caplog.at_level(logging.DEBUG):
        response = api.app.post(path, deep, content_type="application/json", status=400)
    assert response.json["msg"] == TOO_DEEP
    assert_no_error_logged(caplog)


@pytest.fixture
def world(api):
    return api.federation()


@pytest.fixture
def researcher(api, world):
    return api.user("researcher", world["a1"], roles=["Researcher"])


@pytest.mark.parametrize("levels", [MAX_DEPTH, 600])
def test_task_arguments_nested_too_deep_are_a_400(api, world, researcher, caplog, levels):
    # The task body itself takes 4 levels: {databases: [{arguments: ...}]}.
    databases = [{"label": "default", "arguments": nested(levels)}]
    sent = body(world["A"], [world["a1"]], databases=databases)
    with caplog.at_level(logging.DEBUG):
        response = api.app.post_json("/api/task", sent, headers=researcher, status=400)
    assert response.json["msg"] == TOO_DEEP
    assert task_count(api) == 0
    assert_no_error_logged(caplog)


def test_task_arguments_as_deep_as_the_limit_allows_are_taken(api, world, researcher):
    databases = [{"label": "default", "arguments": nested(MAX_DEPTH - 4)}]
    sent = body(world["A"], [world["a1"]], databases=databases)
    api.app.post_json("/api/task", sent, headers=researcher, status=201)


def test_malformed_json_is_one_problem_not_also_every_missing_field(api):
    response = api.app.post("/api/token/user", "{bad", content_type="application/json", status=400)
    assert response.json["errors"] == {
        "body": [
            "Invalid JSON: Expecting property name enclosed "
            "in double quotes: line 1 column 2 (char 1)"
        ]
    }
