"""Who is on the other end of a socket, asked of the same auth hooks as every REST request
(``vantage6_identify``: deployment plugins first, the built-in JWT backend last).

They are asked with a request made from the socket's credentials: the handshake's headers, and
a token sent as the first message as if it had come in an ``Authorization`` header. The same
is asked again at every re-check, so a socket lives exactly as long as a REST request with
those credentials would be accepted (account still there, password or API key unchanged,
token not expired, and whatever a plugin checks).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import jwt
from pyramid.httpexceptions import HTTPException
from pyramid.request import Request
from pyramid.scripting import prepare

from vantage6.server.events.websocket import (
    NO_TOKEN,
    POLICY_VIOLATION,
    TOKEN_EXPIRED,
    TOKEN_INVALID,
    TRY_AGAIN_LATER,
)
from vantage6.server.security.identity import Identity
from vantage6.server.security.jwt_backend import AUTH_ERROR

SOCKET_KINDS = ("user", "node")


class Refusal(Exception):
    """Why a socket is refused or ended: a close code and a reason for the client."""

    def __init__(self, code: int, reason: str):
        super().__init__(reason)
        self.code = code
        self.reason = reason


@dataclass(frozen=True)
class Credentials:
    """What a socket proves itself with: the handshake's CGI variables and headers."""

    environ: dict[str, str]

    @classmethod
    def of(cls, request) -> Credentials:
        return cls({key: value for key, value in request.environ.items() if isinstance(value, str)})

    @property
    def token(self) -> str | None:
        scheme, _, token = self.environ.get("HTTP_AUTHORIZATION", "").partition(" ")
        return token.strip() if scheme.lower() == "bearer" and token.strip() else None

    def with_token(self, token: str) -> Credentials:
        return Credentials({**self.environ, "HTTP_AUTHORIZATION": f"Bearer {token}"})


def identify(registry, credentials: Credentials) -> tuple[Identity, float | None]:
    """The identity ``credentials`` prove, and when that proof expires (epoch seconds)."""
    request = Request.blank(credentials.environ.get("PATH_INFO", "/"), environ=credentials.environ)
    with prepare(request=request, registry=registry):
        try:
            with request.tm:  # a plugin may read (or write) with request.dbsession
                identity = request.identity
        except HTTPException as exc:  # a plugin's answer, e.g. 503 for an unreachable directory
            code = TRY_AGAIN_LATER if exc.code >= 500 else TOKEN_INVALID
            raise Refusal(code, exc.detail or exc.title) from None
        problem = request.environ.get(AUTH_ERROR)
    if identity is None:
        raise _refusal(credentials.token, problem)
    if identity.kind not in SOCKET_KINDS:
        raise Refusal(POLICY_VIOLATION, "only users and nodes may open the event socket")
    expires = identity.claims.get("exp")
    return identity, float(expires) if isinstance(expires, int | float) else None


def _refusal(token: str | None, problem: str | None) -> Refusal:
    if token is None:
        return Refusal(NO_TOKEN, 'no token: send an Authorization header or {"token": ...}')
    code = TOKEN_EXPIRED if _has_expired(token) else TOKEN_INVALID
    return Refusal(code, problem or "this token is not accepted")


def _has_expired(token: str) -> bool:
    """Whether a refused token is (also) past its expiry: the client should refresh it rather
    than log in again."""
    try:
        claims = jwt.decode(token, options={"verify_signature": False})
    except jwt.InvalidTokenError:
        return False
    expires = claims.get("exp")
    return isinstance(expires, int | float) and expires <= time.time()
