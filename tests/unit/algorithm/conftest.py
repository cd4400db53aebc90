"""Fixtures for the algorithm tools: the node's environment, and a stub node proxy."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest

from vantage6.algorithm import env

ROOT = Path(__file__).resolve().parents[3]
SAMPLE = "tests.unit.algorithm.sample_algorithm"


@pytest.fixture
def node_env(monkeypatch):
    """Set environment variables the way the node does (base32-encoded)."""

    def setenv(**variables):
        for name, value in variables.items():
            monkeypatch.setenv(name, env.encode(str(value)))

    return setenv


@pytest.fixture
def average_package(monkeypatch):
    """The demo average algorithm's package, importable as ``v6_average``."""
    monkeypatch.syspath_prepend(str(ROOT / "node" / "algorithms" / "average"))
    return "v6_average"


DROP = "drop"  # an answer: close the connection without answering


class StubProxy:
    """A real HTTP server standing in for the node proxy: answers from ``routes`` and records
    every request, so the client is tested over the wire."""

    def __init__(self, port: int = 0):
        self.routes: dict[tuple[str, str], object] = {}
        self.requests: list[dict] = []
        self.server = ThreadingHTTPServer(("127.0.0.1", port), self._handler())
        self.url = f"http://127.0.0.1:{self.server.server_port}"

    def route(self, method: str, path: str, answer):
        """``answer``: a JSON body (bytes: sent as they are), a (status, body) pair, a callable
        (request) giving either, or ``DROP``."""
        self.routes[(method, path)] = answer

    def serve(self) -> StubProxy:
        thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)
        thread.start()
        return self

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def _handler(self):
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def _serve(self):
                url = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                request = {
                    "method": self.command,
                    "path": url.path,
                    "query": dict(parse_qsl(url.query)),
                    "headers": dict(self.headers),
                    "json": json.loads(raw) if raw else None,
                }
                stub.requests.append(request)
                answer = stub.routes.get((self.command, url.path), (404, {"msg": "no route"}))
                if callable(answer):
                    answer = answer(request)
                if answer == DROP:
                    self.close_connection = True
                    return
                status, body = answer if isinstance(answer, tuple) else (200, answer)
                payload = body if isinstance(body, bytes) else json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = _serve  # noqa: N815 - http.server's naming

            def log_message(self, *args):
                pass

        return Handler


@pytest.fixture
def proxy():
    stub = StubProxy().serve()
    yield stub
    stub.close()
