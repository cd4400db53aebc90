"""API benchmark: concurrent clients over real HTTP against ``pserve`` on a SQLite database.

    .venv/bin/python bench/api_bench.py [--clients 8] [--seconds 10] [--nodes 1000]
                                        [--tasks 10000] [--only NAME ...]

Starts the server from a generated copy of development.ini (logging quiet, production-strength
argon2 settings), seeds it through the models, then runs each scenario for a fixed time with
``--clients`` threads, each on its own keep-alive connection, and prints requests per second
and the 50th/99th percentile latency. The clients run in this process, the server in another;
both share the machine's cores, as they would on a small single-host deployment.
"""

from __future__ import annotations

import argparse
import base64
import http.client
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine, insert
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

from vantage6.server.models import Collaboration, Node, Organization, Run, Task
from vantage6.server.models.task import Job

REPO = Path(__file__).resolve().parent.parent
PASSWORD = "Bench-password-1"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def write_ini(directory: Path, port: int, database_url: str, workers: int = 1, **settings) -> Path:
    """development.ini with the database, address, number of worker processes, log level and
    further ``[app:main]`` settings this run needs."""
    text = (REPO / "development.ini").read_text()
    text = text.replace("sqlite:///%(here)s/var/vantage6.sqlite", database_url)
    text = text.replace("listen = localhost:7601", f"listen = 127.0.0.1:{port}")
    text = text.replace("workers = 1", f"workers = {workers}")
    lines = "".join(f"{key} = {value}\n" for key, value in settings.items())
    text = text.replace("[app:main]\n", f"[app:main]\n{lines}")
    text = text.replace("pyramid.debug_authorization = true", "pyramid.debug_authorization = false")
    text = text.replace("pyramid.debug_notfound = true", "pyramid.debug_notfound = false")
    text = text.replace("level = DEBUG", "level = WARN").replace("level = INFO", "level = WARN")
    ini = directory / "bench.ini"
    ini.write_text(text)
    return ini


@contextmanager
def fresh_database(server_url: str):
    """The URL of a new, empty database on the PostgreSQL server ``server_url`` names; the
    database is dropped afterwards (with whatever connections are still open to it)."""
    name = f"bench_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE "{name}" WITH (FORCE)')
        admin.dispose()


class Server:
    """pserve on a copy of development.ini; by default on an SQLite database in ``directory``,
    else on ``database_url`` (with ``workers`` processes and ``settings`` for the app)."""

    def __init__(
        self,
        directory: Path,
        poll_seconds: float = 0.2,
        database_url: str | None = None,
        workers: int = 1,
        **settings,
    ):
        self.directory = directory
        self.poll_seconds = poll_seconds
        self.database_url = database_url or f"sqlite:///{directory}/db"
        self.port = free_port()
        ini = write_ini(directory, self.port, self.database_url, workers, **settings)
        pserve = Path(sys.executable).with_name("pserve")
        self.log = directory / "pserve.log"  # a file: an unread pipe would fill and stall it
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                [str(pserve), str(ini)], stdout=log, stderr=subprocess.STDOUT
            )
        self.wait_until_up()

    def wait_until_up(self) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"pserve exited: {self.log.read_text()}")
            try:
                status, _ = request(self.connect(), "GET", "/api/health")
                if status == 200:
                    return
            except OSError:
                time.sleep(self.poll_seconds)
        raise SystemExit("pserve did not come up within 60 s")

    def connect(self) -> http.client.HTTPConnection:
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)

    def processes(self) -> list[int]:
        """The pids that serve: the workers pserve forked, else pserve's own."""
        pid = self.process.pid
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        return [int(child) for child in children] or [pid]

    def connections(self) -> dict[int, int]:
        """How many open client connections (websockets included) each serving process
        holds: its sockets that are the server's end of an established connection."""
        ends = set()
        for table in ("/proc/net/tcp", "/proc/net/tcp6"):
            for line in Path(table).read_text().splitlines()[1:]:
                fields = line.split()  # local address, remote address, state, ..., inode
                if fields[3] == "01" and int(fields[1].rpartition(":")[2], 16) == self.port:
                    ends.add(f"socket:[{fields[9]}]")
        return {pid: sum(link in ends for link in fd_links(pid)) for pid in self.processes()}

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


def fd_links(pid: int) -> list[str]:
    """What the open file descriptors of process ``pid`` point to (``socket:[inode]``, ...)."""
    links = []
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            links.append(str(fd.readlink()))
        except OSError:
            continue  # closed meanwhile
    return links


@contextmanager
def running_server(database_url: str | None = None, workers: int = 1):
    """A started :class:`Server` in a temporary folder, stopped afterwards: on SQLite there,
    or with ``database_url`` (a PostgreSQL server's) on a fresh database of that server, with
    the PostgreSQL bus; from ``workers`` processes."""
    with tempfile.TemporaryDirectory() as directory, ExitStack() as stack:
        settings = {}
        if database_url is not None:
            settings = {"database_url": stack.enter_context(fresh_database(database_url))}
            settings["vantage6.events.bus"] = "postgresql"
        server = Server(Path(directory), workers=workers, **settings)
        try:
            yield server
        finally:
            server.stop()


def request(connection, method: str, path: str, body=None, token: str | None = None):
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    payload = None if body is None else json.dumps(body)
    connection.request(method, path, body=payload, headers=headers)
    response = connection.getresponse()
    data = response.read()
    return response.status, data


