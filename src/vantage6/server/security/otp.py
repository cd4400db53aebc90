"""Time-based one-time passwords (TOTP, RFC 6238) as the second login factor, via pyotp."""

from __future__ import annotations

import pyotp

from vantage6.server.models import User

ENROL_MSG = (
    "Two-factor authentication is obligatory on this server. Scan the QR code (or enter the "
    "secret) in an authenticator app, then log in with the code it shows."
)


def enrol(user: User, server_name: str) -> dict:
    """Give ``user`` a new secret and answer what an authenticator app needs to use it.

    This answer is the only place the secret ever leaves the server.
    """
    secret = pyotp.random_base32()
    user.otp_secret = secret
    uri = pyotp.TOTP(secret).provisioning_uri(
        name=user.username, issuer_name=f"vantage6 ({server_name})"
    )
    return {"qr_uri": uri, "otp_secret": secret, "msg": ENROL_MSG}


def code_is_valid(user: User, code: str) -> bool:
    """The current code, or the one of the 30 seconds before or after (clock drift)."""
    return bool(user.otp_secret) and pyotp.TOTP(user.otp_secret).verify(code, valid_window=1)
