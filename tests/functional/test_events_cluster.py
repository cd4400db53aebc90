"""Two ``pserve`` processes on one PostgreSQL database with the LISTEN/NOTIFY bus: events
cross processes (to ``/api/ws`` and to socket.io sockets alike), and the cluster's background
duties run in one process only."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from sqlalchemy import create_engine, update
from sqlalchemy.pool import NullPool

from tests.functional.test_events_socket_io import Listener
from tests.functional.test_serve import run  # noqa: F401 (fixture)
from tests.functional.ws_server import start_server
from tests.support import POSTGRES_URL
from vantage6.server.models.authenticatable import Authenticatable

pytestmark = pytest.mark.skipif(not POSTGRES_URL, reason="needs VANTAGE6_TEST_DATABASE_URL")

DUTY_HOLDER = "runs the cluster's background duties"


def test_task_created_on_one_process_reaches_a_node_socket_on_another(
    run,  # noqa: F811
    tmp_path,
    database_factory,
):
    url = database_factory.new_url()
    bus = {"vantage6.events.bus": "postgresql", "vantage6.events.heartbeat_timeout_seconds": "3"}
    a = start_server(run, tmp_path, url, **bus)
    b = start_server(run, tmp_path, url, **bus)
    federation = a.federation()

    node = b.socket(b.node_token(federation["key-a2"]))
    assert node.event()["event"] == "sync"
    assert node.events_until("node_online")[-1]["data"]["id"] == federation["node-a2"]
    outsider = b.socket(b.node_token(federation["key-b1"]))
    outsider.events_until("node_online")

    task = a.create_task(federation["A"], [federation["a2"]])
    assert node.events_until("new_task")[-1]["data"] == {"id": task["id"], "parent_id": None}
    assert outsider.silent()

    # A node left "online" by a process that died is swept offline, by one process only.
    engine = create_engine(url, poolclass=NullPool)
    long_ago = dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)
    with engine.begin() as connection:
        connection.execute(
            update(Authenticatable)
            .where(Authenticatable.id == federation["node-root"])
            .values(status="online", last_seen=long_ago)
        )
    engine.dispose()
    deadline = time.monotonic() + 10
    while a.ok("GET", f"/node/{federation['node-root']}")["status"] != "offline":
        assert time.monotonic() < deadline, "the silent node was never swept offline"
        time.sleep(0.2)

    # Both at once: a process still running after the holder stopped would take the duties over.
    for server in (a, b):
        server.process.terminate()
    outputs = [server.process.communicate(timeout=15)[0] for server in (a, b)]
    assert sum(output.count(DUTY_HOLDER) for output in outputs) == 1


def test_a_task_made_on_one_process_reaches_a_socket_io_node_on_another(
    run,  # noqa: F811
    tmp_path,
    database_factory,
):
    """The original 4.x node's socket.io connection, held by one process, hears what another
    process publishes: socket.io is one more door to the same bus."""
    url = database_factory.new_url()
    a = start_server(run, tmp_path, url, **{"vantage6.events.bus": "postgresql"})
    b = start_server(run, tmp_path, url, **{"vantage6.events.bus": "postgresql"})
    federation = a.federation()
    node = Listener(b, b.node_token(federation["key-a2"]))
    outsider = Listener(b, b.node_token(federation["key-b1"]))
    try:
        assert node.next() == ("sync", ()) and outsider.next() == ("sync", ())
        outsider.until("node-online")  # its own arrival
        task = a.create_task(federation["A"], [federation["a2"]])
        assert node.until("new_task") == ({"id": task["id"], "parent_id": None},)
        assert outsider.silent()
    finally:
        node.close()
        outsider.close()
