"""The node proxy: the only way a running algorithm reaches the server.

Algorithm containers have no network but the node's. Their ``AlgorithmClient`` sends its
requests here with the container token, which the proxy forwards unchanged (the server decides
what the token may do). On the way, the input of a new subtask is encrypted for each
organization that receives it (in encrypted collaborations, only for the public keys the node
accepts: :mod:`vantage6.node.recipient_keys`) and results are decrypted with the node's key,
so an algorithm only ever handles base64 of plain JSON. Only the endpoints an algorithm needs
are served (those the original 4.x ``AlgorithmClient`` calls); the original's catch-all
forwarding is not copied. ``GET /vpn/algorithm/addresses`` goes to the server too, which knows
the VPN addresses of the job's algorithms (none when there is no VPN) and refuses more than one
``only_*`` flag.

Only tokens the node handed to the algorithms it runs open the proxy
(:class:`~vantage6.node.container_tokens.ContainerTokens`, filled by the daemon), and only
results of the token's own job (its task, parent and subtasks) are decrypted: whatever else
the server lets a token read stays encrypted, as ``None`` with a ``decryption_error``.

Algorithms reach it at ``http://<host>:<port>`` with no API path, on the address the runtime
opened for them (:mod:`vantage6.node.proxy_listeners`).
"""

from __future__ import annotations

import base64
import binascii
import functools
import logging
from http.cookiejar import DefaultCookiePolicy

import requests
from pyramid.config import Configurator
from pyramid.response import Response

from vantage6.common.encryption import DecryptionError, bytes_to_base64s, legacy_only
from vantage6.node.container_tokens import ContainerTokens
from vantage6.node.proxy_listeners import Listeners
from vantage6.node.recipient_keys import RecipientKeyChanged, RecipientKeys

log = logging.getLogger(__name__)

MAX_BODY = 16 * 1024 * 1024  # larger request bodies get 413 from waitress
# Seconds to connect to the server, and to wait for its answer: the answer (a 504 at worst)
# must reach the algorithm before its own 60 s timeout.
TIMEOUT = (5, 50)
ID = r"{id:\d+}"

# (route name, path, method, whether results in the answer are decrypted)
ROUTES = (
    ("task", f"/task/{ID}", "GET", True),
    ("task_status", f"/task/{ID}/status", "GET", False),
    ("runs", "/run", "GET", True),
    ("run", f"/run/{ID}", "GET", True),
    ("results", "/result", "GET", True),
    ("result", f"/result/{ID}", "GET", True),
    ("organizations", "/organization", "GET", False),
    ("organization", f"/organization/{ID}", "GET", False),
    ("collaboration", f"/collaboration/{ID}", "GET", False),
    ("studies", "/study", "GET", False),
    ("study", f"/study/{ID}", "GET", False),
    ("blob_store_status", "/blobstream/status", "GET", False),
    ("vpn_addresses", "/vpn/algorithm/addresses", "GET", False),
)


class ProxyError(Exception):
    """An answer the proxy gives itself, as ``{"msg": ...}`` with ``status``."""

    def __init__(self, status: int, msg: str):
        super().__init__(msg)
        self.status = status
        self.msg = msg


