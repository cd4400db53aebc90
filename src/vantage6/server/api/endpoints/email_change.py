"""Changing a user's email address, which is the key to their account: a password reset is
mailed there. So nobody sets another user's address outright, and nobody sets their own
without proving who they are.

- Your own address: send ``current_password`` (and ``mfa_code`` when two-factor
  authentication is on) with the new ``email``; a stolen access token alone cannot change it.
- Someone else's address: the change waits for its owner, who is mailed a token at the
  current address and confirms with ``POST /user/email/confirm``.
"""

from __future__ import annotations

import logging

import colander
from pyramid.httpexceptions import HTTPBadRequest
from pyramid.security import NO_PERMISSION_REQUIRED

from vantage6.server.api.answers import MESSAGE
from vantage6.server.api.emailed_tokens import token_user
from vantage6.server.api.errors import Refused
from vantage6.server.api.failed_login import refuse_login
from vantage6.server.api.schema import Body, json_body, text
from vantage6.server.api.service import api_service
from vantage6.server.api.writes import flush_or_400
from vantage6.server.mail import mailer
from vantage6.server.models import User
from vantage6.server.security.login import check_password, check_second_factor
from vantage6.server.security.tokens import CONFIRM_EMAIL

log = logging.getLogger(__name__)

confirm_email = api_service("user_email_confirm", "/user/email/confirm")

PROOF_NEEDED = (
    "To change your own email address, send your current password as current_password{code}"
)
WRONG_PASSWORD = "Your current password is not correct"


class EmailConfirmation(Body):
    token = text(validator=colander.Length(min=1, max=4096))


def change_own_email(request, user: User, body: dict):
    """None when the caller proved it is them (password, and code when two-factor is on);
    else the answer to send: 400 without proof, 401 for a wrong one (counted as a failed
    login, so this is no way around lockout)."""
    settings = request.registry.settings
    two_factor = settings["vantage6.two_factor_auth"]
    if "current_password" not in body or (two_factor and "mfa_code" not in body):
        raise HTTPBadRequest(PROOF_NEEDED.format(code=" and mfa_code" if two_factor else ""))
    request.dbsession.refresh(user, with_for_update=True)
    result = check_password(user, body["current_password"], settings, problem=WRONG_PASSWORD)
    if result.user is not None and two_factor:
        result = check_second_factor(user, body["mfa_code"], settings)
    if result.user is None:
        return refuse_login(request, result)
    log.info("User %r changed their email address", user.username)
    return None


def ask_owner_to_confirm(request, user: User, new_email: str) -> str:
    """Mail ``user`` at their current address a token that sets ``new_email``; what to tell
    the caller. 403 when no confirmation can reach them."""
    mail = mailer(request.registry)
    if not user.email or not mail.configured:
        raise Refused(
            f"The email address of user {user.id} can only be changed by the user themselves: "
            "the change must be confirmed by mail to their current address, and "
            + ("they have none" if mail.configured else "this server sends no email")
        )
    tokens = request.registry["vantage6.tokens"]
    token = tokens.issue_reset(CONFIRM_EMAIL, user.id, user.email, new_email=new_email)
    mail.email_change(request, user, token, new_email)
    log.info("User %r was asked to confirm a change of their email address", user.username)
    return (
        f"The new email address of user {user.id} takes effect once they confirm it: a token "
        "is on its way to their current address"
    )


@confirm_email.post(
    permission=NO_PERMISSION_REQUIRED,
    schema=EmailConfirmation(),
    validators=(json_body,),
    response_schemas=MESSAGE,
)
def confirm_email_change(request):
    """Set the address that an administrator asked for, with the token mailed to the owner."""
    token = request.validated["token"]
    user, claims = token_user(request, token, CONFIRM_EMAIL, lambda user: user.email)
    new_email = claims.get("new_email")
    if not isinstance(new_email, str) or not new_email:
        raise HTTPBadRequest("The token is not valid: it names no email address")
    user.email = new_email
    flush_or_400(request, user)
    log.info("User %r confirmed a change of their email address", user.username)
    return {"msg": "Your email address has been changed"}
