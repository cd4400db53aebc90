"""``/password/change``: a logged-in user sets a new password, proving the current one."""

from __future__ import annotations

import logging

import colander
from cornice import Service
from pyramid.authorization import DENY_ALL, Allow
from pyramid.httpexceptions import HTTPBadRequest

from vantage6.server.api.answers import MESSAGE
from vantage6.server.api.errors import cornice_errors
from vantage6.server.api.failed_login import refuse_login
from vantage6.server.api.schema import Body, json_body, text
from vantage6.server.models import User
from vantage6.server.security.login import check_password, login_succeeded, password_problem

log = logging.getLogger(__name__)

WRONG_PASSWORD = "Your current password is not correct"


class OwnAccount:
    """The caller's own account: a user may change it; nodes and containers have none."""

    __name__ = ""
    __parent__ = None

    def __init__(self, request):
        self.request = request

    def __acl__(self):
        identity = self.request.identity
        if identity is None or identity.kind != "user":
            return [DENY_ALL]
        return [(Allow, identity.principal, "edit"), DENY_ALL]


change_password = Service(
    name="password_change",
    path="/password/change",
    factory=OwnAccount,
    error_handler=cornice_errors,
    description="Change your own password",
)


class PasswordChange(Body):
    current_password = text(validator=colander.Length(min=1, max=1024))
    new_password = text(validator=colander.Length(min=1, max=1024))


@change_password.patch(
    permission="edit", schema=PasswordChange(), validators=(json_body,), response_schemas=MESSAGE
)
def patch_password(request):
    """A wrong current password counts as a failed login, so this is no way around lockout."""
    body = request.validated
    # Locked and read afresh: concurrent changes take turns, each checked against the last.
    user = request.dbsession.get(
        User, request.identity.id, with_for_update=True, populate_existing=True
    )
    settings = request.registry.settings
    result = check_password(user, body["current_password"], settings, problem=WRONG_PASSWORD)
    if result.user is None:
        return refuse_login(request, result)
    if body["new_password"] == body["current_password"]:
        raise HTTPBadRequest("The new password is the same as the current one")
    problem = password_problem(body["new_password"])
    if problem:
        raise HTTPBadRequest(problem)
    user.password = body["new_password"]
    login_succeeded(user)
    log.info("User %r changed their password", user.username)
    return {"msg": "Your password has been changed"}
