"""What the node proxy decrypts, against a stand-in server that answers whatever it is asked
(as a server that lets a container token read more than its job would): only results of the
token's own job are decrypted; tokens the node did not give never reach the server."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import SimpleNamespace

import pytest
import requests

from vantage6.common.encryption import RSACryptor, base64s_to_bytes
from vantage6.node.proxy import NodeProxy
from vantage6.node.recipient_keys import RecipientKeys
from vantage6.node.state import NodeState

OWN_JOB, OTHER_JOB = 10, 20
TASKS = {1: OWN_JOB, 2: OWN_JOB, 3: OTHER_JOB}  # task id -> job id; 2 is a subtask of 1
TOKEN = "header.claims.signature"


class StandInServer:
    """Answers GET /result (all results), /result/<id>, /task/<id> from canned data; records
    each request's path."""

    def __init__(self, results: list[dict]):
        self.paths: list[str] = []
        self.results = {item["id"]: item for item in results}
        self.http = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        threading.Thread(target=self.http.serve_forever, args=(0.05,), daemon=True).start()
        self.base_url = f"http://127.0.0.1:{self.http.server_port}/api"

    def _answer(self, path: str):
        parts = path.split("?")[0].strip("/").split("/")[1:]  # without "api"
        if parts == ["result"]:
            return 200, {"data": list(self.results.values()), "links": {}}
        if parts[0] == "result" and int(parts[1]) in self.results:
            return 200, self.results[int(parts[1])]
        if parts[0] == "task" and int(parts[1]) in TASKS:
            return 200, {"id": int(parts[1]), "job_id": TASKS[int(parts[1])]}
        return 404, {"msg": "no such thing"}

    def _handler(self):
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - http.server's naming
                stand_in.paths.append(self.path)
                status, body = stand_in._answer(self.path)
                payload = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args):
                pass

        return Handler


@pytest.fixture(scope="module")
def cryptor(tmp_path_factory):
    path = tmp_path_factory.mktemp("keys") / "node.pem"
    RSACryptor.create_new_rsa_key(path, key_size=2048)
    return RSACryptor(path)


def result(cryptor, run_id: int, task_id: int | None, value: bytes) -> dict:
    task = None if task_id is None else {"id": task_id, "link": f"/api/task/{task_id}"}
    encrypted = cryptor.encrypt_bytes_to_str(value, cryptor.public_key_str)
    return {"id": run_id, "result": encrypted, "task": task, "run": {"id": run_id}}


@pytest.fixture
def setup(cryptor, tmp_path):
    """A stand-in server with results of the algorithm's job (tasks 1, 2), of another job
    (task 3) and of no task, and a proxy that admitted TOKEN for job OWN_JOB."""
    server = StandInServer(
        [
            result(cryptor, 101, 1, b'{"own": 1}'),
            result(cryptor, 102, 2, b'{"own": 2}'),
            result(cryptor, 103, 3, b'{"secret": 3}'),
            result(cryptor, 104, None, b'{"secret": 4}'),
        ]
    )
    keys = RecipientKeys(NodeState(tmp_path), "--name n")
    proxy = NodeProxy(SimpleNamespace(base_url=server.base_url), cryptor, keys)
    proxy.containers.admit(7, TOKEN, OWN_JOB)
    url = f"http://127.0.0.1:{proxy.listen('127.0.0.1')}"
    yield server, url, proxy
    proxy.stop()
    server.http.shutdown()
    server.http.server_close()


def get(url: str, path: str, token: str = TOKEN):
    return requests.get(url + path, headers={"Authorization": f"Bearer {token}"}, timeout=10)


def test_only_results_of_the_tokens_job_are_decrypted(setup):
    server, url, _ = setup
    answer = get(url, "/result")
    assert answer.status_code == 200
    items = {item["id"]: item for item in answer.json()["data"]}
    assert base64s_to_bytes(items[101]["result"]) == b'{"own": 1}'
    assert base64s_to_bytes(items[102]["result"]) == b'{"own": 2}'  # its subtask's
    for run_id in (103, 104):
        assert items[run_id]["result"] is None
        assert items[run_id]["decryption_error"] == (
            f"The result of run {run_id} belongs to another job than this algorithm's (job "
            f"{OWN_JOB}); the node proxy decrypts only results of the algorithm's own job"
        )
    assert "secret" not in answer.text
    tasks_asked = [path for path in server.paths if path.startswith("/api/task/")]
    assert sorted(tasks_asked) == ["/api/task/1", "/api/task/2", "/api/task/3"]  # once each


def test_one_result_of_another_job_is_withheld_and_logged(setup, caplog):
    _, url, _ = setup
    item = get(url, "/result/103").json()
    assert item["result"] is None and "belongs to another job" in item["decryption_error"]
    assert "Withheld the result of run 103 (task 3) from an algorithm of job 10" in caplog.text
    assert base64s_to_bytes(get(url, "/result/101").json()["result"]) == b'{"own": 1}'


def test_the_job_comes_from_the_node_not_from_the_token(setup):
    """Another token (e.g. one whose claims name job 20) opens nothing: the proxy answers
    401 itself, and the server never hears of the request."""
    server, url, proxy = setup
    forged = "header.eyJzdWIiOnsidGFza19pZCI6M319.signature"
    for token in (forged, TOKEN + "x"):
        answer = get(url, "/result", token)
        assert answer.status_code == 401
        assert "serves only the algorithms this node runs" in answer.json()["msg"]
    assert server.paths == []
    proxy.containers.dismiss(7)  # the run ended
    assert get(url, "/result").status_code == 401
    assert server.paths == []
