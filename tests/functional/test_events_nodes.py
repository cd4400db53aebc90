"""Node sockets follow the node's account at once: deleting the node or resetting its API key
closes its open socket (also when another server process holds it), and moving the node to
another collaboration moves its socket there."""

from __future__ import annotations

import threading

import pytest

from tests.functional.test_events_users import LATE, PROMPT
from tests.functional.test_serve import run  # noqa: F401 (fixture)
from tests.functional.test_ws import node_socket
from tests.functional.ws_server import start_server
from tests.support import POSTGRES_URL
from vantage6.node.events import EventStream
from vantage6.node.server import Rejected, ServerClient
from vantage6.server.security.tokens import CREDENTIALS_CHANGED

GONE = (4002, "the node of this token no longer exists")


@pytest.fixture
def server(run, tmp_path, database_factory):  # noqa: F811
    return start_server(run, tmp_path, database_factory.new_url(), **LATE)


@pytest.fixture
def federation(server):
    return server.federation()


def test_deleting_a_node_closes_its_socket_at_once_and_no_other(server, federation):
    doomed = node_socket(server, federation, "a2")
    peer = node_socket(server, federation, "root")
    server.ok("DELETE", f"/node/{federation['node-a2']}")
    assert doomed.closed(timeout=PROMPT) == GONE

    task = server.create_task(federation["A"], [federation["root"]])
    assert peer.events_until("new_task")[-1]["data"]["id"] == task["id"]


def test_the_node_service_stops_when_its_account_is_deleted(server, federation):
    """The close code tells the node to log in again, which its deleted key cannot."""
    account = ServerClient(server.api)
    account.authenticate(federation["key-a2"], patience=5)
    fatal, stopped = [], threading.Event()

    def on_fatal(exc):
        fatal.append(type(exc))  # not exc: it would keep the refused login's connection open
        stopped.set()

    stream = EventStream(account, on_event=lambda name, data: None, on_fatal=on_fatal)
    stream.start()
    try:
        assert stream.connected.wait(5)
        server.ok("DELETE", f"/node/{federation['node-a2']}")
        assert stopped.wait(PROMPT) and fatal == [Rejected]
    finally:
        stream.close()
        account.session.close()  # a kept-alive connection would hold up the server's exit


def test_removing_a_node_from_its_collaboration_closes_its_socket(server, federation):
    doomed = node_socket(server, federation, "b1")
    body = {"id": federation["node-b1"]}
    server.ok("DELETE", f"/collaboration/{federation['B']}/node", body)
    assert doomed.closed(timeout=PROMPT) == GONE


def test_a_new_api_key_closes_the_socket_of_the_old_one(server, federation):
    old = node_socket(server, federation, "a2")
    new_key = server.ok("POST", "/recover/node", {"id": federation["node-a2"]})["api_key"]
    assert old.closed(timeout=PROMPT) == (4002, CREDENTIALS_CHANGED)
    assert node_socket(server, {**federation, "key-a2": new_key}, "a2").silent()


def test_a_node_moved_to_another_collaboration_moves_its_socket(server, federation):
    b, root = federation["B"], federation["root"]
    client = node_socket(server, federation, "root")
    server.ok("POST", f"/collaboration/{b}/organization", {"id": root})
    assert client.silent()  # its organization's memberships are no business of the node's
    server.ok("POST", f"/collaboration/{b}/node", {"id": federation["node-root"]})
    sync = client.event(timeout=PROMPT)
    assert sync["event"] == "sync"
    assert sync["data"]["rooms"] == [f"collab:{b}", f"collab:{b}:org:{root}"]

    task = server.create_task(b, [root])
    assert client.event() == {"event": "new_task", "data": {"id": task["id"], "parent_id": None}}
    server.create_task(federation["A"], [federation["a2"]])
    assert client.silent()


@pytest.mark.skipif(not POSTGRES_URL, reason="needs VANTAGE6_TEST_DATABASE_URL")
def test_a_node_deleted_through_one_process_loses_its_socket_on_another(
    run,  # noqa: F811
    tmp_path,
    database_factory,
):
    url = database_factory.new_url()
    settings = {**LATE, "vantage6.events.bus": "postgresql"}
    a = start_server(run, tmp_path, url, **settings)
    b = start_server(run, tmp_path, url, **settings)
    federation = a.federation()
    on_b = node_socket(b, federation, "a2")
    reset = node_socket(b, federation, "root")

    a.ok("DELETE", f"/node/{federation['node-a2']}")
    assert on_b.closed(timeout=PROMPT) == GONE
    a.ok("POST", "/recover/node", {"id": federation["node-root"]})
    assert reset.closed(timeout=PROMPT) == (4002, CREDENTIALS_CHANGED)
