"""Who is on the other end of a socket: the same user and node tokens as the REST API, checked
by the same code (signature, expiry, account still there, password or API key unchanged)."""

from __future__ import annotations

import time
from dataclasses import dataclass

import jwt

from vantage6.server.events.websocket import POLICY_VIOLATION, TOKEN_EXPIRED, TOKEN_INVALID
from vantage6.server.security.identity import Identity
from vantage6.server.security.jwt_backend import identity_from_claims
from vantage6.server.security.tokens import InvalidToken


class Refusal(Exception):
    """Why a socket is refused or ended: a close code and a reason for the client."""

    def __init__(self, code: int, reason: str):
        super().__init__(reason)
        self.code = code
        self.reason = reason


@dataclass
class _Lookup:
    """The two things of a request that identity_from_claims reads."""

    registry: object
    dbsession: object


def authenticate(registry, session, token: str) -> tuple[Identity, float | None]:
    """The identity behind ``token`` and when the token expires (epoch seconds)."""
    try:
        claims = registry["vantage6.tokens"].decode(token)
        if claims.get("client_type") not in ("user", "node"):
            raise Refusal(POLICY_VIOLATION, "only users and nodes may open the event socket")
        identity = identity_from_claims(_Lookup(registry, session), claims)
    except InvalidToken as exc:
        raise Refusal(TOKEN_EXPIRED if _has_expired(token) else TOKEN_INVALID, str(exc)) from None
    expires = claims.get("exp")
    return identity, float(expires) if isinstance(expires, int | float) else None


def _has_expired(token: str) -> bool:
    """Whether a refused token is (also) past its expiry: the client should refresh it rather
    than log in again."""
    try:
        claims = jwt.decode(token, options={"verify_signature": False})
    except jwt.InvalidTokenError:
        return False
    expires = claims.get("exp")
    return isinstance(expires, int | float) and expires <= time.time()
