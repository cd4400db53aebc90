"""``/recover/*``: a lost password or two-factor secret, reset with a token sent by email; and
the first two-factor secret, when the server sends it only to the owner of the address."""

from __future__ import annotations

import datetime as dt
import logging
from operator import attrgetter

import colander
from pyramid.httpexceptions import HTTPBadRequest
from pyramid.security import NO_PERMISSION_REQUIRED
from sqlalchemy import select

from vantage6.server.api.answers import MESSAGE, SecondFactor, answers
from vantage6.server.api.emailed_tokens import token_user
from vantage6.server.api.errors import Refused
from vantage6.server.api.failed_login import refuse_login
from vantage6.server.api.schema import Body, documented, json_body, text
from vantage6.server.api.service import api_service
from vantage6.server.mail import mailer
from vantage6.server.models import User
from vantage6.server.models.types import utcnow
from vantage6.server.security import otp
from vantage6.server.security.login import check_login, password_problem
from vantage6.server.security.tokens import (
    ENROL_TWO_FACTOR,
    RESET_PASSWORD,
    RESET_TWO_FACTOR,
)

log = logging.getLogger(__name__)

lost_password = api_service("recover_lost", "/recover/lost")
reset_password = api_service("recover_reset", "/recover/reset")
lost_two_factor = api_service("recover_2fa_lost", "/recover/2fa/lost")
reset_two_factor = api_service("recover_2fa_reset", "/recover/2fa/reset")
enrol_two_factor = api_service("recover_2fa_enrol", "/recover/2fa/enrol")

PASSWORD_MAIL_SENT = (
    "If the username or email is known here, an email with a reset token is on its way"
)
TWO_FACTOR_MAIL_SENT = (
    "If your account has an email address, a token to reset your two-factor authentication is "
    "on its way to it"
)
ENROLMENT_MAIL_SENT = (
    "Two-factor authentication is obligatory on this server. A token to set it up is on its way "
    "to your email address: send it to /recover/2fa/enrol"
)
NO_ADDRESS = (
    "Two-factor authentication is obligatory on this server, and it is set up with a token sent "
    "by email, but your account has no email address: ask an administrator to add one"
)
NO_SMTP = "no SMTP server is configured (vantage6.smtp.host), so no email can be sent"
NO_TWO_FACTOR = "Two-factor authentication is not enabled on this server"
NEW_SECOND_FACTOR = answers(200, SecondFactor(), "The new second factor")


def _name(**kw):
    return text(validator=colander.Length(min=1, max=256), **kw)


def _secret(**kw):
    return text(validator=colander.Length(min=1, max=4096), **kw)


class LostPassword(Body):
    username = _name(missing=colander.drop)
    email = _name(missing=colander.drop)

    @documented(minProperties=1)
    def validator(self, node, value):
        if not value:
            raise colander.Invalid(node, "send the username or the email of the account")


class ResetPassword(Body):
    reset_token = _secret()
    password = text(validator=colander.Length(min=1, max=1024))


class LostTwoFactor(Body):
    username = _name()
    password = text(validator=colander.Length(min=1, max=1024))


class ResetTwoFactor(Body):
    reset_token = _secret()


class EnrolTwoFactor(Body):
    enrol_token = _secret()


@lost_password.post(
    permission=NO_PERMISSION_REQUIRED,
    schema=LostPassword(),
    validators=(json_body,),
    response_schemas=MESSAGE,
)
def recover_password(request):
    """Email a password reset token; the answer never tells whether the account exists."""
    mail = mailer(request.registry)
    if not mail.configured:
        log.warning("A password reset was asked for, but %s", NO_SMTP)
        return {"msg": PASSWORD_MAIL_SENT}
    body = request.validated
    # The username wins when both are sent, as in the original server.
    where = {"username": body["username"]} if "username" in body else {"email": body["email"]}
    # An address is unique within an organization only: each of its accounts gets a token.
    users = request.dbsession.scalars(
        select(User).filter_by(**where).with_for_update()  # one email, even when asked twice
    )
    tokens = request.registry["vantage6.tokens"]
    for user in users:
        if _reset_email_due(user, request.registry.settings):
            token = tokens.issue_reset(RESET_PASSWORD, user.id, user.secret_hash)
            mail.password_reset(request, user, token)
    return {"msg": PASSWORD_MAIL_SENT}


def _reset_email_due(user: User, settings: dict) -> bool:
    now = utcnow()
    minutes = settings["vantage6.between_user_emails_minutes"]
    last = user.last_email_recover_password_sent
    if last and now < last + dt.timedelta(minutes=minutes):
        log.info(
            "Not emailing user %r another reset token within %d minutes", user.username, minutes
        )
        return False
    user.last_email_recover_password_sent = now
    return True


