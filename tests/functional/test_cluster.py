"""A real cluster: ``workers = N`` pre-forked processes of one ``pserve`` on PostgreSQL, and
``pserve`` processes behind a load balancer (Debian's haproxy), with a real node that goes on
through the balancer when the process it was connected to is killed. Refused at start-up:
several workers on SQLite, or with the memory bus."""

from __future__ import annotations

import http.client
import json
import os
import re
import shutil
import signal
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest
import websocket

from tests.functional.node.crashes import CASES, marking, run_through_a_crash
from tests.functional.node.daemons import RestartableServer, eventually, unplain, write_ini
from tests.functional.node.test_node_crashes import Site as MarkingSite
from tests.functional.test_events_socket_io import NAMESPACE, Listener
from tests.functional.test_serve import free_port, ini_copy
from tests.functional.test_startup_failures import refusal
from tests.functional.ws_server import Server
from tests.support import POSTGRES_URL

needs_postgres = pytest.mark.skipif(not POSTGRES_URL, reason="needs VANTAGE6_TEST_DATABASE_URL")

BUS = {"vantage6.events.bus": "postgresql"}
DUTY_HOLDER = "runs the cluster's background duties"
SERVER_POINTS = [point for victim, point in CASES if victim == "server"]
RESYNCED = "vantage6.node.daemon: Resynced:"  # the node's log, after each sync event


# -- start-up refusals --------------------------------------------------------------------


def test_several_workers_on_sqlite_are_refused(tmp_path):
    ini = ini_copy("development.ini", tmp_path, free_port(), workers="2")
    assert refusal(ini).endswith(
        "workers = 2 in the server section needs a PostgreSQL database, not SQLite "
        "(sqlalchemy.url): one process serves an SQLite database; set workers = 1, or run on "
        "PostgreSQL"
    )
    assert not (tmp_path / "var").exists()  # refused before the database was created


def test_several_workers_with_the_memory_bus_are_refused(tmp_path):
    # Refused before the database is opened: none needs to be there.
    url = f"postgresql+psycopg://vantage6@127.0.0.1:{free_port()}/vantage6"
    ini = ini_copy("production.ini", tmp_path, free_port(), workers="3", **{"sqlalchemy.url": url})
    assert refusal(ini).endswith(
        "workers = 3 in the server section needs vantage6.events.bus = postgresql, not memory: "
        "the memory bus carries events only within one process"
    )


@pytest.mark.parametrize("value", ["two", "0"])
def test_a_bad_number_of_workers_is_named_with_its_value(tmp_path, value):
    ini = ini_copy("production.ini", tmp_path, free_port(), workers=value)
    assert refusal(ini).endswith(
        f"workers = {value} in the server section: it must be a whole number above 0"
    )


# -- workers of one pserve ----------------------------------------------------------------


def children(pid: int) -> set[int]:
    """The processes whose parent is ``pid``."""
    found = set()
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue  # ended meanwhile
            if int(stat.rpartition(")")[2].split()[1]) == pid:
                found.add(int(entry))
    return found


def serving_process(client, server_port: int, pids) -> int | None:
    """Which of ``pids`` holds the server's end of the TCP connection of socket ``client``."""
    client_port = client.getsockname()[1]
    inode = None
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            local, remote = (int(end.rpartition(":")[2], 16) for end in fields[1:3])
            if (local, remote) == (server_port, client_port):
                inode = fields[9]
    for pid in pids:
        for fd in os.listdir(f"/proc/{pid}/fd"):
            try:
                if os.readlink(f"/proc/{pid}/fd/{fd}") == f"socket:[{inode}]":
                    return pid
            except OSError:
                continue
    return None  # not accepted yet (a connection in the backlog has no process)


class Through(Server):
    """The API of ``server`` over one kept-alive connection: served by one worker process."""

    def __init__(self, server: Server, connection: http.client.HTTPConnection):
        super().__init__(server.port)
        self.connection = connection
        self._root = server.root

    def call(self, method: str, path: str, body=None, token: str | None = None):
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        data = None if body is None else json.dumps(body)
        self.connection.request(method, "/api" + path, body=data, headers=headers)
        response = self.connection.getresponse()
        return response.status, json.load(response)


