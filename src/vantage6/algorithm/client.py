"""``AlgorithmClient``: what a running algorithm uses to reach the server, through the node
proxy (the container has no other network). Standard library only, so it runs in any image.

Its container token says which run, task, collaboration, image and databases it belongs to;
subtasks reuse the image and databases, and the proxy encrypts inputs and decrypts results.

The proxy answers 502/503/504 when the server is away, and is itself away while its node
restarts: requests are then tried again with backoff (:class:`Retry`). A POST (creating a
subtask) is tried again only when it certainly was not applied: the connection was refused
before anything was sent, or the proxy said the task was not created.
"""

from __future__ import annotations

import base64
import errno
import http.client
import json
import logging
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from vantage6.algorithm import env
from vantage6.algorithm.errors import AlgorithmError
from vantage6.common.task_status import TaskStatus

log = logging.getLogger(__name__)

TRANSIENT = frozenset({502, 503, 504})  # the proxy's (or a gateway's) "not now"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
NOT_CREATED = "The task was not created"  # how the proxy says a POST /task was not applied
# Failures to connect: the request never left this container.
NOT_SENT_ERRNOS = frozenset({errno.ECONNREFUSED, errno.EHOSTUNREACH, errno.ENETUNREACH})
POLL_SHARE = 0.1  # wait_for_results polls every this share of the time waited so far
POLL_MAX = 5.0  # and at least every this many seconds


class AlgorithmClientError(AlgorithmError):
    """The proxy refused a request or could not be reached."""


class ProxyUnavailable(AlgorithmClientError):
    """The proxy (or the server behind it) stayed unavailable through every retry."""


@dataclass(frozen=True)
class Retry:
    """How long to keep trying a request that failed transiently: at most ``attempts`` in
    all, and no new attempt once ``patience`` seconds went by since the first one; waits
    double from ``first_delay`` up to ``max_delay``."""

    attempts: int = 6
    patience: float = 90.0
    first_delay: float = 0.5
    max_delay: float = 15.0

    def delays(self):
        delay = self.first_delay
        while True:
            yield delay
            delay = min(delay * 2, self.max_delay)


class _Failure(Exception):
    """One attempt that failed: its message and whether trying again is safe."""

    def __init__(self, text: str, retryable: bool, unavailable: bool = True):
        super().__init__(text)
        self.text = text
        self.retryable = retryable
        self.unavailable = unavailable


class AlgorithmClient:
    def __init__(
        self,
        token: str,
        host: str,
        port: int | str | None = None,
        path: str = "",
        retry: Retry | None = None,
    ):
        self.token = token
        self.retry = retry or Retry()
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
        """The proxy's JSON answer; transient failures are tried again as :class:`Retry` says,
        then :class:`ProxyUnavailable`. Any other failure is an :class:`AlgorithmClientError`."""
        url = f"{self.base_url}/{endpoint.lstrip('/')}"
        if params:
            url += "?" + urllib.parse.urlencode(params)
        headers = {"Authorization": f"Bearer {self.token}"}
        payload = None
        if json_body is not None:
            payload = json.dumps(json_body).encode()
            headers["Content-Type"] = "application/json"
        request = urllib.request.Request(url, data=payload, headers=headers, method=method)
        started = time.monotonic()
        delays = self.retry.delays()
        attempt = 0
        while True:
            attempt += 1
            try:
                return _send(request)
            except _Failure as failure:
                elapsed = time.monotonic() - started
                delay = next(delays)
                if not failure.retryable:
                    raise _final(failure, method, url, attempt, elapsed) from None
                if attempt >= self.retry.attempts or elapsed + delay > self.retry.patience:
                    raise ProxyUnavailable(
                        f"{method} {url}: {failure.text}; gave up after {attempt} attempt(s)"
                        f" in {elapsed:.1f} s"
                    ) from None
                log.warning("%s %s: %s; trying again in %.1f s", method, url, failure, delay)
                time.sleep(delay)

    def list_all(self, endpoint: str, params: dict) -> list:
        """Every item of a paged list, following the pages."""
        items, page = [], 1
        while True:
            body = self.request(endpoint, params={**params, "page": page, "per_page": 100})
            items += body["data"]
            if "next" not in body.get("links", {}):
                return items
            page += 1

    def wait_for_results(self, task_id: int, interval: float = 0.1, timeout: float | None = None):
        """The results of a (sub)task once all its runs completed. Polls its status, at
        first every ``interval`` seconds, later every tenth of the time waited so far (at most
        5 s), so that noticing the end late adds about a tenth to the wait. A failed run
        raises instead of giving partial results."""
        started = time.monotonic()
        deadline = None if timeout is None else started + timeout
        while True:
            status = TaskStatus(self.request(f"task/{task_id}/status")["status"])
            if status.is_failure:
                raise AlgorithmClientError(f"task {task_id} did not complete: {status.value}")
            if status is TaskStatus.COMPLETED:
                return self.result.from_task(task_id)
            now = time.monotonic()
            delay = min(max(interval, (now - started) * POLL_SHARE), POLL_MAX)
            if deadline is not None and now + delay > deadline:
                raise AlgorithmClientError(
                    f"task {task_id} is still {status.value} after {timeout} s"
                )
            time.sleep(delay)


def token_claims(token: str) -> dict:
    """The token's subject, read without verification: the proxy and server verify it."""
    try:
        payload = token.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (IndexError, ValueError) as exc:
        raise AlgorithmError(f"the container token is not a JWT ({exc})")
    subject = claims.get("sub") if isinstance(claims, dict) else None
    return subject if isinstance(subject, dict) else {}


def _send(request: urllib.request.Request):
    """One attempt; a failure is a :class:`_Failure` saying whether another is safe."""
    safe = request.get_method() in SAFE_METHODS
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            body = response.read()
    except urllib.error.HTTPError as exc:
        message = _message(exc)
        transient = exc.code in TRANSIENT
        not_applied = str(message).startswith(NOT_CREATED)
        raise _Failure(f"{exc.code} {message}", transient and (safe or not_applied), transient)
    except urllib.error.URLError as exc:  # could not connect, or failed while sending
        not_sent = _not_sent(exc.reason)
        raise _Failure(f"the node proxy cannot be reached ({exc.reason})", safe or not_sent)
    except (http.client.HTTPException, OSError) as exc:  # sent; no (whole) answer came back
        raise _Failure(f"the node proxy did not answer ({type(exc).__name__}: {exc})", safe)
    try:
        return json.loads(body or b"null")
    except ValueError:
        raise _Failure(f"the answer is not JSON: {body[:200]!r}", False, False)


def _not_sent(reason) -> bool:
    """Whether a connection failure happened before any byte of the request was sent."""
    if isinstance(reason, socket.gaierror):
        return True
    return isinstance(reason, OSError) and reason.errno in NOT_SENT_ERRNOS


def _final(failure: _Failure, method: str, url: str, attempt: int, elapsed: float):
    """The error for a failure that is not tried again."""
    if failure.unavailable and method not in SAFE_METHODS:
        return ProxyUnavailable(
            f"{method} {url}: {failure.text}; not tried again, as the server may have applied"
            f" it (after {attempt} attempt(s) in {elapsed:.1f} s): check before repeating it"
        )
    return AlgorithmClientError(f"{method} {url}: {failure.text}")


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
