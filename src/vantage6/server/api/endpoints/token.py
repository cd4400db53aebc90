"""``/token/*``: log in as a user (with a second factor when the server requires one) or
node, and refresh an access token."""

from __future__ import annotations

import colander
from pyramid.security import NO_PERMISSION_REQUIRED

from vantage6.server.api.answers import Login, Tokens, answers
from vantage6.server.api.endpoints.recover import start_enrolment
from vantage6.server.api.errors import json_error
from vantage6.server.api.failed_login import refuse_login
from vantage6.server.api.schema import Body, json_body, optional_text, text
from vantage6.server.api.service import api_service
from vantage6.server.models import Node, User
from vantage6.server.security.jwt_backend import bearer_token, bound_account
from vantage6.server.security.login import (
    FAILED,
    check_login,
    check_second_factor,
    login_succeeded,
)
from vantage6.server.security.tokens import InvalidToken

CODE_MISSING = "Please include your two-factor authentication code"

user_token = api_service("token_user", "/token/user")
node_token = api_service("token_node", "/token/node")
refresh_token = api_service("token_refresh", "/token/refresh")

TOKENS = answers(200, Tokens(), "Logged in")


class UserLogin(Body):
    username = text(validator=colander.Length(min=1, max=256))
    password = text(validator=colander.Length(min=1, max=1024))
    mfa_code = optional_text(
        validator=colander.Regex(
            r"^([0-9]{6})?$", "must be the six-digit code from your authenticator app"
        )
    )


class NodeLogin(Body):
    api_key = text(validator=colander.Length(min=1, max=1024))


def token_pair(request, account) -> dict:
    """The original server's token answer, plus the access token in a ``jwt-token`` header."""
    tokens = request.registry["vantage6.tokens"]
    api = request.registry.settings["vantage6.api_path"]
    kind = "user" if isinstance(account, User) else "node"
    claims = {"roles": [role.name for role in account.roles]} if kind == "user" else {}
    access = tokens.issue_login(account, **claims)
    body = {
        "access_token": access,
        "refresh_token": tokens.issue_login(account, kind="refresh"),
        "refresh_url": f"{api}/token/refresh",
        f"{kind}_url": f"{api}/{kind}/{account.id}",
    }
    request.response.headers["jwt-token"] = access
    return body


@user_token.post(
    permission=NO_PERMISSION_REQUIRED,
    schema=UserLogin(),
    validators=(json_body,),
    response_schemas=answers(200, Login(), "Logged in, or the next step of a two-factor login"),
)
def login_user(request):
    body = request.validated
    settings = request.registry.settings
    result = check_login(request, body["username"], body["password"])
    if result.user is None:
        return refuse_login(request, result)
    user = result.user
    if settings["vantage6.two_factor_auth"]:
        if not user.otp_secret:
            return start_enrolment(request, user)
        code = body.get("mfa_code")
        if not code:
            return {"msg": CODE_MISSING}
        result = check_second_factor(user, code, settings)
        if result.user is None:
            return refuse_login(request, result)
    login_succeeded(user)
    return token_pair(request, user)


@node_token.post(
    permission=NO_PERMISSION_REQUIRED,
    schema=NodeLogin(),
    validators=(json_body,),
    response_schemas=TOKENS,
)
def login_node(request):
    node = Node.find_by_api_key(request.reading_dbsession, request.validated["api_key"])
    if node is None:
        return json_error(request, 401, FAILED)
    return token_pair(request, node)


@refresh_token.post(permission=NO_PERMISSION_REQUIRED, response_schemas=TOKENS)
def refresh(request):
    """Trade a refresh token (``Authorization: Bearer <refresh token>``) for a new pair."""
    token = bearer_token(request)
    if token is None:
        return json_error(request, 401, "Send the refresh token as 'Authorization: Bearer <token>'")
    try:
        claims = request.registry["vantage6.tokens"].decode(token, kind="refresh")
        account = bound_account(request, claims)
    except InvalidToken as exc:
        return json_error(request, 401, f"Authentication failed: {exc}")
    return token_pair(request, account)