def through_worker(server, worker: int, workers) -> Through:
    """The API over a connection that ``worker`` accepted (new connections until one is)."""
    for _ in range(200):
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        connection.request("GET", "/api/health")
        connection.getresponse().read()
        if serving_process(connection.sock, server.port, workers) == worker:
            return Through(server, connection)
        connection.close()
    pytest.fail(f"worker {worker} accepted none of 200 connections")


@pytest.fixture
def two_workers(tmp_path, database_factory):
    """pserve with workers = 2 on PostgreSQL (output in ``server.directory / 'pserve.log'``),
    its ``workers`` (pids), ``server.federation()`` as ``ids`` and the ``token`` of node a2."""
    server = RestartableServer(tmp_path, database_factory.new_url(), workers="2", **BUS)
    server.start()
    server.workers = eventually(
        lambda: len(children(server.process.pid)) == 2 and children(server.process.pid),
        10,
        "two workers",
    )
    server.ids = server.federation()
    server.token = server.node_token(server.ids["key-a2"])
    yield server
    if server.process.poll() is None:
        server.stop()


def task_for_a2(api: Server, ids: dict) -> dict:
    """A task for node a2 (of collaboration A), created through ``api``."""
    return api.create_task(ids["A"], [ids["a2"]])


def output(server) -> str:
    return (server.directory / "pserve.log").read_text()


def socket_on(server, worker: int | None, workers):
    """A websocket of node a2 (its ``sync`` read), and the worker that serves it; one on
    ``worker`` when given (sockets are opened until one is)."""
    for _ in range(200):
        client = server.socket(server.token)
        assert client.event()["event"] == "sync"
        serving = serving_process(client.ws.sock, server.port, workers)
        if worker in (None, serving):
            return client, serving
        client.close()
    pytest.fail(f"worker {worker} accepted none of 200 websockets")


@needs_postgres
def test_workers_serve_in_processes_of_their_own_and_hear_each_others_events(two_workers):
    server = two_workers
    node, one = socket_on(server, None, server.workers)
    (other,) = server.workers - {one}

    task = task_for_a2(through_worker(server, other, server.workers), server.ids)
    assert node.events_until("new_task")[-1]["data"] == {"id": task["id"], "parent_id": None}

    # The other worker's socket hears what the first one was asked to do.
    there, _ = socket_on(server, other, server.workers)
    again = task_for_a2(through_worker(server, one, server.workers), server.ids)
    assert there.events_until("new_task")[-1]["data"] == {"id": again["id"], "parent_id": None}

    # The background runs in the workers, its once-per-cluster duties in one of them.
    eventually(lambda: DUTY_HOLDER in output(server), 10, "a duty holder")
    time.sleep(2)  # three more duty periods: nobody else took the duties
    assert output(server).count(DUTY_HOLDER) == 1
    log = output(server)
    for pid in server.workers:
        assert f"(pid {pid}) serving on http://127.0.0.1:{server.port}" in log
    assert f"Serving on http://127.0.0.1:{server.port} from 2 worker processes" in log


@needs_postgres
def test_a_killed_worker_is_replaced_and_sigterm_stops_them_all_gracefully(two_workers):
    server = two_workers
    doomed, victim = socket_on(server, None, server.workers)

    os.kill(victim, signal.SIGKILL)
    with pytest.raises((websocket.WebSocketConnectionClosedException, ConnectionError)):
        doomed.closed()  # no close frame: the connection just ends

    def replaced():
        found = children(server.process.pid)
        return len(found) == 2 and victim not in found and found

    workers = eventually(replaced, 10, "a worker in place of the killed one")
    restarted = rf"Worker \d \(pid {victim}\) was killed by SIGKILL; starting another"
    assert re.search(restarted, output(server))
    (survivor,) = server.workers & workers
    (newcomer,) = workers - {survivor}
    sockets = [socket_on(server, worker, workers)[0] for worker in (survivor, newcomer)]
    task = task_for_a2(server, server.ids)
    for client in sockets:
        assert client.events_until("new_task")[-1]["data"]["id"] == task["id"]

    server.process.send_signal(signal.SIGTERM)
    for client in sockets:
        assert client.closed() == (1001, "server shutting down")
    assert server.process.wait(timeout=20) == 0
    assert not any(Path(f"/proc/{pid}").exists() for pid in workers)
    assert "All workers stopped" in output(server)


