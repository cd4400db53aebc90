"""A real ``pserve`` process with websocket clients, for the event tests: arranged through the
REST API as root, observed through sockets (websocket-client)."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request

import websocket

from tests.functional.test_serve import free_port, ini_copy, wait_for

JWT_SECRET = "ws-test-secret-" + "x" * 40
FAST_EVENTS = {
    "vantage6.jwt.secret": JWT_SECRET,
    "vantage6.events.auth_timeout_seconds": "2",
    "vantage6.events.duty_seconds": "1",
    # Its per-request lines would fill the unread output pipe (64 KiB) and stall the server.
    "pyramid.debug_authorization": "false",
}


class Server:
    def __init__(self, port: int):
        self.api = f"http://127.0.0.1:{port}/api"
        self.ws_url = f"ws://127.0.0.1:{port}/api/ws"
        self._root = None

    def call(self, method: str, path: str, body=None, token: str | None = None):
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.api + path, data=data, method=method)
        request.add_header("Content-Type", "application/json")
        if token:
            request.add_header("Authorization", f"Bearer {token}")
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, json.load(response)
        except urllib.error.HTTPError as error:
            return error.code, json.load(error)

    def ok(self, method: str, path: str, body=None, token: str | None = None):
        status, answer = self.call(method, path, body, token or self.root)
        assert status < 300, (status, answer)
        return answer

    @property
    def root(self) -> str:
        if self._root is None:
            login = {"username": "root", "password": "root"}
            self._root = self.call("POST", "/token/user", login)[1]["access_token"]
        return self._root

    def node_token(self, api_key: str) -> str:
        return self.ok("POST", "/token/node", {"api_key": api_key}, token="-")["access_token"]

    def federation(self) -> dict:
        """Collaboration A of root's organization and a2, collaboration B of b1, a node for
        each of them; returns ids and node API keys by name."""
        root_org = self.ok("GET", "/user?username=root")["data"][0]["organization"]["id"]
        ids = {"root": root_org}
        for name in ("a2", "b1"):
            ids[name] = self.ok("POST", "/organization", {"name": name})["id"]
        for name, members in (("A", ["root", "a2"]), ("B", ["b1"])):
            body = {"name": name, "organization_ids": [ids[m] for m in members], "encrypted": False}
            ids[name] = self.ok("POST", "/collaboration", body)["id"]
        for organization, collaboration in (("root", "A"), ("a2", "A"), ("b1", "B")):
            body = {"collaboration_id": ids[collaboration], "organization_id": ids[organization]}
            node = self.ok("POST", "/node", body)
            ids[f"node-{organization}"] = node["id"]
            ids[f"key-{organization}"] = node["api_key"]
        return ids

    def create_task(self, collaboration_id: int, organization_ids, token=None) -> dict:
        body = {
            "name": "t",
            "image": "demo/average",
            "collaboration_id": collaboration_id,
            "organizations": [{"id": id_, "input": "e30="} for id_ in organization_ids],
        }
        return self.ok("POST", "/task", body, token)

    def share_config(self, api_key: str, config: dict) -> None:
        """The node of ``api_key`` tells the server its configuration (``node_info_update``),
        as a node does on connecting (a vantage6 4.x node names no encryption formats)."""
        socket = self.socket(self.node_token(api_key))
        socket.send({"event": "node_info_update", "data": config})
        socket.send({"event": "ping"})
        socket.events_until("pong")  # the update before it was handled
        socket.close()

    def socket(self, token: str | None = None, **kw) -> Client:
        header = [f"Authorization: Bearer {token}"] if token else []
        return Client(websocket.create_connection(self.ws_url, header=header, timeout=5, **kw))


class Client:
    """A websocket client that reads events and close frames."""

    def __init__(self, ws: websocket.WebSocket):
        self.ws = ws

    def send(self, message) -> None:
        self.ws.send(message if isinstance(message, str) else json.dumps(message))

    def event(self, timeout: float = 5) -> dict:
        """The next event frame; fails on a close frame or silence."""
        self.ws.settimeout(timeout)
        opcode, data = self.ws.recv_data(control_frame=True)
        assert opcode == websocket.ABNF.OPCODE_TEXT, (opcode, data)
        return json.loads(data)

    def events_until(self, name: str, timeout: float = 5) -> list[dict]:
        """Events up to and including the first called ``name``."""
        seen = []
        deadline = time.monotonic() + timeout
        while not seen or seen[-1]["event"] != name:
            seen.append(self.event(max(deadline - time.monotonic(), 0.01)))
        return seen

    def silent(self, seconds: float = 0.5) -> bool:
        """Whether no event arrives for ``seconds``."""
        self.ws.settimeout(seconds)
        try:
            opcode, data = self.ws.recv_data(control_frame=True)
        except websocket.WebSocketTimeoutException:
            return True
        raise AssertionError(f"expected silence, got {opcode}: {data!r}")

    def closed(self, timeout: float = 5) -> tuple[int, str]:
        """The close code and reason, skipping events before the close frame."""
        self.ws.settimeout(timeout)
        while True:
            opcode, data = self.ws.recv_data(control_frame=True)
            if opcode == websocket.ABNF.OPCODE_CLOSE:
                return int.from_bytes(data[:2], "big"), data[2:].decode()

    def close(self) -> None:
        self.ws.close()


def start_server(run, tmp_path, database_url: str, **settings) -> Server:
    """pserve on development.ini (a copy on a free port) with ``settings``; waits for health."""
    port = free_port()
    directory = tmp_path / f"server-{port}"
    directory.mkdir()
    (directory / "var").mkdir()
    overrides = {**FAST_EVENTS, "sqlalchemy.url": database_url, **settings}
    ini = ini_copy("development.ini", directory, port, **overrides)
    process = run("pserve", ini)
    wait_for(f"http://127.0.0.1:{port}/api/health", process)
    server = Server(port)
    server.process = process
    return server