class NodeProxy:
    """Serves algorithm containers on the addresses :meth:`listen` opens, until :meth:`stop`.

    ``server`` is the node's ``ServerClient`` (only its ``base_url`` is used: containers act
    with their own token), ``cryptor`` the node's ``RSACryptor`` or ``DummyCryptor``,
    ``recipient_keys`` the public keys it may encrypt for, ``port`` the one to listen on (0:
    the first address picks a free one). The daemon admits each run's token in
    :attr:`containers`.
    """

    def __init__(self, server, cryptor, recipient_keys: RecipientKeys, port: int = 0):
        self.server = server
        self.cryptor = cryptor
        self.recipient_keys = recipient_keys
        self.containers = ContainerTokens()
        self.session = requests.Session()
        # Answers for one container must not leave cookies for the next.
        self.session.cookies.set_policy(DefaultCookiePolicy(allowed_domains=[]))
        self._listeners = Listeners(self._make_app(), port, MAX_BODY)

    # -- serving ----------------------------------------------------------------------------

    @property
    def port(self) -> int:
        return self._listeners.port

    def listen(self, host: str) -> int:
        """Serve on exactly ``host`` too; returns the port (OSError when it is taken there)."""
        return self._listeners.open(host)

    def close(self, host: str) -> None:
        """Stop serving on ``host`` (its run's network is gone)."""
        self._listeners.close(host)

    def stop(self) -> None:
        """Stop serving everywhere; a second stop does nothing."""
        self._listeners.close_all()
        self.session.close()
        log.info("Node proxy stopped")

    # -- the WSGI app -----------------------------------------------------------------------

    def _make_app(self):
        config = Configurator()
        config.add_route("tasks", "/task")
        config.add_view(self._guarded(self._create_task), route_name="tasks", request_method="POST")
        config.add_view(wrong_method, route_name="tasks")
        for name, path, method, decrypting in ROUTES:
            view = functools.partial(self._get, decrypting=decrypting)
            config.add_route(name, path)
            config.add_view(self._guarded(view), route_name=name, request_method=method)
            config.add_view(wrong_method, route_name=name)
        config.add_notfound_view(not_found)
        config.add_view(proxy_error, context=ProxyError)
        config.add_view(failure, context=Exception)
        return config.make_wsgi_app()

    def _guarded(self, view):
        """Requests without a container token of this node's algorithms are refused before
        the server hears of them; the others learn the token's job (``container_job``)."""

        def guarded(request):
            scheme, _, token = request.headers.get("Authorization", "").partition(" ")
            if scheme.lower() != "bearer" or not token.strip():
                raise ProxyError(401, "Send the container token: 'Authorization: Bearer <token>'")
            request.container_job = self.containers.job_of(token.strip())
            if request.container_job is None:
                log.warning(
                    "Refused %s %s: not a token of a running algorithm",
                    request.method,
                    request.path_info,
                )
                raise ProxyError(
                    401,
                    "The node proxy serves only the algorithms this node runs, with the "
                    "container token it gave them; this token is not one of those (or its run "
                    "has ended)",
                )
            return view(request)

        return guarded

    # -- views ------------------------------------------------------------------------------

    def _get(self, request, decrypting: bool):
        answer = self._call(request, "GET", request.path_info, request.query_string)
        if not answer.ok:
            return passed_on(answer)
        body = json_of(answer)
        if decrypting:
            jobs = {}  # task id -> its job, asked once per request
            for item in result_holders(body):
                if self._job_of(request, item, jobs) == request.container_job:
                    self._decrypt_result(item)
                else:
                    withhold(item, request.container_job)
        return json_response(answer.status_code, body)

    def _create_task(self, request):
        """A subtask: its inputs arrive as base64 JSON and leave encrypted for each
        organization when the collaboration is; nothing is created if one cannot be."""
        body = task_body(request)
        collaboration = self._read(request, f"/collaboration/{body['collaboration_id']}")
        if collaboration.get("encrypted"):
            formats = {
                entry["organization_id"]: entry["formats"]
                for entry in collaboration.get("encryption_formats") or []
            }
            for organization in body["organizations"]:
                legacy = self._legacy_for(organization["id"], formats.get(organization["id"]))
                organization["input"] = self._encrypt_input(request, organization, legacy)
        answer = self._call(request, "POST", "/task", json_body=body)
        return passed_on(answer)

    # -- steps ------------------------------------------------------------------------------

    def _call(self, request, method: str, path: str, query: str = "", json_body=None):
        """The server's answer to the same request made with the container's token."""
        url = self.server.base_url.rstrip("/") + path + (f"?{query}" if query else "")
        headers = {"Authorization": request.headers["Authorization"], "Accept": "application/json"}
        try:
            answer = self.session.request(
                method, url, headers=headers, json=json_body, timeout=TIMEOUT
            )
        except requests.Timeout:
            raise ProxyError(504, f"The server did not answer {method} {path} in time")
        except requests.RequestException as exc:
            log.warning("The server cannot be reached for %s %s: %s", method, path, exc)
            raise ProxyError(502, f"The server cannot be reached ({type(exc).__name__})")
        log.debug("%s %s -> %s", method, path, answer.status_code)
        return answer

    def _read(self, request, path: str) -> dict:
        """A server object the proxy needs itself; the server's refusal is passed on."""
        answer = self._call(request, "GET", path)
        if not answer.ok:
            raise ProxyError(answer.status_code, message_of(answer))
        return json_of(answer)

    def _legacy_for(self, organization_id: int, formats: list[str] | None) -> bool:
        """Whether to write the legacy format for this organization: its node is a 4.x node,
        which reads nothing else, and this node was allowed to write it."""
        if not legacy_only(formats):
            return False
        if not getattr(self.cryptor, "allow_legacy", False):
            raise ProxyError(
                400,
                f"The task was not created: organization {organization_id}'s node is a "
                "vantage6 4.x node, which reads only the legacy encryption format; this node "
                "writes it only with allow_legacy = true in the [encryption] section of its "
                "configuration",
            )
        return True

    def _encrypt_input(self, request, organization: dict, legacy: bool = False) -> str:
        whose = f"organization {organization['id']}"
        try:
            data = base64.b64decode(organization["input"], validate=True)
        except (binascii.Error, ValueError):
            raise ProxyError(400, f"The task was not created: the input for {whose} is not base64")
        answer = self._call(request, "GET", f"/organization/{organization['id']}")
        if not answer.ok:
            raise ProxyError(
                400 if answer.status_code < 500 else 502,
                f"The task was not created: the public key of {whose} cannot be read "
                f"({answer.status_code}: {message_of(answer)})",
            )
        public_key = json_of(answer).get("public_key")
        if not public_key:
            raise ProxyError(
                400,
                f"The task was not created: {whose} has no public key, so its input cannot "
                "be encrypted (its node uploads one when it starts)",
            )
        try:
            self.recipient_keys.check(organization["id"], public_key)
            return self.cryptor.encrypt_bytes_to_str(data, public_key, legacy)
        except RecipientKeyChanged as exc:
            raise ProxyError(409, f"The task was not created: {exc}")
        except ValueError as exc:
            raise ProxyError(
                400, f"The task was not created: the public key of {whose} is not usable ({exc})"
            )

    def _job_of(self, request, item: dict, jobs: dict) -> int | None:
        """The job of the task a result names (``"task": {"id": ...}``), as the server shows
        it to the container's token; None when it names none or the server shows none."""
        task_id = task_of(item)
        if task_id is None:
            return None
        if task_id not in jobs:
            answer = self._call(request, "GET", f"/task/{task_id}")
            task = json_of(answer) if answer.ok else None
            job_id = task.get("job_id") if isinstance(task, dict) else None
            jobs[task_id] = job_id if isinstance(job_id, int) else None
        return jobs[task_id]

    def _decrypt_result(self, item: dict) -> None:
        """The result as base64 of the plaintext; one that cannot be decrypted becomes
        ``None`` with ``decryption_error`` saying why, and the other results stay readable."""
        try:
            item["result"] = bytes_to_base64s(self.cryptor.decrypt_str_to_bytes(item["result"]))
        except DecryptionError as exc:
            item["result"] = None
            item["decryption_error"] = (
                f"The result of run {item.get('id')} cannot be decrypted with this node's key "
                f"({exc})"
            )
            log.warning("%s", item["decryption_error"])


