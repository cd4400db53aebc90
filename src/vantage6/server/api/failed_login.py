"""The answer to a failed login check, wherever a password or code is checked (logging in,
changing the password, asking for a two-factor reset)."""

from __future__ import annotations

from vantage6.server.api.errors import json_error
from vantage6.server.mail import mailer
from vantage6.server.models.types import utcnow
from vantage6.server.security.login import LoginResult, blocked_until


def refuse_login(request, result: LoginResult):
    """401, returned rather than raised so that the failure is committed; the owner of an
    account this leaves blocked hears about it by email."""
    if result.notify is not None:
        settings = request.registry.settings
        until = blocked_until(result.notify, settings, utcnow())
        mailer(request.registry).lockout(request, result.notify, until)
    return json_error(request, 401, result.problem)
