"""The built-in auth backend: ``Authorization: Bearer <JWT>`` for users, nodes and containers.

Registered as a plugin that is asked last, so deployment plugins can identify requests first.
"""

from __future__ import annotations

from vantage6.plugins import hookimpl
from vantage6.server.models import Node, User
from vantage6.server.security.identity import (
    Identity,
    container_identity,
    node_identity,
    user_identity,
)
from vantage6.server.security.tokens import InvalidToken

AUTH_ERROR = "vantage6.auth_error"  # environ key: why a presented token was not accepted


def bearer_token(request) -> str | None:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


@hookimpl(trylast=True)
def vantage6_identify(request) -> Identity | None:
    token = bearer_token(request)
    if token is None:
        return None
    try:
        claims = request.registry["vantage6.tokens"].decode(token)
        return identity_from_claims(request, claims)
    except InvalidToken as exc:
        request.environ[AUTH_ERROR] = str(exc)
        return None


def identity_from_claims(request, claims: dict) -> Identity:
    session = request.dbsession
    client_type = claims["client_type"]
    if client_type == "container":
        return container_identity(session, claims)
    model = {"user": User, "node": Node}.get(client_type)
    subject = claims["sub"]
    if model is None or not isinstance(subject, (int, str)) or not str(subject).isdigit():
        raise InvalidToken("invalid token (unknown subject)")
    account = session.get(model, int(subject))
    if account is None:
        raise InvalidToken(f"the {client_type} of this token no longer exists")
    if model is User:
        return user_identity(session, account, claims)
    return node_identity(session, account, claims)
