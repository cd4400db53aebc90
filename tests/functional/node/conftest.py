"""A real server (one ``pserve`` per module), nodes logged in by API key, and node proxies in
front of the server, for the node's functional tests."""

from __future__ import annotations

import base64
import json
import subprocess

import pytest

from tests.functional.test_serve import BIN
from tests.functional.ws_server import start_server
from vantage6.common.encryption import RSACryptor
from vantage6.node.proxy import NodeProxy
from vantage6.node.recipient_keys import RecipientKeys
from vantage6.node.server import ServerClient
from vantage6.node.state import NodeState

IMAGE = "demo/average"


def plain(value) -> str:
    """An input or result as unencrypted collaborations carry it: base64 of its JSON."""
    return base64.b64encode(json.dumps(value).encode()).decode()


@pytest.fixture(scope="module")
def server(tmp_path_factory, database_factory):
    """pserve for the whole module; its log goes to a file (a pipe nobody reads would fill)."""
    directory = tmp_path_factory.mktemp("server")
    processes = []

    def run(*args):
        with open(directory / "pserve.log", "w") as log:
            process = subprocess.Popen(
                [str(BIN / args[0]), *map(str, args[1:])],
                cwd=directory,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        processes.append(process)
        return process

    yield start_server(run, directory, database_factory.new_url())
    for process in processes:
        process.terminate()
        try:  # pserve lets connections still open finish for up to 10 s
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="module")
def world(server, tmp_path_factory, logged_in):
    """``server.federation()`` (unencrypted A: root's organization and a2; B: b1) plus the
    encrypted collaboration E of root's organization, a2 and c3, with a node each; root's
    organization and a2 have key pairs (``cryptor-root``, ``cryptor-a2``; their nodes
    uploaded the public keys), c3 has none."""
    ids = server.federation()
    ids["c3"] = server.ok("POST", "/organization", {"name": "c3"})["id"]
    members = [ids["root"], ids["a2"], ids["c3"]]
    body = {"name": "E", "organization_ids": members, "encrypted": True}
    ids["E"] = server.ok("POST", "/collaboration", body)["id"]
    for name in ("root", "a2", "c3"):
        node = server.ok(
            "POST", "/node", {"collaboration_id": ids["E"], "organization_id": ids[name]}
        )
        ids[f"key-E-{name}"] = node["api_key"]
    keys = tmp_path_factory.mktemp("keys")
    for name in ("root", "a2"):
        RSACryptor.create_new_rsa_key(keys / f"{name}.pem", key_size=2048)
        cryptor = RSACryptor(keys / f"{name}.pem")
        node = logged_in(ids[f"key-E-{name}"])
        node.request(
            "PATCH", f"/organization/{ids[name]}", json={"public_key": cryptor.public_key_str}
        )
        ids[f"cryptor-{name}"] = cryptor
    return ids


@pytest.fixture(scope="module")
def logged_in(server):
    """ServerClients logged in with a node's API key, one per key."""
    clients = {}

    def log_in(api_key: str) -> ServerClient:
        if api_key not in clients:
            clients[api_key] = ServerClient(server.api)
            clients[api_key].authenticate(api_key, patience=10)
        return clients[api_key]

    yield log_in
    for client in clients.values():
        client.close()


@pytest.fixture
def start_proxy(tmp_path):
    """``start_proxy(server_client, cryptor) -> NodeProxy`` listening on 127.0.0.1, with public
    keys remembered in a state of its own; stopped afterwards."""
    proxies = []

    def start(server_client, cryptor) -> NodeProxy:
        state = NodeState(tmp_path / f"proxy-{len(proxies)}")
        proxy = NodeProxy(server_client, cryptor, RecipientKeys(state, "--config node.ini"))
        proxies.append(proxy)
        proxy.listen("127.0.0.1")
        return proxy

    yield start
    for proxy in proxies:
        proxy.stop()


@pytest.fixture
def container_token(server, logged_in):
    """``container_token(collaboration_id, organization_id, api_key, input=..., proxy=...)``:
    root creates a task for that organization, whose node (by API key) gets the token of its
    run and admits it to ``proxy`` for the task's job, as a node does when it starts the run."""

    def issue(
        collaboration_id: int, organization_id: int, api_key: str, input=None, proxy=None
    ) -> str:
        body = {
            "name": "parent",
            "image": IMAGE,
            "collaboration_id": collaboration_id,
            "organizations": [{"id": organization_id, "input": input or plain({})}],
        }
        task = server.ok("POST", "/task", body)
        node = logged_in(api_key)
        request = {"task_id": task["id"], "image": IMAGE}
        token = node.request("POST", "/token/container", json=request)["container_token"]
        if proxy is not None:
            run = server.ok("GET", f"/run?task_id={task['id']}")["data"][0]
            proxy.containers.admit(run["id"], token, task["job_id"])
        return token

    return issue
