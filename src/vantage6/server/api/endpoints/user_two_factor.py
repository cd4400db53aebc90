"""``/user/{id}/2fa/reset``: an administrator clears another user's two-factor secret, for
someone whose authenticator is lost and who cannot use the emailed reset (it needs their
password and a working email address). They set up two-factor again at their next login."""

from __future__ import annotations

import logging

from pyramid.httpexceptions import HTTPBadRequest

from vantage6.server.api.answers import MESSAGE
from vantage6.server.api.endpoints.recover import NO_TWO_FACTOR
from vantage6.server.api.errors import Refused
from vantage6.server.api.grants import require_outranks
from vantage6.server.api.service import api_service
from vantage6.server.mail import mailer
from vantage6.server.models import User

log = logging.getLogger(__name__)

reset = api_service("user_2fa_reset", "/user/{id}/2fa/reset", traverse="/users/{id}")


@reset.post(permission="edit", response_schemas=MESSAGE)
def reset_two_factor(request):
    """Clear the user's two-factor secret. Refused for oneself: a stolen session must not be
    able to strip the second factor that guards the password; /recover/2fa/lost is the way."""
    if not request.registry.settings["vantage6.two_factor_auth"]:
        raise HTTPBadRequest(NO_TWO_FACTOR)
    target = request.context.row
    identity = request.identity
    if target.id == identity.id:
        raise Refused(
            "You cannot reset your own two-factor authentication here: ask an administrator, "
            "or ask for a reset token by email (/recover/2fa/lost)"
        )
    require_outranks(request, target, "reset the two-factor authentication of")
    if target.otp_secret is None:
        return {"msg": f"User {target.id} has not set up two-factor authentication yet"}
    target.otp_secret = None
    target.otp_last_step = None
    admin = request.dbsession.get(User, identity.id).username  # "edit" is a user's rule only
    mailer(request.registry).two_factor_cleared(request, target, admin)
    log.info("User %r reset the two-factor authentication of user %r", admin, target.username)
    return {
        "msg": f"The two-factor authentication of user {target.id} was reset: they set it up "
        "again at their next login"
    }
