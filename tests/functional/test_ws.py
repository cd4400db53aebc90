"""The event socket on a real ``pserve`` process: serving, authentication, rooms, delivery
after commit, bad input, presence, expiry, reconnect and graceful shutdown."""

from __future__ import annotations

import signal

import pytest

from tests.functional.test_serve import run  # noqa: F401 (fixture)
from tests.functional.ws_server import start_server


@pytest.fixture
def server(run, tmp_path, database_factory):  # noqa: F811
    return start_server(run, tmp_path, database_factory.new_url())


@pytest.fixture
def federation(server):
    return server.federation()


def node_socket(server, federation, name: str):
    client = server.socket(server.node_token(federation[f"key-{name}"]))
    assert client.event()["event"] == "sync"
    own = client.event()  # a node hears its own arrival, as its peers do
    assert own["event"] == "node_online" and own["data"]["id"] == federation[f"node-{name}"]
    return client


def test_plain_http_get_is_told_to_upgrade(server):
    status, body = server.call("GET", "/ws")
    assert status == 426 and "websocket" in body["msg"]


def test_node_hears_sync_with_its_rooms_and_goes_online(server, federation):
    token = server.node_token(federation["key-a2"])
    client = server.socket(token)
    sync = client.event()
    a, a2 = federation["A"], federation["a2"]
    assert sync == {
        "event": "sync",
        "data": {
            "kind": "node",
            "id": federation["node-a2"],
            "rooms": [f"collab:{a}", f"collab:{a}:org:{a2}"],
        },
    }
    node = server.ok("GET", f"/node/{federation['node-a2']}")
    assert node["status"] == "online" and node["last_seen"]
    client.close()
    for _ in range(50):
        if server.ok("GET", f"/node/{federation['node-a2']}")["status"] == "offline":
            break
        __import__("time").sleep(0.1)
    else:
        pytest.fail("the node stayed online after its socket closed")


def test_events_reach_their_collaboration_and_no_other(server, federation):
    root_node = node_socket(server, federation, "root")
    a2_node = node_socket(server, federation, "a2")
    outsider = node_socket(server, federation, "b1")
    task = server.create_task(federation["A"], [federation["root"], federation["a2"]])

    for client in (root_node, a2_node):
        assert client.events_until("new_task")[-1]["data"] == {"id": task["id"], "parent_id": None}
    assert outsider.silent()

    a2_token = server.node_token(federation["key-a2"])
    run_id = server.ok("GET", f"/run?task_id={task['id']}&organization_id={federation['a2']}")[
        "data"
    ][0]["id"]
    server.ok("PATCH", f"/run/{run_id}", {"status": "active"}, token=a2_token)
    change = root_node.events_until("algorithm_status_change")
    assert {"event": "status_update", "data": {"run_id": run_id}} in change
    assert change[-1]["data"]["status"] == "active"
    assert change[-1]["data"]["node_id"] == federation["node-a2"]

    server.ok("POST", "/kill/task", {"id": task["id"]})
    kill = a2_node.events_until("kill_containers")[-1]["data"]
    assert kill["collaboration_id"] == federation["A"]
    assert {entry["run_id"] for entry in kill["kill_list"]} >= {run_id}
    assert outsider.silent()


def test_a_refused_request_publishes_nothing(server, federation):
    node = node_socket(server, federation, "a2")
    status, _ = server.call(
        "POST",
        "/task",
        {
            "image": "x",
            "collaboration_id": federation["A"],
            "organizations": [{"id": federation["a2"], "input": "not base64!"}],
        },
        server.root,
    )
    assert status == 400
    assert node.silent()


def test_first_message_token_works_and_bad_first_messages_are_refused(server, federation):
    client = server.socket()
    client.send({"token": server.node_token(federation["key-a2"])})
    assert client.event()["event"] == "sync"

    garbage = server.socket()
    garbage.send("not json")
    assert garbage.closed()[0] == 4003

    quiet = server.socket()
    code, reason = quiet.closed()
    assert code == 4003 and "token" in reason


def test_bad_and_expired_tokens_are_refused_with_codes(server):
    code, reason = server.socket("not-a-token").closed()
    assert code == 4002 and reason.startswith("invalid token")
    import jwt

    expired = jwt.encode({"sub": "1", "client_type": "user", "type": "access", "exp": 1}, "k" * 40)
    client = server.socket(expired)
    assert client.event()["event"] == "expired_token"
    assert client.closed()[0] == 4001


def test_bad_input_gets_error_frames_or_close_codes(server, federation):
    client = node_socket(server, federation, "a2")
    client.send("{not json")
    assert client.event() == {"event": "error", "data": {"msg": "the message is not JSON"}}
    client.send("[" * 30_000 + "]" * 30_000)  # deep enough for a RecursionError in json
    assert client.event() == {
        "event": "error",
        "data": {
            "msg": "the message is nested deeper than the limit of 64 levels of objects and arrays"
        },
    }
    client.send([1, 2])
    assert "JSON object" in client.event()["data"]["msg"]
    client.send({"event": "explode"})
    assert "unknown event 'explode'" in client.event()["data"]["msg"]
    client.send({"event": "ping"})
    assert client.event() == {"event": "pong", "data": None}
    client.ws.send_binary(b"\x00\x01")
    assert client.closed()[0] == 1003

    huge = node_socket(server, federation, "a2")
    huge.send("x" * 70_000)
    code, reason = huge.closed()
    assert code == 1009 and "65536" in reason


def test_sigterm_closes_sockets_with_going_away_and_exits(server, federation):
    client = node_socket(server, federation, "a2")
    server.process.send_signal(signal.SIGTERM)
    assert client.closed() == (1001, "server shutting down")
    assert server.process.wait(timeout=15) == 0


def test_reconnect_gets_sync_and_finds_what_it_missed(server, federation):
    token = server.node_token(federation["key-a2"])
    node_socket(server, federation, "a2").close()
    task = server.create_task(federation["A"], [federation["a2"]])
    again = server.socket(token)
    assert again.event()["event"] == "sync"
    runs = server.ok("GET", f"/run?state=open&node_id={federation['node-a2']}", token=token)
    assert [item["task"]["id"] for item in runs["data"]] == [task["id"]]


@pytest.fixture
def short_lived(run, tmp_path, database_factory):  # noqa: F811
    settings = {
        "vantage6.jwt.access_expires_seconds": "3",
        "vantage6.jwt.refresh_expires_seconds": "60",
    }
    return start_server(run, tmp_path, database_factory.new_url(), **settings)


def test_long_lived_socket_is_closed_when_its_token_expires(short_lived):
    federation = short_lived.federation()
    client = short_lived.socket(short_lived.node_token(federation["key-a2"]))
    assert client.event()["event"] == "sync"
    assert client.events_until("expired_token", timeout=6)[-1]["event"] == "expired_token"
    code, reason = client.closed()
    assert (code, reason) == (4001, "token has expired")
