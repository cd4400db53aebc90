"""HTTP to the server: JSON in and out, error answers as :class:`ServerError`, tokens refreshed
before they expire (or once when the server says one has), and a bounded retry when the server
cannot be reached, for requests that are safe to repeat.

Unlike the original client, nothing is re-sent after an error answer: a POST the server
refused is not posted again, and a server that is down is not retried forever.
"""

from __future__ import annotations

import base64
import json
import logging
import time

import requests

from vantage6.client.errors import AuthenticationError, ClientError, ServerError, ServerUnreachable

log = logging.getLogger(__name__)

# Requests that change nothing more when repeated: only these are retried after a connection
# problem, since the first attempt may have reached the server before the connection broke.
IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
CONNECT_ATTEMPTS = 3
REFRESH_MARGIN_SECONDS = 60
NOT_LOGGED_IN = "Not logged in: call client.authenticate(username, password) first"


class Connection:
    """One server's API (``base_url`` such as ``http://localhost:7601/api``) and the tokens of
    the account logged in there."""

    def __init__(self, base_url: str, timeout: float = 60):
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.session = requests.Session()
        self.access_token: str | None = None
        self.refresh_token: str | None = None
        self._refresh_at: float | None = None

    def use_tokens(self, answer: dict) -> None:
        """Keep the access and refresh token of a login or refresh answer."""
        self.access_token = answer["access_token"]
        self.refresh_token = answer.get("refresh_token")
        self._refresh_at = refresh_moment(self.access_token)

    def fresh_token(self) -> str:
        """The access token, refreshed first when it is about to expire."""
        if self.access_token is None:
            raise AuthenticationError(NOT_LOGGED_IN)
        if self._refresh_at is not None and time.time() >= self._refresh_at:
            self.refresh()
        return self.access_token

    def request(self, method: str, endpoint: str, params=None, json=None, authenticated=True):
        """The decoded JSON answer of ``method`` on ``endpoint`` (relative to the API path)."""
        method = method.upper()
        url = f"{self.base_url}/{endpoint.lstrip('/')}"
        token = self.fresh_token() if authenticated else None
        response = self._send(method, url, params, json, token)
        if response.status_code == 401 and authenticated and self._expired(response):
            # The server checked the token before doing anything, so repeating is safe.
            self.refresh()
            response = self._send(method, url, params, json, self.access_token)
        return answer(method, response)

    def refresh(self) -> None:
        """Trade the refresh token for a new pair; a refused refresh ends the session."""
        if self.refresh_token is None:
            raise AuthenticationError("The session has expired: log in again")
        log.debug("Refreshing the access token")
        response = self._send(
            "POST", f"{self.base_url}/token/refresh", None, None, self.refresh_token
        )
        if response.status_code == 401:
            self.access_token = self.refresh_token = self._refresh_at = None
            raise AuthenticationError(
                f"The session has ended ({message(response)}): log in again with "
                "client.authenticate(...)"
            )
        self.use_tokens(answer("POST", response))

    def _expired(self, response: requests.Response) -> bool:
        """Whether a 401 is about an expired access token (and a refresh may help)."""
        return self.refresh_token is not None and "expired" in message(response)

    def _send(self, method, url, params, json, token: str | None) -> requests.Response:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        attempts = CONNECT_ATTEMPTS if method in IDEMPOTENT else 1
        for attempt in range(1, attempts + 1):
            try:
                response = self.session.request(
                    method, url, params=params, json=json, headers=headers, timeout=self.timeout
                )
            except (requests.ConnectionError, requests.Timeout) as exc:
                if attempt == attempts:
                    raise ServerUnreachable(unreachable(method, url, exc, attempts)) from None
                log.debug("%s %s failed (%s); trying again", method, url, exc)
                time.sleep(0.5 * 2**attempt)
            except requests.RequestException as exc:
                raise ClientError(f"{method} {url}: {exc}") from None
            else:
                log.debug("%s %s -> %s", method, response.url, response.status_code)
                return response


def answer(method: str, response: requests.Response):
    """The JSON body of a successful answer; a :class:`ServerError` for an error status."""
    if response.status_code >= 400:
        body = _json(response)
        errors = body.get("errors") if isinstance(body, dict) else None
        raise ServerError(
            response.status_code, message(response), errors, method, response.request.path_url
        )
    if not response.content:
        return None
    body = _json(response)
    if body is None:
        raise ClientError(
            f"{method} {response.url} answered {response.headers.get('Content-Type')!r}, not "
            "JSON: is this the address of a vantage6 server's API?"
        )
    return body


def message(response: requests.Response) -> str:
    """The server's explanation (``{"msg": ...}``), else the start of whatever it sent."""
    body = _json(response)
    if isinstance(body, dict) and isinstance(body.get("msg"), str):
        return body["msg"]
    return response.text[:200].strip() or response.reason or "no explanation given"


def _json(response: requests.Response):
    try:
        return response.json()
    except ValueError:
        return None


def unreachable(method: str, url: str, exc: Exception, attempts: int) -> str:
    cause = exc.__class__.__name__
    if isinstance(exc, requests.ReadTimeout) and method not in IDEMPOTENT:
        return (
            f"{method} {url}: no answer within the time limit ({cause}); the server may or may "
            "not have carried it out"
        )
    tries = f" (tried {attempts} times)" if attempts > 1 else ""
    return f"{method} {url}: the server cannot be reached{tries}: {cause}: {reason(exc)}"


def reason(exc: Exception) -> str:
    """The cause inside a requests error, e.g. '[Errno 111] Connection refused'."""
    inner = exc.args[0] if exc.args else exc
    inner = getattr(inner, "reason", inner)  # urllib3's MaxRetryError wraps the cause
    return str(inner).rsplit(">: ", 1)[-1]


def refresh_moment(token: str) -> float | None:
    """When to refresh a token: shortly before it expires (a fifth of its life, at most a
    minute, before). Read without verification, which is the server's job."""
    try:
        payload = token.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        expires, issued = float(claims["exp"]), float(claims.get("iat", claims["exp"]))
    except (IndexError, KeyError, TypeError, ValueError):
        return None
    return expires - min(REFRESH_MARGIN_SECONDS, (expires - issued) / 5)
