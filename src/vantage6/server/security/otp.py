"""Time-based one-time passwords (TOTP, RFC 6238) as the second login factor, via pyotp."""

from __future__ import annotations

import time

import pyotp
from sqlalchemy import or_, update
from sqlalchemy.orm import object_session

from vantage6.server.models import User

ENROL_MSG = (
    "Two-factor authentication is obligatory on this server. Scan the QR code (or enter the "
    "secret) in an authenticator app, then log in with the code it shows."
)
DRIFT_STEPS = 1  # the codes of the 30 seconds before and after count too: clocks drift


def enrol(user: User, server_name: str) -> dict:
    """Give ``user`` a new secret and answer what an authenticator app needs to use it.

    This answer is the only place the secret ever leaves the server.
    """
    secret = pyotp.random_base32()
    user.otp_secret = secret
    user.otp_last_step = None  # no code of the new secret has been used yet
    uri = pyotp.TOTP(secret).provisioning_uri(
        name=user.username, issuer_name=f"vantage6 ({server_name})"
    )
    return {"qr_uri": uri, "otp_secret": secret, "msg": ENROL_MSG}


def accept_code(user: User, code: str) -> bool:
    """Whether ``code`` is a current code of ``user`` for a later time-step than the last code
    accepted, which it then becomes: a code logs in once, so one that was overheard is of no
    use. The step is claimed by a conditional UPDATE, so of concurrent logins with the same
    code only one succeeds, whatever copy of the user each of them holds."""
    step = _step_of(user.otp_secret, code)
    if step is None:
        return False
    claimed = object_session(user).execute(
        update(User)
        .where(User.id == user.id)
        .where(or_(User.otp_last_step.is_(None), User.otp_last_step < step))
        .values(otp_last_step=step)
    )
    return claimed.rowcount == 1


def _step_of(secret: str | None, code: str) -> int | None:
    """The time-step (within the allowed drift) whose code ``code`` is; the latest if several."""
    if not secret:
        return None
    totp = pyotp.TOTP(secret)
    now = totp.timecode(time.time())
    steps = range(now - DRIFT_STEPS, now + DRIFT_STEPS + 1)
    return max(
        (step for step in steps if pyotp.utils.strings_equal(code, totp.generate_otp(step))),
        default=None,
    )
