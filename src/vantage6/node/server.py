"""The node's REST client: logs in with the API key and keeps its token fresh.

Connection failures and 5xx answers are transient (the server restarts, a proxy hiccups):
login retries them with backoff; other requests retry a few times and then give up, leaving the
work to the next resync. A 401 on login means the key is wrong, which no retry fixes.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator

import jwt
import requests

log = logging.getLogger(__name__)

TIMEOUT = (5, 30)  # seconds to connect, to read
TRANSIENT = frozenset({502, 503, 504})
REFRESH_MARGIN = 120  # seconds before expiry at which a token is refreshed
PER_PAGE = 100


class ServerError(Exception):
    """The server answered with an error status, or could not be reached (status 0)."""

    def __init__(self, status: int, msg: str):
        super().__init__(f"{status}: {msg}" if status else msg)
        self.status = status
        self.msg = msg

    @property
    def transient(self) -> bool:
        return self.status == 0 or self.status >= 500


class Rejected(ServerError):
    """The server refused the API key (401)."""


class Unreachable(ServerError):
    """The server did not answer (or only with 5xx) for as long as we were willing to wait."""


class Interrupted(Exception):
    """Waiting for the server was called off (the node is stopping)."""


def backoff(first: float = 0.5, cap: float = 30.0, factor: float = 2.0) -> Iterator[float]:
    """Delays that grow by ``factor`` from ``first`` up to ``cap``."""
    delay = first
    while True:
        yield delay
        delay = min(delay * factor, cap)


class ServerClient:
    def __init__(self, url: str, session: requests.Session | None = None):
        self.base_url = url.rstrip("/")
        self.session = session or requests.Session()
        self.token: str | None = None
        self.node_id: int | None = None
        self.organization_id: int | None = None
        self.collaboration_id: int | None = None
        self._api_key: str | None = None
        self._refresh_token: str | None = None
        self._expires = 0.0
        self._lock = threading.Lock()

    # -- logging in --------------------------------------------------------------------------

    def authenticate(
        self, api_key: str, patience: float = 300.0, stop: threading.Event | None = None
    ) -> None:
        """Log in, retrying transient failures for up to ``patience`` seconds.

        Raises :class:`Rejected` on a refused key, :class:`Unreachable` when out of patience
        and :class:`Interrupted` as soon as ``stop`` is set while it waits to retry.
        """
        stop = stop or threading.Event()
        self._api_key = api_key
        deadline = time.monotonic() + patience
        for delay in backoff():
            try:
                with self._lock:
                    self._login()
                break
            except ServerError as exc:
                if not exc.transient:
                    raise
                if time.monotonic() + delay > deadline:
                    raise Unreachable(exc.status, f"{self.base_url} unreachable: {exc.msg}")
                log.warning("Server not available (%s); trying again in %.1f s", exc.msg, delay)
                if stop.wait(delay):
                    raise Interrupted(f"stopped while waiting for {self.base_url}") from None
        node = self.request("GET", f"/node/{self.node_id}")
        self.organization_id = node["organization"]["id"]
        self.collaboration_id = node["collaboration"]["id"]

    def _login(self) -> None:
        answer = self._send("POST", "/token/node", json={"api_key": self._api_key}, token=None)
        if answer.status_code == 401:
            raise Rejected(401, "the server refused the node's API key")
        self._take_tokens(self._answer(answer))

    def _refresh(self) -> None:
        """A new token pair from the refresh token; a log-in again when that is refused."""
        answer = self._send("POST", "/token/refresh", token=self._refresh_token)
        if answer.status_code == 401:
            log.info("Refresh token refused; logging in again with the API key")
            self._login()
        else:
            self._take_tokens(self._answer(answer))

    def _take_tokens(self, body: dict) -> None:
        self.token = body["access_token"]
        self._refresh_token = body["refresh_token"]
        claims = jwt.decode(self.token, options={"verify_signature": False})
        self.node_id = int(claims["sub"])
        self._expires = float(claims.get("exp", time.time() + 3600))

    def fresh_token(self, force: bool = False) -> str:
        """The access token, refreshed first when it (nearly) expired or ``force``."""
        with self._lock:
            if force or time.time() > self._expires - REFRESH_MARGIN:
                self._refresh()
            return self.token

    def relogin(self) -> None:
        """Log in again with the API key (after the server said the token is invalid)."""
        with self._lock:
            self._login()

    # -- requests ----------------------------------------------------------------------------

    def request(self, method: str, path: str, params=None, json=None, attempts: int = 4):
        """The JSON answer of an API call; :class:`ServerError` on an error status.
        Transient failures are tried ``attempts`` times, with backoff."""
        delays = backoff()
        for attempt in range(1, attempts + 1):
            try:
                return self._authorized(method, path, params, json)
            except ServerError as exc:
                if not exc.transient or attempt == attempts:
                    raise
                delay = next(delays)
                log.warning("%s %s failed (%s); again in %.1f s", method, path, exc.msg, delay)
                time.sleep(delay)

    def _authorized(self, method, path, params, json):
        answer = self._send(method, path, params, json, self.fresh_token())
        if answer.status_code == 401:
            answer = self._send(method, path, params, json, self.fresh_token(force=True))
        return self._answer(answer)

    def pages(self, path: str, params=None) -> Iterator[dict]:
        """Every item of a paged list, page after page."""
        page = 1
        while True:
            body = self.request("GET", path, {**(params or {}), "page": page, "per_page": PER_PAGE})
            yield from body["data"]
            if "next" not in body.get("links", {}):
                return
            page += 1

    def _send(self, method, path, params=None, json=None, token=None) -> requests.Response:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        try:
            return self.session.request(
                method,
                self.base_url + path,
                params=params,
                json=json,
                headers=headers,
                timeout=TIMEOUT,
            )
        except requests.RequestException as exc:
            raise ServerError(0, f"{type(exc).__name__}: {_short(exc)}") from None

    @staticmethod
    def _answer(answer: requests.Response):
        try:
            body = answer.json()
        except ValueError:
            body = None
        if answer.status_code >= 400:
            message = body.get("msg") if isinstance(body, dict) else None
            raise ServerError(answer.status_code, message or answer.reason or "error")
        return body

    def close(self) -> None:
        self.session.close()


def _short(exc: Exception) -> str:
    """The first line of an exception, without urllib3's long retry preambles."""
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text[:300]
