"""Checking a user's password, with lockout after repeated failures.

Unknown usernames cost the same hash check as known ones and get the same answer, so the
response does not tell which usernames exist.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache

from sqlalchemy import select
from sqlalchemy.orm import Session

from vantage6.server.models import User
from vantage6.server.models.types import utcnow
from vantage6.server.security.hashing import hash_secret, verify_secret

FAILED = "Failed to login"


@dataclass(frozen=True)
class LoginResult:
    user: User | None
    problem: str | None = None


@cache
def _decoy_hash() -> str:
    """A hash to check unknown usernames against, so they take as long as known ones."""
    return hash_secret("no user has this password")


def check_login(session: Session, username: str, password: str, settings: dict) -> LoginResult:
    user = session.scalars(select(User).filter_by(username=username)).first()
    if user is None:
        verify_secret(_decoy_hash(), password)
        return LoginResult(None, FAILED)
    now = utcnow()
    minutes_left = _blocked_minutes(user, settings, now)
    if minutes_left:
        return LoginResult(
            None,
            f"Your account is blocked for {minutes_left} more minute(s) after too many failed "
            "logins",
        )
    user.last_login_attempt = now
    if not user.check_password(password):
        # Counted in SQL, so concurrent wrong guesses cannot overwrite each other's count.
        user.failed_login_attempts = User.failed_login_attempts + 1
        return LoginResult(None, FAILED)
    user.failed_login_attempts = 0
    return LoginResult(user)


def _blocked_minutes(user: User, settings: dict, now: dt.datetime) -> int:
    if user.failed_login_attempts < settings["vantage6.login.max_failed_attempts"]:
        return 0
    if user.last_login_attempt is None:
        return 0
    until = user.last_login_attempt + dt.timedelta(
        minutes=settings["vantage6.login.inactivation_minutes"]
    )
    if until <= now:
        user.failed_login_attempts = 0  # the block has run out: a fresh series of tries
        return 0
    return max(1, -(-int((until - now).total_seconds()) // 60))
