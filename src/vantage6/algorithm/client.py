"""``AlgorithmClient``: what a running algorithm uses to reach the server, through the node
proxy (the container has no other network). Standard library only, so it runs in any image.

Its container token says which run, task, collaboration, image and databases it belongs to;
subtasks reuse the image and databases, and the proxy encrypts inputs and decrypts results.

The proxy answers 502/503/504 when the server is away, and is itself away while its node
restarts: requests are then tried again with backoff (:class:`Retry`). A POST (creating a
subtask) is tried again only when it certainly was not applied: the connection was refused
before anything was sent, or the proxy said the task was not created.

Its calls are those of the original 4.x ``AlgorithmClient`` (``task``, ``run``, ``result``,
``organization``, ``collaboration``, ``study``, ``vpn``, ``wait_for_results``, ``request``),
with one difference: a refusal raises :class:`AlgorithmClientError` where the original returned
the server's ``{"msg": ...}`` as if it were the answer.
"""

from __future__ import annotations

import base64
import errno
import http.client
import json
import json as _json  # request() has a parameter named json, as the original's
import logging
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from vantage6.algorithm import env
from vantage6.algorithm.errors import AlgorithmError, ClientError
from vantage6.common.task_status import TaskStatus

log = logging.getLogger(__name__)

TRANSIENT = frozenset({502, 503, 504})  # the proxy's (or a gateway's) "not now"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
NOT_CREATED = "The task was not created"  # how the proxy says a POST /task was not applied
# Failures to connect: the request never left this container.
NOT_SENT_ERRNOS = frozenset({errno.ECONNREFUSED, errno.EHOSTUNREACH, errno.ENETUNREACH})
POLL_SHARE = 0.1  # wait_for_results polls every this share of the time waited so far
POLL_MAX = 5.0  # and at least every this many seconds
# Keywords of the original's request() that make no sense here, accepted and ignored.
IGNORED_REQUEST_OPTIONS = frozenset(
    {"first_try", "retry", "attempts_on_timeout", "is_for_algorithm_store"}
)


class AlgorithmClientError(ClientError):
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
        self.host, self.port, self.path = host, port, path
        self.base_url = (f"{host}:{port}" if port else host).rstrip("/") + path.rstrip("/")
        self.log = log
        claims = token_claims(token)
        self.run_id = claims.get("run_id")
        self.task_id = claims.get("task_id")
        self.node_id = claims.get("node_id")
        self.organization_id = claims.get("organization_id")
        self.collaboration_id = claims.get("collaboration_id")
        self.study_id = claims.get("study_id")
        self.store_id = claims.get("store_id")
        self.image = claims.get("image")
        self.databases = claims.get("databases") or []
        self.task = Tasks(self)
        self.run = Runs(self)
        self.result = Results(self)
        self.organization = Organizations(self)
        self.collaboration = Collaborations(self)
        self.study = Studies(self)
        self.vpn = Vpn(self)

    @classmethod
    def from_environment(cls) -> AlgorithmClient:
        host = env.require("HOST", "the node proxy's address")
        return cls(read_token(), host, env.get("PORT"), env.get("API_PATH") or "")

    def request(
        self,
        endpoint: str,
        json=None,
        method: str = "GET",
        params=None,
        headers: dict | None = None,
        *,
        json_body=None,
        **options,
    ):
        """The proxy's JSON answer; transient failures are tried again as :class:`Retry` says,
        then :class:`ProxyUnavailable`. Any other failure is an :class:`AlgorithmClientError`.

        The body is ``json`` (the original's name) or ``json_body``; ``method`` is any case.
        The original's ``first_try``, ``retry``, ``attempts_on_timeout`` and
        ``is_for_algorithm_store`` are accepted and ignored."""
        unknown = set(options) - IGNORED_REQUEST_OPTIONS
        if unknown:
            raise TypeError(f"request() got unexpected keyword arguments {sorted(unknown)}")
        body = json_body if json is None else json
        method = method.upper()
        url = f"{self.base_url}/{endpoint.lstrip('/')}"
        if params:
            url += "?" + urllib.parse.urlencode(params)
        headers = {**(headers or {}), "Authorization": f"Bearer {self.token}"}
        payload = None
        if body is not None:
            payload = _json.dumps(body).encode()
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

    def check_if_blob_store_enabled(self) -> bool:
        """Whether the server keeps inputs and results in blob storage (ours never does); a
        server that cannot say counts as without, as for the original."""
        try:
            answer = self.request("blobstream/status")
        except AlgorithmClientError as exc:
            log.warning("the blob store status could not be read (%s); taking it as off", exc)
            return False
        return bool(isinstance(answer, dict) and answer.get("blob_store_enabled"))

    def authenticate(self, credentials: dict | None = None, path: str | None = None):
        """Algorithms cannot log in: they have their container token."""
        raise NotImplementedError("Algorithm containers cannot authenticate!")

    def refresh_token(self):
        """Container tokens cannot be refreshed."""
        raise NotImplementedError("Algorithm containers cannot refresh their token!")


