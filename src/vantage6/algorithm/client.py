"""``AlgorithmClient``: what a running algorithm uses to reach the server, through the node
proxy (the container has no other network). Standard library only, so it runs in any image.

Its container token says which run, task, collaboration, image and databases it belongs to;
subtasks reuse the image and databases, and the proxy encrypts inputs and decrypts results.
"""

from __future__ import annotations

import base64
import json
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from vantage6.algorithm import env
from vantage6.algorithm.errors import AlgorithmError
from vantage6.common.task_status import TaskStatus


class AlgorithmClientError(AlgorithmError):
    """The proxy refused a request or could not be reached."""


class AlgorithmClient:
    def __init__(self, token: str, host: str, port: int | str | None = None, path: str = ""):
        self.token = token
        self.base_url = (f"{host}:{port}" if port else host).rstrip("/") + path.rstrip("/")
        claims = token_claims(token)
        self.run_id = claims.get("run_id")
        self.task_id = claims.get("task_id")
        self.node_id = claims.get("node_id")
        self.organization_id = claims.get("organization_id")
        self.collaboration_id = claims.get("collaboration_id")
        self.image = claims.get("image")
        self.databases = claims.get("databases") or []
        self.task = Tasks(self)
        self.run = Runs(self)
        self.result = Results(self)
        self.organization = Organizations(self)
        self.collaboration = Collaborations(self)

    @classmethod
    def from_environment(cls) -> AlgorithmClient:
        token_file = Path(env.require("TOKEN_FILE", "the file holding the container token"))
        try:
            token = token_file.read_text().strip()
        except OSError as exc:
            raise AlgorithmError(f"the container token cannot be read ({exc})")
        host = env.require("HOST", "the node proxy's address")
        return cls(token, host, env.get("PORT"), env.get("API_PATH") or "")

    def request(self, endpoint: str, method: str = "GET", params=None, json_body=None):
        url = f"{self.base_url}/{endpoint.lstrip('/')}"
        if params:
            url += "?" + urllib.parse.urlencode(params)
        headers = {"Authorization": f"Bearer {self.token}"}
        payload = None
        if json_body is not None:
            payload = json.dumps(json_body).encode()
            headers["Content-Type"] = "application/json"
        request = urllib.request.Request(url, data=payload, headers=headers, method=method)
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return json.loads(response.read() or b"null")
        except urllib.error.HTTPError as exc:
            raise AlgorithmClientError(f"{method} {url}: {exc.code} {_message(exc)}")
        except (urllib.error.URLError, OSError) as exc:
            raise AlgorithmClientError(f"{method} {url}: the node proxy cannot be reached ({exc})")

    def list_all(self, endpoint: str, params: dict) -> list:
        """Every item of a paged list, following the pages."""
        items, page = [], 1
        while True:
            body = self.request(endpoint, params={**params, "page": page, "per_page": 100})
            items += body["data"]
            if "next" not in body.get("links", {}):
                return items
            page += 1

    def wait_for_results(self, task_id: int, interval: float = 0.2, timeout: float | None = None):
        """The results of a (sub)task once all its runs completed; polls its status with a
        growing interval (at most 5 s). A failed run raises instead of giving partial results."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            status = TaskStatus(self.request(f"task/{task_id}/status")["status"])
            if status.is_failure:
                raise AlgorithmClientError(f"task {task_id} did not complete: {status.value}")
            if status is TaskStatus.COMPLETED:
                return self.result.from_task(task_id)
            if deadline is not None and time.monotonic() + interval > deadline:
                raise AlgorithmClientError(
                    f"task {task_id} is still {status.value} after {timeout} s"
                )
            time.sleep(interval)
            interval = min(interval * 1.5, 5.0)


def token_claims(token: str) -> dict:
    """The token's subject, read without verification: the proxy and server verify it."""
    try:
        payload = token.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (IndexError, ValueError) as exc:
        raise AlgorithmError(f"the container token is not a JWT ({exc})")
    subject = claims.get("sub") if isinstance(claims, dict) else None
    return subject if isinstance(subject, dict) else {}


def _message(error: urllib.error.HTTPError) -> str:
    try:
        return json.loads(error.read())["msg"]
    except (ValueError, KeyError, TypeError):
        return error.reason


def encode_input(input_) -> str:
    """The wire form of an unencrypted input: base64 of its JSON (the proxy encrypts it when
    the collaboration is encrypted)."""
    return base64.b64encode(json.dumps(input_).encode()).decode()


def decode_result(result: str | None):
    if result is None:
        return None
    try:
        return json.loads(base64.b64decode(result, validate=True))
    except ValueError as exc:
        raise AlgorithmClientError(f"a result is not base64 JSON ({exc})")


class _Sub:
    def __init__(self, parent: AlgorithmClient):
        self.parent = parent


class Tasks(_Sub):
    def get(self, task_id: int) -> dict:
        return self.parent.request(f"task/{task_id}")

    def create(self, input_, organizations: list[int], name: str = "subtask", description=None):
        """A subtask of the running task, on the same image and databases."""
        client = self.parent
        return client.request(
            "task",
            method="POST",
            json_body={
                "name": name,
                "description": description,
                "image": client.image,
                "collaboration_id": client.collaboration_id,
                "organizations": [
                    {"id": id_, "input": encode_input(input_)} for id_ in organizations
                ],
                "databases": client.databases,
            },
        )


class Runs(_Sub):
    def get(self, run_id: int) -> dict:
        return self.parent.request(f"run/{run_id}")

    def from_task(self, task_id: int) -> list[dict]:
        return self.parent.list_all("run", {"task_id": task_id})


class Results(_Sub):
    def get(self, run_id: int):
        return decode_result(self.parent.request(f"result/{run_id}")["result"])

    def from_task(self, task_id: int) -> list:
        """The decoded results of the task's runs, in run order."""
        runs = self.parent.list_all("result", {"task_id": task_id})
        return [decode_result(run["result"]) for run in runs]


class Organizations(_Sub):
    def get(self, organization_id: int) -> dict:
        return self.parent.request(f"organization/{organization_id}")

    def list(self) -> list[dict]:
        """The organizations of this collaboration."""
        params = {"collaboration_id": self.parent.collaboration_id}
        return self.parent.list_all("organization", params)


class Collaborations(_Sub):
    def get(self) -> dict:
        return self.parent.request(f"collaboration/{self.parent.collaboration_id}")