# -- helpers ------------------------------------------------------------------------------


def withhold(item: dict, job_id: int) -> None:
    """A result of another job than the algorithm's: not decrypted, and said so."""
    item["result"] = None
    item["decryption_error"] = (
        f"The result of run {item.get('id')} belongs to another job than this algorithm's "
        f"(job {job_id}); the node proxy decrypts only results of the algorithm's own job"
    )
    log.warning(
        "Withheld the result of run %s (task %s) from an algorithm of job %s: another job",
        item.get("id"),
        task_of(item),
        job_id,
    )


def task_of(item: dict) -> int | None:
    """The id of the task a result names, if it names one."""
    task = item.get("task")
    task_id = task.get("id") if isinstance(task, dict) else None
    return task_id if isinstance(task_id, int) else None


def task_body(request) -> dict:
    """The new task's JSON, checked as far as the proxy relies on it (the server checks the
    rest)."""
    try:
        body = request.json_body
    except ValueError:
        raise ProxyError(400, "The task was not created: the body is not JSON")
    organizations = body.get("organizations") if isinstance(body, dict) else None
    if (
        not isinstance(organizations, list)
        or not isinstance(body.get("collaboration_id"), int)
        or not all(
            isinstance(o, dict) and isinstance(o.get("id"), int) and isinstance(o.get("input"), str)
            for o in organizations
        )
    ):
        raise ProxyError(
            400,
            "The task was not created: send collaboration_id and organizations as "
            '[{"id": <organization id>, "input": <base64 of the JSON input>}, ...]',
        )
    return body


def result_holders(body) -> list[dict]:
    """The objects carrying a ``result`` in an answer: one result or run, a page of them,
    or a task with its results included."""
    items = (
        body["data"] if isinstance(body, dict) and isinstance(body.get("data"), list) else [body]
    )
    found = []
    for item in items:
        if not isinstance(item, dict):
            continue
        if isinstance(item.get("result"), str) and item["result"]:
            found.append(item)
        if isinstance(item.get("results"), list):
            found += [r for r in item["results"] if isinstance(r, dict) and r.get("result")]
    return found


def json_of(answer: requests.Response):
    try:
        return answer.json()
    except ValueError:
        raise ProxyError(502, f"The server's answer ({answer.status_code}) is not JSON")


def message_of(answer: requests.Response) -> str:
    try:
        return str(answer.json()["msg"])
    except (ValueError, KeyError, TypeError):
        return answer.reason or "no message"


def passed_on(answer: requests.Response) -> Response:
    """The server's answer as it is when it is JSON; otherwise its status with a message."""
    try:
        body = answer.json()
    except ValueError:
        body = {"msg": f"The server answered {answer.status_code} {answer.reason}"}
    return json_response(answer.status_code, body)


def json_response(status: int, body) -> Response:
    return Response(status=status, json_body=body, content_type="application/json", charset=None)


def wrong_method(request):
    return json_response(405, {"msg": f"{request.method} is not allowed on {request.path_info}"})


def not_found(request):
    return json_response(404, {"msg": f"{request.path_info} is not an endpoint of the node proxy"})


def proxy_error(exc: ProxyError, request):
    return json_response(exc.status, {"msg": exc.msg})


def failure(exc: Exception, request):
    """Anything unexpected: logged here, a short message for the algorithm."""
    log.exception("The node proxy failed on %s %s", request.method, request.path_info)
    return json_response(500, {"msg": f"The node proxy failed ({type(exc).__name__})"})
