"""The Python client against real ``pserve`` processes: one shared server for most tests (their
records get unique names), and servers with special settings (short-lived tokens, two-factor
authentication) started by the modules that need them. Nodes are played with raw REST."""

from __future__ import annotations

import base64
import json
import subprocess
import time
import uuid
from urllib.parse import urlsplit

import pytest

from tests.functional.test_serve import BIN
from tests.functional.ws_server import Server, start_server
from vantage6.client import Client
from vantage6.common.encryption import RSACryptor

PASSWORD = "Secret-pass-1"


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def plain(value) -> str:
    """An input or result as unencrypted collaborations carry it: base64 of its JSON."""
    return base64.b64encode(json.dumps(value).encode()).decode()


def client_for(server: Server, **kw) -> Client:
    address = urlsplit(server.api)
    return Client(f"http://{address.hostname}", address.port, address.path, **kw)


def login(server: Server, username: str = "root", password: str = "root", **kw) -> Client:
    client = client_for(server, **kw)
    assert client.authenticate(username, password) is True
    return client


@pytest.fixture(scope="session")
def launch(tmp_path_factory, database_factory):
    """Start a pserve process with the given settings; all of them stop when the session
    ends. Each logs to a file (a pipe nobody reads would fill up and stall it)."""
    processes = []

    def run(*args):
        directory = tmp_path_factory.mktemp("pserve")
        log = directory / "pserve.log"
        with open(log, "w") as output:
            process = subprocess.Popen(
                [str(BIN / args[0]), *map(str, args[1:])],
                cwd=directory,
                stdout=output,
                stderr=subprocess.STDOUT,
            )
        process.stdout = open(log)  # what wait_for shows if the server exits early
        processes.append(process)
        return process

    def start(**settings) -> Server:
        directory = tmp_path_factory.mktemp("server")
        return start_server(run, directory, database_factory.new_url(), **settings)

    yield start
    for process in processes:
        process.terminate()
    time.sleep(1)  # pserve would wait up to 10 s for open (even idle) connections: no need
    for process in processes:
        process.kill()
        process.wait()
        process.stdout.close()


@pytest.fixture(scope="session")
def server(launch) -> Server:
    return launch()


@pytest.fixture
def root(server) -> Client:
    return login(server)


class Node:
    """A node played with raw REST through its API key: it reads its runs and reports them."""

    def __init__(self, server: Server, api_key):
        """``api_key`` as ``client.node.create`` returns it (with the node's record)."""
        self.server = server
        self.api_key = api_key
        self.organization_id = api_key.node["organization"]["id"]
        self.log_in()

    def log_in(self) -> None:
        self.token = self.server.node_token(self.api_key)

    def runs(self, task_id: int) -> list[dict]:
        """The runs of the task at this node's organization."""
        path = f"/run?task_id={task_id}&organization_id={self.organization_id}"
        return self.server.ok("GET", path, token=self.token)["data"]

    def report(self, run_id: int, **fields) -> dict:
        return self.server.ok("PATCH", f"/run/{run_id}", fields, token=self.token)

    def upload_public_key(self, public_key: str) -> None:
        """As a node does at start-up: only an organization's own nodes and admins may."""
        body = {"public_key": public_key}
        self.server.ok("PATCH", f"/organization/{self.organization_id}", body, token=self.token)

    def complete(self, run_id: int, result: str) -> None:
        self.report(run_id, status="active")
        self.report(run_id, status="completed", result=result)


@pytest.fixture
def federation(server, root):
    """Two new organizations (``own`` is that of a new user with ``client``, ``peer`` another)
    in an unencrypted collaboration, with a node each."""
    own = root.organization.create(name=unique("own"))["id"]
    peer = root.organization.create(name=unique("peer"))["id"]
    collaboration = root.collaboration.create(unique("collab"), [own, peer])["id"]
    keys = {o: root.node.create(collaboration, o) for o in (own, peer)}
    researcher = root.role.list(name="Researcher", field="id")[0]
    username = unique("user")
    root.user.create(username, "Ada", "L", PASSWORD, f"{username}@example.org", own, [researcher])
    return {
        "own": own,
        "peer": peer,
        "collaboration": collaboration,
        "nodes": {o: Node(server, key) for o, key in keys.items()},
        "node_ids": {o: key.node["id"] for o, key in keys.items()},
        "username": username,
        "client": login(server, username, PASSWORD),
    }


def new_key(directory, name: str) -> tuple:
    """A private key file (2048 bits: fast enough for tests) and its cryptor."""
    path = directory / f"{name}.pem"
    RSACryptor.create_new_rsa_key(path, key_size=2048)
    return path, RSACryptor(path)