def polling(connection, method: str, sid: str = "", body: str | None = None, token=None):
    """One Engine.IO long-polling request on ``connection``: its status and its packets."""
    query = f"EIO=4&transport=polling{sid and '&sid=' + sid}"
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    connection.request(method, f"/socket.io/?{query}", body=body, headers=headers)
    response = connection.getresponse()
    return response.status, response.read().decode().split("\x1e")


@needs_postgres
def test_a_socket_io_session_is_served_by_its_worker_whichever_worker_a_request_reaches(
    two_workers,
):
    """The original node long-polls on whatever connection it has, and the kernel hands each
    new one to either worker: a request reaching the other worker is passed on to the worker
    holding its session."""
    server = two_workers
    one, other = sorted(server.workers)
    opened = through_worker(server, one, server.workers).connection
    status, (handshake,) = polling(opened, "GET", token=server.token)
    assert status == 200 and handshake.startswith("0")
    sid = json.loads(handshake[1:])["sid"]

    elsewhere = through_worker(server, other, server.workers).connection
    assert polling(elsewhere, "POST", sid, body=f"40{NAMESPACE},") == (200, ["OK"])
    heard = []
    while not any(packet.startswith(f'42{NAMESPACE},["sync"') for packet in heard):
        status, packets = polling(elsewhere, "GET", sid)
        assert status == 200
        heard += packets
    task = task_for_a2(server, server.ids)
    while not any('"new_task"' in packet for packet in heard):
        heard += polling(elsewhere, "GET", sid)[1]
    assert f'42{NAMESPACE},["new_task",{{"id":{task["id"]},"parent_id":null}}]' in heard

    # python-socketio clients, whose requests go where the kernel sends them; a websocket
    # upgrade that reaches the other worker fails, and that client goes on polling.
    clients = [Listener(server, server.token, transports=t) for t in (["polling"] * 2 + [None] * 4)]
    try:
        again = task_for_a2(server, server.ids)
        for client in clients:
            assert client.until("new_task") == ({"id": again["id"], "parent_id": None},)
    finally:
        for client in clients:
            client.close()


# -- pserve processes behind haproxy ------------------------------------------------------


def haproxy() -> str:
    """haproxy's path (Debian puts it in /usr/sbin); skipped without it, except in CI."""
    path = os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin", "/usr/local/sbin"])
    found = shutil.which("haproxy", path=path)
    if found:
        return found
    if os.environ.get("CI") == "true":
        pytest.fail("haproxy is needed in CI: scripts/bootstrap-system installs it")
    pytest.skip("haproxy is not installed (scripts/bootstrap-system installs it)")


HAPROXY_CONFIG = """\
global
    log stdout format raw local0

defaults
    mode http
    log global
    log-format "%b/%s %ST %{{+Q}}r"
    timeout connect 1s
    timeout client 60s
    timeout server 60s
    # An upgraded websocket is a tunnel: open as long as the node stays connected.
    timeout tunnel 1h
    retries 3
    option redispatch

frontend api
    bind 127.0.0.1:{port}
    default_backend servers

backend servers
    # Every new connection to the first server that is up: a, until it is down.
    balance first
    option httpchk GET /api/health
    default-server check inter 200ms fall 1 rise 1
{servers}

listen stats
    bind 127.0.0.1:{stats_port}
    stats enable
    stats uri /stats
"""