@dataclass
class World:
    root_token: str
    collaboration_id: int
    task_organizations: list[int]
    node_keys: list[str]


def seed(server: Server, nodes: int, tasks: int) -> World:
    """Organizations each with a node in one collaboration, and ``tasks`` finished tasks."""
    engine = create_engine(server.database_url)
    keys = [str(uuid.uuid4()) for _ in range(nodes)]
    started = time.monotonic()
    with Session(engine) as session, session.begin():
        collaboration = Collaboration(name="bench", encrypted=False)
        collaboration.organizations.append(session.get(Organization, 1))  # root's, to post tasks
        session.add(collaboration)
        for number, key in enumerate(keys):
            organization = Organization(name=f"bench org {number}")
            organization.collaborations.append(collaboration)
            session.add(
                Node(
                    name=f"bench node {number}",
                    organization=organization,
                    collaboration=collaboration,
                    api_key=key,
                )
            )
        session.flush()
        organization_ids = [node.organization_id for node in collaboration.nodes[:2]]
        job_ids = session.scalars(insert(Job).returning(Job.id), [{} for _ in range(tasks)]).all()
        task_ids = session.scalars(
            insert(Task).returning(Task.id),
            [
                {
                    "name": f"task {job}",
                    "image": "bench/average",
                    "job_id": job,
                    "collaboration_id": collaboration.id,
                    "init_org_id": organization_ids[0],
                }
                for job in job_ids
            ],
        ).all()
        session.execute(
            insert(Run),
            [
                {"task_id": task_id, "organization_id": organization_id, "status": "completed"}
                for task_id in task_ids
                for organization_id in organization_ids
            ],
        )
        collaboration_id = collaboration.id
    engine.dispose()
    seconds = time.monotonic() - started
    print(f"seeded {nodes} nodes and {tasks} tasks in {seconds:.0f} s", file=sys.stderr)
    status, body = request(
        server.connect(), "POST", "/api/token/user", {"username": "root", "password": "root"}
    )
    assert status == 200, body
    return World(json.loads(body)["access_token"], collaboration_id, organization_ids, keys)


def scenarios(world: World) -> dict:
    """Name → function(connection) that makes one request and returns its status."""
    task_input = base64.b64encode(json.dumps({"method": "average"}).encode()).decode()
    new_task = {
        "name": "bench",
        "image": "bench/average",
        "description": "",
        "collaboration_id": world.collaboration_id,
        "organizations": [{"id": o, "input": task_input} for o in world.task_organizations],
        "databases": [{"label": "default"}],
    }
    token = world.root_token

    def get_organizations(connection):
        return request(connection, "GET", "/api/organization", token=token)[0]

    def get_task_page(connection):
        page = random.randint(1, 1000)
        return request(connection, "GET", f"/api/task?per_page=10&page={page}", token=token)[0]

    def post_task(connection):
        return request(connection, "POST", "/api/task", new_task, token=token)[0]

    def node_login(connection):
        key = random.choice(world.node_keys)
        return request(connection, "POST", "/api/token/node", {"api_key": key})[0]

    return {
        "GET /organization": (get_organizations, 200),
        "GET /task (page of 10)": (get_task_page, 200),
        "POST /task": (post_task, 201),
        "POST /token/node": (node_login, 200),
    }


def run_scenario(server: Server, call, expected: int, clients: int, seconds: float) -> dict:
    latencies: list[float] = []
    failures: list[int] = []
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def client():
        connection = server.connect()
        mine, bad = [], []
        while time.monotonic() < deadline:
            started = time.perf_counter()
            status = call(connection)
            mine.append(time.perf_counter() - started)
            if status != expected:
                bad.append(status)
        with lock:
            latencies.extend(mine)
            failures.extend(bad)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    began = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - began
    cut = statistics.quantiles(latencies, n=100, method="inclusive")
    return {
        "requests": len(latencies),
        "req/s": len(latencies) / elapsed,
        "p50 ms": cut[49] * 1000,
        "p99 ms": cut[98] * 1000,
        "errors": len(failures),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--nodes", type=int, default=1000)
    parser.add_argument("--tasks", type=int, default=10_000)
    parser.add_argument("--only", nargs="*", help="scenario names (substrings) to run")
    options = parser.parse_args()
    os.environ.setdefault("VANTAGE6_JWT_SECRET", uuid.uuid4().hex * 2)
    with tempfile.TemporaryDirectory() as directory:
        server = Server(Path(directory))
        try:
            world = seed(server, options.nodes, options.tasks)
            print(
                f"{'scenario':<24}{'clients':>8}{'requests':>10}{'req/s':>9}"
                f"{'p50 ms':>9}{'p99 ms':>9}{'errors':>8}"
            )
            for name, (call, expected) in scenarios(world).items():
                if options.only and not any(part in name for part in options.only):
                    continue
                for clients in sorted({1, options.clients}):
                    result = run_scenario(server, call, expected, clients, options.seconds)
                    print(
                        f"{name:<24}{clients:>8}{result['requests']:>10}"
                        f"{result['req/s']:>9.1f}{result['p50 ms']:>9.1f}"
                        f"{result['p99 ms']:>9.1f}{result['errors']:>8}"
                    )
        finally:
            server.stop()


if __name__ == "__main__":
    main()