@reset_password.post(
    permission=NO_PERMISSION_REQUIRED,
    schema=ResetPassword(),
    validators=(json_body,),
    response_schemas=MESSAGE,
)
def reset_password_with_token(request):
    """Set a new password with an emailed token; this also lifts a lockout."""
    body = request.validated
    user, _ = token_user(request, body["reset_token"], RESET_PASSWORD, attrgetter("secret_hash"))
    problem = password_problem(body["password"])
    if problem:
        raise HTTPBadRequest(problem)
    user.password = body["password"]
    user.failed_login_attempts = 0
    user.password_reset_at = utcnow()
    log.info("User %r reset their password with an emailed token", user.username)
    return {"msg": "Your password has been reset"}


@lost_two_factor.post(
    permission=NO_PERMISSION_REQUIRED,
    schema=LostTwoFactor(),
    validators=(json_body,),
    response_schemas=MESSAGE,
)
def recover_two_factor(request):
    """Email a token to reset the two-factor secret, to whoever knows the password."""
    settings = request.registry.settings
    if not settings["vantage6.two_factor_auth"]:
        raise HTTPBadRequest(NO_TWO_FACTOR)
    body = request.validated
    result = check_login(request, body["username"], body["password"])
    if result.user is None:
        return refuse_login(request, result)
    user = result.user
    _refuse_right_after_a_password_reset(user, settings)
    mail = mailer(request.registry)
    if mail.configured:
        tokens = request.registry["vantage6.tokens"]
        token = tokens.issue_reset(RESET_TWO_FACTOR, user.id, user.otp_secret)
        mail.two_factor_reset(request, user, token)
    else:
        log.warning(
            "User %r asked to reset two-factor authentication, but %s", user.username, NO_SMTP
        )
    return {"msg": TWO_FACTOR_MAIL_SENT}


def _refuse_right_after_a_password_reset(user: User, settings: dict) -> None:
    """Whoever reads the account's email can reset its password; if they could then reset the
    second factor through the same mailbox, it would protect nothing. So for a while after
    an emailed password reset, the second factor is reset by an administrator only."""
    hours = settings["vantage6.two_factor_reset_hold_hours"]
    if user.password_reset_at and utcnow() < user.password_reset_at + dt.timedelta(hours=hours):
        log.warning(
            "User %r asked to reset two-factor authentication right after an emailed password "
            "reset; refused",
            user.username,
        )
        raise Refused(
            f"Your password was reset by email less than {hours} hours ago, so your two-factor "
            "authentication cannot also be reset by email now; try again later, or ask the "
            "server's administrator"
        )


@reset_two_factor.post(
    permission=NO_PERMISSION_REQUIRED,
    schema=ResetTwoFactor(),
    validators=(json_body,),
    response_schemas=NEW_SECOND_FACTOR,
)
def reset_two_factor_with_token(request):
    """A new two-factor secret (and its QR code) for the holder of an emailed token."""
    return _new_second_factor(request, request.validated["reset_token"], RESET_TWO_FACTOR)


def start_enrolment(request, user: User) -> dict:
    """The answer to the first login (with the right password) of a user who has no second
    factor yet. With ``vantage6.two_factor_enrolment = password`` it holds the new secret, so
    whoever logs in first enrols; with ``email`` the secret goes only to whoever can read the
    account's email, by way of an enrolment token for :func:`enrol_two_factor_with_token`."""
    settings = request.registry.settings
    if settings["vantage6.two_factor_enrolment"] == "password":
        return otp.enrol(user, settings["vantage6.server_name"])
    if not user.email:
        return {"msg": NO_ADDRESS}
    token = request.registry["vantage6.tokens"].issue_reset(
        ENROL_TWO_FACTOR, user.id, user.otp_secret
    )
    mailer(request.registry).two_factor_enrolment(request, user, token)
    return {"msg": ENROLMENT_MAIL_SENT}


@enrol_two_factor.post(
    permission=NO_PERMISSION_REQUIRED,
    schema=EnrolTwoFactor(),
    validators=(json_body,),
    response_schemas=NEW_SECOND_FACTOR,
)
def enrol_two_factor_with_token(request):
    """The first two-factor secret (and its QR code), for the holder of an emailed token."""
    return _new_second_factor(request, request.validated["enrol_token"], ENROL_TWO_FACTOR)


def _new_second_factor(request, token: str, kind: str) -> dict:
    """A new two-factor secret for the holder of an emailed ``kind`` token; the token is bound
    to the secret it replaces, so it works once."""
    settings = request.registry.settings
    if not settings["vantage6.two_factor_auth"]:
        raise HTTPBadRequest(NO_TWO_FACTOR)
    user, _ = token_user(request, token, kind, attrgetter("otp_secret"))
    log.info("User %r got a new two-factor secret with an emailed %s token", user.username, kind)
    return otp.enrol(user, settings["vantage6.server_name"])
