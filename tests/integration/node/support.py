"""Helpers for the node runtime tests: run specs, a stand-in node proxy, clean-up."""

from __future__ import annotations

import base64
import json
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from vantage6.node.runtime import RunSpec

IMAGE = "vantage6/demo-average:latest"
AGES = [41, 67, 23, 58]
TASK_ID = 99  # the subtask the waiting proxy hands out


def remove_node(engine, name: str) -> None:
    label = {"label": f"vantage6-node={name}"}
    for container in engine.containers.list(all=True, filters=label):
        container.remove(force=True)
    for volume in engine.volumes.list(filters=label):
        volume.remove(force=True)
    for network in engine.networks.list(names=[f"vantage6-{name}-net"]):
        network.remove()


class WaitingProxy:
    """Stands in for the node proxy on the network's gateway: it hands out a subtask that
    never finishes, so ``central_average`` keeps its container running; it records who came."""

    def __init__(self, host: str):
        self.requests: list[tuple[str, str, str | None]] = []
        self.server = ThreadingHTTPServer((host, 0), self._handler())
        self.port = self.server.server_port

    def _handler(self):
        proxy = self
        answers = {
            ("POST", "/task"): {"id": TASK_ID},
            ("GET", f"/task/{TASK_ID}/status"): {"status": "active"},
        }

        class Handler(BaseHTTPRequestHandler):
            def _answer(self):
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                proxy.requests.append((self.command, self.path, self.headers["Authorization"]))
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
        return wanted in self.requests


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