def read_token() -> str:
    """The container token, from the file ``TOKEN_FILE`` names."""
    token_file = Path(env.require("TOKEN_FILE", "the file holding the container token"))
    try:
        return token_file.read_text().strip()
    except OSError as exc:
        raise AlgorithmError(f"the container token cannot be read ({exc})")


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

    def create(
        self,
        input_,
        organizations: list[int] | None = None,
        name: str = "subtask",
        description: str | None = None,
    ) -> dict:
        """A subtask of the running task, on the same image and databases."""
        client = self.parent
        body = {
            "name": name,
            "description": description or f"task from container on node_id={client.node_id}",
            "image": client.image,
            "collaboration_id": client.collaboration_id,
            "organizations": [
                {"id": id_, "input": encode_input(input_)} for id_ in organizations or []
            ],
            "databases": client.databases,
        }
        for key in ("study_id", "store_id"):  # only when the token has them, as the original
            if getattr(client, key):
                body[key] = getattr(client, key)
        return client.request("task", method="POST", json_body=body)


class Runs(_Sub):
    def get(self, id_: int) -> dict:
        return self.parent.request(f"run/{id_}")

    def from_task(self, task_id: int) -> list[dict]:
        return self.parent.list_all("run", {"task_id": task_id})


class Results(_Sub):
    def get(self, id_: int):
        """The decoded result of run ``id_``."""
        return decode_result(self.parent.request(f"result/{id_}")["result"])

    def from_task(self, task_id: int) -> list:
        """The decoded results of the task's runs, in run order."""
        runs = self.parent.list_all("result", {"task_id": task_id})
        return [decode_result(run["result"]) for run in runs]


class Organizations(_Sub):
    def get(self, id_: int) -> dict:
        return self.parent.request(f"organization/{id_}")

    def list(self) -> list[dict]:
        """The organizations of this collaboration (of the study, when the task is in one)."""
        client = self.parent
        if client.study_id:
            params = {"study_id": client.study_id}
        else:
            params = {"collaboration_id": client.collaboration_id}
        return client.list_all("organization", params)


class Collaborations(_Sub):
    def get(self) -> dict:
        return self.parent.request(f"collaboration/{self.parent.collaboration_id}")


class Studies(_Sub):
    def get(self, id_: int) -> dict:
        return self.parent.request(f"study/{id_}")

    def list(self) -> list[dict]:
        """The studies of this collaboration."""
        params = {"collaboration_id": self.parent.collaboration_id}
        return self.parent.list_all("study", params)


class Vpn(_Sub):
    """Addresses on the server's VPN of the algorithm containers of this job (its task, parent
    and subtasks at every node), for algorithms that talk to each other directly. A container
    has one when its image exposes ports and its node is on the VPN: the lists are empty when
    the node or the server has no VPN."""

    def get_addresses(
        self,
        only_children: bool = False,
        only_parent: bool = False,
        only_siblings: bool = False,
        only_self: bool = False,
        include_children: bool = False,
        include_parent: bool = False,
        label: str | None = None,
    ) -> list[dict] | dict:
        """Each address as ``{"ip", "port", "label", "organization_id", "task_id",
        "parent_id", "run_id"}``, one per port the image exposes (``label``: its ``p<port>``
        image label, if any); ``{"message": ...}`` when the answer has none (as the
        original)."""
        flags = {
            "only_children": only_children,
            "only_parent": only_parent,
            "only_siblings": only_siblings,
            "only_self": only_self,
            "include_children": include_children,
            "include_parent": include_parent,
        }
        params = {name: 1 for name, wanted in flags.items() if wanted}
        if label:
            params["label"] = label
        answer = self.parent.request("vpn/algorithm/addresses", params=params)
        if not isinstance(answer, dict) or "addresses" not in answer:
            return {"message": "Obtaining VPN addresses failed!"}
        return answer["addresses"]

    def get_parent_address(self):
        return self.get_addresses(only_parent=True)

    def get_child_addresses(self):
        return self.get_addresses(only_children=True)

    def get_sibling_addresses(self):
        return self.get_addresses(only_siblings=True)

    def get_own_address(self):
        return self.get_addresses(only_self=True)
