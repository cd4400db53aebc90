"""Tokens mailed to a user (a reset, a confirmation): whose they are, and whether they still
fit what they were issued for."""

from __future__ import annotations

from pyramid.httpexceptions import HTTPBadRequest

from vantage6.server.models import User
from vantage6.server.security.jwt_backend import token_account
from vantage6.server.security.tokens import (
    CONFIRM_EMAIL,
    ENROL_TWO_FACTOR,
    RESET_PASSWORD,
    RESET_TWO_FACTOR,
    InvalidToken,
)

NAMES = {
    RESET_PASSWORD: "reset",
    RESET_TWO_FACTOR: "reset",
    ENROL_TWO_FACTOR: "enrolment",
    CONFIRM_EMAIL: "confirmation",
}


def token_user(request, token: str, kind: str, current_secret) -> tuple[User, dict]:
    """The user a token of ``kind`` was mailed to, and its claims. The user is locked until
    this request ends, so that the token cannot be used twice at once; 400 when the token
    does not (or no longer) fit ``current_secret(user)``, the value it was bound to."""
    tokens = request.registry["vantage6.tokens"]
    session = request.dbsession
    try:
        claims = tokens.decode(token, kind=kind)
        user = token_account(session, claims)
        if user is None:
            raise InvalidToken("the user of this token no longer exists")
        if not isinstance(user, User):
            raise InvalidToken("invalid token (unknown subject)")
        session.refresh(user, with_for_update=True)
        tokens.check_binding(claims, current_secret(user))
    except InvalidToken as exc:
        raise HTTPBadRequest(f"The {NAMES[kind]} token is not valid: {exc}") from None
    return user, claims
