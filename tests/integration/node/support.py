"""Helpers for the node runtime tests: run specs, a stand-in node proxy, clean-up."""

from __future__ import annotations

import base64
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from vantage6.node.proxy_listeners import free_port
from vantage6.node.runtime import RunSpec

IMAGE = "vantage6/demo-average:latest"
AGES = [41, 67, 23, 58]
TASK_ID = 99  # the subtask the waiting proxy hands out


# Run in an algorithm container: can it open a TCP connection to host:port?
PROBE = (
    "import socket, sys\n"
    "try:\n"
    "    socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=3).close()\n"
    "except OSError as e:\n"
    "    sys.exit(f'unreachable: {e}')\n"
)


def reaches(container, host: str, port: int) -> bool:
    """Whether ``container`` can connect to ``host``:``port`` (any other failure fails)."""
    probe = container.exec_run(["python3", "-c", PROBE, host, str(port)])
    assert probe.exit_code == 0 or b"unreachable" in probe.output, probe.output
    return probe.exit_code == 0


def remove_node(engine, name: str) -> None:
    label = {"label": f"vantage6-node={name}"}
    for container in engine.containers.list(all=True, filters=label):
        container.remove(force=True)
    for volume in engine.volumes.list(filters=label):
        volume.remove(force=True)
    for network in engine.networks.list(filters=label):
        network.remove()


def gateway(runtime, run_id: int) -> str:
    """The address of this machine on the run's own network (where the proxy listens)."""
    network = runtime.client.networks.get(runtime.networks.name(run_id))
    return network.attrs["IPAM"]["Config"][0]["Gateway"]


class WaitingProxy:
    """Stands in for the node proxy on the gateways of the runs' networks: it hands out a
    subtask that never finishes, so ``central_average`` keeps its container running; it
    records who came, and at which address."""

    def __init__(self):
        self.requests: list[tuple[str, str, str | None, str]] = []
        self.port = free_port()
        self._servers: dict[str, ThreadingHTTPServer] = {}

    def listen(self, host: str) -> int:
        if host not in self._servers:
            server = ThreadingHTTPServer((host, self.port), self._handler(host))
            threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
            self._servers[host] = server
        return self.port

    def close(self, host: str) -> None:
        server = self._servers.pop(host, None)
        if server is not None:
            server.shutdown()
            server.server_close()

    def stop(self) -> None:
        for host in list(self._servers):
            self.close(host)

    @property
    def hosts(self) -> set[str]:
        return set(self._servers)

    def _handler(self, host: str):
        proxy = self
        answers = {
            ("POST", "/task"): {"id": TASK_ID},
            ("GET", f"/task/{TASK_ID}/status"): {"status": "active"},
        }

        class Handler(BaseHTTPRequestHandler):
            def _answer(self):
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                authorization = self.headers["Authorization"]
                proxy.requests.append((self.command, self.path, authorization, host))
                body = answers.get((self.command, self.path))
                payload = json.dumps(body or {"msg": "no such route"}).encode()
                self.send_response(200 if body else 404)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = _answer  # noqa: N815 - http.server's naming

            def log_message(self, *args):
                pass

        return Handler

    def waited_on(self, token: str) -> bool:
        """Whether the run with this token is polling its subtask's status."""
        wanted = ("GET", f"/task/{TASK_ID}/status", f"Bearer {token}")
        return any(request[:3] == wanted for request in self.requests)


def token(run_id: int) -> str:
    """A container token as far as the algorithm reads one (the proxy would verify it)."""
    claims = json.dumps({"sub": {"run_id": run_id, "task_id": 1, "image": IMAGE}}).encode()
    return f"h.{base64.urlsafe_b64encode(claims).decode().rstrip('=')}.s"


def spec(run_id: int, method: str, job_id: int = 1, image: str = IMAGE, **kwargs) -> RunSpec:
    input_ = json.dumps({"method": method, "kwargs": kwargs}).encode()
    return RunSpec(run_id, 1, job_id, image, input_, token(run_id), [{"label": "default"}])


def partial(run_id: int, job_id: int = 1) -> RunSpec:
    return spec(run_id, "partial_average", job_id, column_name="age")


def central(run_id: int, job_id: int = 1) -> RunSpec:
    """A run that keeps going: it waits for a subtask the proxy never finishes."""
    return spec(run_id, "central_average", job_id, column_name="age", org_ids=[1])


def eventually(predicate, seconds: float = 30, what: str = "the condition"):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(0.1)
    pytest.fail(f"{what} did not happen within {seconds} s")