class Balancer:
    """haproxy in the foreground, in HTTP mode, in front of servers; its log says which
    server each request went to."""

    def __init__(self, directory: Path, servers: dict[str, int]):
        self.port = free_port()
        self.stats_port = free_port()
        lines = [f"    server {name} 127.0.0.1:{port}" for name, port in servers.items()]
        config = directory / "haproxy.cfg"
        config.write_text(
            HAPROXY_CONFIG.format(
                port=self.port, stats_port=self.stats_port, servers="\n".join(lines)
            )
        )
        self.log = directory / "haproxy.log"
        with open(self.log, "w") as log:
            self.process = subprocess.Popen(
                [haproxy(), "-f", str(config), "-db"], stdout=log, stderr=subprocess.STDOUT
            )

    def status(self) -> dict[str, str]:
        """Each server's state (UP, DOWN, ...) as the health checks found it."""
        url = f"http://127.0.0.1:{self.stats_port}/stats;csv"
        with urllib.request.urlopen(url, timeout=5) as response:
            header, *rows = response.read().decode().splitlines()
        columns = header.lstrip("# ").split(",")
        records = [dict(zip(columns, row.split(","), strict=False)) for row in rows]
        return {
            record["svname"]: record["status"]
            for record in records
            if record["pxname"] == "servers" and record["svname"] not in ("FRONTEND", "BACKEND")
        }

    def up(self, name: str) -> None:
        def checked():
            if self.process.poll() is not None:
                pytest.fail(f"haproxy exited:\n{self.log.read_text()}")
            try:
                return self.status().get(name) == "UP"
            except OSError:
                return False

        eventually(checked, 20, f"haproxy finding {name} up")

    def routes(self, path: str) -> list[tuple[str, str]]:
        """(server, HTTP status) of each request for ``path`` that ended, in that order."""
        found = []
        for line in self.log.read_text().splitlines():
            route, _, rest = line.partition(" ")
            status, _, request = rest.partition(" ")
            if request.strip('"').split(" ")[1:2] == [path]:
                found.append((route.partition("/")[2], status))
        return found

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


class Cluster:
    """Two pserve processes, ``a`` and ``b``, on one PostgreSQL database with the PostgreSQL
    bus, behind a balancer that sends everything to ``a`` while it is up."""

    def __init__(self, directory: Path, database_url: str):
        self.a = RestartableServer(directory / "a", database_url, **BUS)
        self.b = RestartableServer(directory / "b", database_url, **BUS)
        self.a.start()  # the first start migrates the database: not both at once
        self.b.start()
        self.balancer = Balancer(directory, {"a": self.a.port, "b": self.b.port})

    def ready(self) -> None:
        """Both processes running, and the balancer sending to ``a``."""
        for server in (self.a, self.b):
            if server.process.poll() is not None:
                server.start()
        for name in ("a", "b"):
            self.balancer.up(name)

    def stop(self) -> None:
        self.balancer.stop()
        for server in (self.a, self.b):
            server.stop()


@pytest.fixture(scope="module")
def cluster(tmp_path_factory, database_factory):
    if not POSTGRES_URL:
        pytest.skip("needs VANTAGE6_TEST_DATABASE_URL")
    haproxy()  # skipped (or failed, in CI) before anything starts
    cluster = Cluster(tmp_path_factory.mktemp("cluster"), database_factory.new_url())
    try:
        yield cluster
    finally:
        cluster.stop()


class BalancedSite(MarkingSite):
    """The crash tests' marking node, connected through the balancer (so to ``a``); its tasks
    are created, and its runs watched, through ``b`` directly. The server it loses is ``a``,
    for good: the node has to go on through the balancer to ``b``."""

    def __init__(self, cluster: Cluster, folder: Path):
        super().__init__(cluster.b, folder)
        self.cluster = cluster
        self.ini = write_ini(folder, cluster.balancer, self.ids["keys"][0])
        self.nodes = []

    def start_node(self, **environment):
        self.nodes.append(super().start_node(**environment))
        return self.nodes[-1]

    def crash_server(self, flag: Path) -> None:
        node = self.nodes[-1]
        synced = node.output.count(RESYNCED)
        self.cluster.a.crash()
        flag.unlink()
        # Whatever the node still had to do, its socket connects again, and it resyncs.
        eventually(lambda: node.output.count(RESYNCED) > synced, 30, "the node resynced")


@pytest.mark.parametrize("point", SERVER_POINTS)
def test_a_node_goes_on_through_the_balancer_when_its_server_process_is_killed(
    cluster, tmp_path, point
):
    cluster.ready()
    start = len(cluster.balancer.routes("/api/ws"))
    site = BalancedSite(cluster, tmp_path / "node")

    run = run_through_a_crash(site, "server", point)

    assert len(site.executions()) == 1
    result = unplain(cluster.b.ok("GET", f"/result/{run['id']}")["result"])
    assert result == {"slept": marking(point)["kwargs"]["seconds"]}
    # It heard of the task, created through b, on its socket to a (the balancer logs a
    # request when it ended); that ended with a, and it connected again through the
    # balancer, to b.
    sockets = [route for route in cluster.balancer.routes("/api/ws")[start:] if route[1] == "101"]
    assert sockets == [("a", "101"), ("b", "101")]
