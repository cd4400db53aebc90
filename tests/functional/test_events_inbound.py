"""What clients may send: ``ping`` (a heartbeat, answered with ``pong``), and from nodes the
original node's events (``events.inbound``; their effects are tested over socket.io, in
test_events_socket_io). Anything else, or a node's event from a user, gets an ``error`` frame
and the socket stays open, and nothing of it is relayed."""

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


def test_malformed_node_events_are_refused_and_nothing_is_relayed(server):
    federation = server.federation()
    node = node_socket(server, federation, "a2")
    user = make_user(server, "watcher", federation["a2"], rules=[receive_rule(server, "col")])
    watcher, _ = user_socket(server, user)

    node.send({"event": "node_info_update", "data": ["x"]})
    assert error(node) == "node_info_update needs an object of the node's settings"
    for run_id in ("1", True):
        node.send({"event": "algorithm_log", "data": {"run_id": run_id, "log": "x"}})
        assert error(node) == 'algorithm_log needs {"run_id": <id>, "log": "<text>"}'
    node.send({"event": "algorithm_log", "data": {"run_id": 10**6, "log": "x"}})
    assert error(node) == "run 1000000 is not a run of this node"
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
    assert error(client) == (
        "unknown event 'message'; this server accepts ping, node_info_update, algorithm_log, "
        "algorithm_status_change, node_metrics_update"
    )
    client.send({"event": "node_info_update", "data": {"encryption": True}})
    assert error(client) == "only nodes send 'node_info_update'"
