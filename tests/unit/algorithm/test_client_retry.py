"""``AlgorithmClient`` when the node proxy fails: a real HTTP server that fails the first
requests (5xx answers, dropped connections, not listening yet) and then answers. Reads are
tried again within bounds; a subtask is created again only when it certainly was not."""

from __future__ import annotations

import threading
import time

import pytest

from tests.functional.test_serve import free_port
from tests.unit.algorithm.conftest import DROP, StubProxy
from tests.unit.algorithm.test_client import TOKEN
from vantage6.algorithm.client import (
    AlgorithmClient,
    AlgorithmClientError,
    ProxyUnavailable,
    Retry,
)

FAST = Retry(attempts=4, patience=10.0, first_delay=0.01, max_delay=0.05)
DONE = {"id": 6}
DOWN = (502, {"msg": "The server cannot be reached (ConnectionError)"})


def failing(*steps, then=DONE):
    """A route answering its n-th request with ``steps[n]``, and ``then`` after them."""
    remaining = list(steps)
    return lambda _: remaining.pop(0) if remaining else then


def client_of(proxy: StubProxy, retry: Retry = FAST) -> AlgorithmClient:
    return AlgorithmClient(TOKEN, proxy.url, retry=retry)


def calls(proxy: StubProxy) -> list[tuple[str, str]]:
    return [(request["method"], request["path"]) for request in proxy.requests]


def create_subtask(client: AlgorithmClient):
    return client.task.create({"method": "partial"}, organizations=[2])


@pytest.mark.parametrize("status", [502, 503, 504])
def test_a_read_is_tried_again_after_a_transient_answer(proxy, status):
    proxy.route("GET", "/task/6", failing((status, {"msg": "not now"}), (status, {"msg": "x"})))
    assert client_of(proxy).task.get(6) == DONE
    assert calls(proxy) == [("GET", "/task/6")] * 3


def test_a_read_is_tried_again_after_the_connection_dropped(proxy):
    proxy.route("GET", "/task/6", failing(DROP))
    assert client_of(proxy).task.get(6) == DONE
    assert len(proxy.requests) == 2


def test_giving_up_after_the_attempts_names_the_last_failure(proxy):
    proxy.route("GET", "/collaboration/9", DOWN)
    with pytest.raises(ProxyUnavailable) as raised:
        client_of(proxy).collaboration.get()
    assert len(proxy.requests) == FAST.attempts
    assert "502 The server cannot be reached (ConnectionError)" in str(raised.value)
    assert "gave up after 4 attempt(s)" in str(raised.value)


def test_giving_up_when_out_of_patience_before_the_attempts_run_out(proxy):
    proxy.route("GET", "/collaboration/9", (503, {"msg": "busy"}))
    patient = Retry(attempts=100, patience=0.3, first_delay=0.05, max_delay=0.1)
    started = time.monotonic()
    with pytest.raises(ProxyUnavailable, match="503 busy; gave up after"):
        client_of(proxy, patient).collaboration.get()
    assert time.monotonic() - started < 1.0
    assert 2 <= len(proxy.requests) < 10


def test_a_refusal_is_not_tried_again(proxy):
    proxy.route("GET", "/task/6", (403, {"msg": "not your task"}))
    with pytest.raises(AlgorithmClientError, match="403 not your task") as raised:
        client_of(proxy).task.get(6)
    assert not isinstance(raised.value, ProxyUnavailable)
    assert len(proxy.requests) == 1


def test_an_answer_that_is_not_json_is_a_clear_error(proxy):
    proxy.route("GET", "/task/6", (200, b"<html>a captive portal</html>"))
    with pytest.raises(AlgorithmClientError, match="the answer is not JSON: b'<html>a captive"):
        client_of(proxy).task.get(6)
    assert len(proxy.requests) == 1


def test_a_subtask_is_created_again_when_the_proxy_says_it_was_not(proxy):
    not_created = (502, {"msg": "The task was not created: the public key cannot be read"})
    proxy.route("POST", "/task", failing(not_created))
    assert create_subtask(client_of(proxy)) == DONE
    assert calls(proxy) == [("POST", "/task")] * 2


@pytest.mark.parametrize("failure", [DOWN, (504, {"msg": "no answer in time"}), DROP])
def test_a_subtask_that_may_exist_is_not_created_twice(proxy, failure):
    proxy.route("POST", "/task", failing(failure))
    with pytest.raises(ProxyUnavailable, match="not tried again, as the server may have applied"):
        create_subtask(client_of(proxy))
    assert calls(proxy) == [("POST", "/task")]


def test_a_subtask_is_sent_again_while_the_proxy_refuses_connections():
    """Refused: nothing was sent, so sending again cannot create the task twice (the node
    restarts, its proxy comes back on the same port)."""
    port, started = free_port(), []

    def come_back():
        started.append(StubProxy(port).serve())
        started[0].route("POST", "/task", DONE)

    timer = threading.Timer(0.3, come_back)
    timer.start()
    patient = Retry(attempts=50, patience=10.0, first_delay=0.05, max_delay=0.1)
    try:
        client = AlgorithmClient(TOKEN, "http://127.0.0.1", port, retry=patient)
        assert create_subtask(client) == DONE
        assert calls(started[0]) == [("POST", "/task")]
    finally:
        timer.join()
        started[0].close()


def test_a_proxy_that_never_comes_back_ends_in_a_clear_error():
    client = AlgorithmClient(TOKEN, "http://127.0.0.1", free_port(), retry=FAST)
    with pytest.raises(ProxyUnavailable, match="cannot be reached .*gave up after 4 attempt"):
        create_subtask(client)


def test_waiting_for_results_rides_out_a_proxy_hiccup(proxy):
    proxy.route("GET", "/task/6/status", failing(DOWN, then={"status": "completed"}))
    page = {"data": [{"id": 1, "result": None}], "links": {}}
    proxy.route("GET", "/result", failing((503, {"msg": "x"}), then=page))
    assert client_of(proxy).wait_for_results(6) == [None]
    assert [path for _, path in calls(proxy)] == ["/task/6/status"] * 2 + ["/result"] * 2
