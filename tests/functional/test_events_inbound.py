"""What clients may send: ``ping`` (a heartbeat, answered with ``pong``). Anything else gets an
``error`` frame and the socket stays open; the original's node events name the REST call that
does their work here, and are not relayed to anyone."""

from __future__ import annotations

import pytest

from tests.functional.test_events_users import LATE, make_user, receive_rule, user_socket
from tests.functional.test_serve import run  # noqa: F401 (fixture)
from tests.functional.test_ws import node_socket
from tests.functional.ws_server import start_server


@pytest.fixture
def server(run, tmp_path, database_factory):  # noqa: F811
    return start_server(run, tmp_path, database_factory.new_url(), **LATE)


def error(client) -> str:
    frame = client.event()
    assert frame["event"] == "error", frame
    return frame["data"]["msg"]


def test_the_originals_node_events_are_answered_with_their_rest_call(server):
    federation = server.federation()
    node = node_socket(server, federation, "a2")
    user = make_user(server, "watcher", federation["a2"], rules=[receive_rule(server, "col")])
    watcher, _ = user_socket(server, user)

    status = {"run_id": 1, "status": "completed", "task_id": 1}
    node.send({"event": "algorithm_status_change", "data": status})
    assert error(node) == (
        "event 'algorithm_status_change' is not accepted: nodes report runs with "
        "PATCH /run/<id>, which publishes it"
    )
    node.send({"event": "node_info_update", "data": {"name": "x"}})
    assert "keeps no node configuration" in error(node)
    node.send({"data": 1})
    assert error(node) == 'a message needs an "event" name, e.g. {"event": "ping"}'
    node.send("[1")
    assert error(node) == "the message is not JSON"
    node.send({"event": "ping"})
    assert node.event() == {"event": "pong", "data": None}
    assert watcher.silent()  # nothing of it was relayed


def test_users_may_ping_too(server):
    client, _ = user_socket(server, {"token": server.root})
    client.send({"event": "ping"})
    assert client.event() == {"event": "pong", "data": None}
    client.send({"event": "message", "data": "hi"})
    assert error(client) == "unknown event 'message'; this server accepts ping"
