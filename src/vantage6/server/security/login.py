"""Checking a user's login: password, lockout after repeated failures, second factor.

Unknown usernames and blocked accounts cost the same hash check as any other try and get the
same answer, so the response tells neither which usernames exist nor which are blocked (the
owner of a blocked account learns it by email). When a second factor is required, a right
password alone is not a login: the count of failures starts over only after a complete one.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from dataclasses import dataclass
from functools import cache

from sqlalchemy import select
from sqlalchemy.orm import Session, object_session

from vantage6.server.models import User
from vantage6.server.models.types import utcnow
from vantage6.server.security import otp
from vantage6.server.security.hashing import hash_secret, verify_secret

FAILED = "Failed to login"
BAD_CODE = "Your two-factor authentication code is incorrect, or was used before"
MIN_PASSWORD_LENGTH = 8
PASSWORD_RULES = (
    f"The password must be at least {MIN_PASSWORD_LENGTH} characters long and contain an "
    "uppercase letter, a lowercase letter, a digit and a special character (such as ! or %)"
)
# The same rule as a regular expression, for the API document. ASCII letters, digits and
# punctuation stand in for the Unicode classes of password_problem: what matches is strong,
# though not every strong password matches.
STRONG_PASSWORD = (
    r"^(?=[\s\S]*[A-Z])(?=[\s\S]*[a-z])(?=[\s\S]*[0-9])(?=[\s\S]*[!-/:-@\[-`{-~])"
    rf"[\s\S]{{{MIN_PASSWORD_LENGTH},}}$"
)


@dataclass(frozen=True)
class LoginResult:
    """``user`` when the check passed; otherwise the ``problem`` to answer with (401), and
    ``notify``: the user to tell by email that their account is blocked, if that is due."""

    user: User | None
    problem: str | None = None
    notify: User | None = None


@cache
def _decoy_hash() -> str:
    """A hash to check unknown usernames against, so they take as long as known ones."""
    return hash_secret("no user has this password")


def check_login(request, username: str, password: str) -> LoginResult:
    """The login of ``username``: unless the account is blocked, the first authentication
    backend (``vantage6_authenticate`` hook; the built-in password check is asked last) that
    accepts the credentials; when none does, a failure counted against the account."""
    settings = request.registry.settings
    prove_password(request, username, password)
    user = find_user(request.dbsession, username)
    if user is not None:
        # A blocked account's refusal costs a hash check, which the proof already took.
        checked = proven(request, username, user.secret_hash, password) is not None
        if refused := _refuse_when_blocked(user, password, settings, FAILED, checked):
            return refused
    hook = request.registry["vantage6.plugins"].hook
    accepted = hook.vantage6_authenticate(username=username, password=password, request=request)
    if accepted is not None:
        return LoginResult(accepted)
    return LoginResult(None, FAILED) if user is None else record_failure(user, settings, FAILED)


def find_user(session: Session, username: str) -> User | None:
    return session.scalars(select(User).filter_by(username=username)).first()


@dataclass(frozen=True)
class PasswordProof:
    """A login's password, checked before the login's write transaction (see
    :func:`prove_password`): against which account and stored hash (None: the decoy), the
    password's digest, and whether it matched."""

    username: str
    secret_hash: str | None
    password_digest: bytes
    matches: bool


PROOF = "vantage6.password_proof"  # environ key of the request's PasswordProof


def prove_password(request, username: str, password: str) -> None:
    """Check the password with a session that takes no write lock, and keep the verdict for
    the login's own check (:func:`proven`). On SQLite a request that writes holds the write
    lock from its start, and a login writes (its attempt, its failures): checked inside, the
    quarter second of argon2 held up every other write (node reports, new tasks) meanwhile."""
    user = find_user(request.reading_dbsession, username)
    hashed = None if user is None else user.secret_hash
    if hashed is None:
        decoy_check(password)
    matches = hashed is not None and verify_secret(hashed, password)
    request.environ[PROOF] = PasswordProof(username, hashed, _digest(password), matches)


def proven(request, username: str, secret_hash: str | None, password: str) -> bool | None:
    """Whether ``password`` matched ``secret_hash``, as :func:`prove_password` found for this
    request; None when it checked something else (the hash changed since, say)."""
    proof = request.environ.get(PROOF)
    if proof is None or (proof.username, proof.secret_hash) != (username, secret_hash):
        return None
    if not hmac.compare_digest(proof.password_digest, _digest(password)):
        return None
    return proof.matches


def _digest(password: str) -> bytes:
    return hashlib.sha256(password.encode()).digest()


def decoy_check(password: str) -> None:
    """Take as long as checking a real password, for a username that has none to check."""
    verify_secret(_decoy_hash(), password)


def check_password(user: User, password: str, settings: dict, problem=FAILED) -> LoginResult:
    """``user``'s password, unless the account is blocked; a wrong one counts as a failure."""
    refused = _refuse_when_blocked(user, password, settings, problem)
    if refused is not None:
        return refused
    if not user.check_password(password):
        return record_failure(user, settings, problem)
    return LoginResult(user)


def _refuse_when_blocked(
    user: User, password: str, settings: dict, problem, checked: bool = False
) -> LoginResult | None:
    """The refusal for a blocked account (as slow as a real check, unless ``checked`` already,
    and never "right"), or None after noting the attempt on an account that may try."""
    now = utcnow()
    if blocked_until(user, settings, now):
        if not checked:
            decoy_check(password)
        return LoginResult(None, problem, _notice_due(user, settings, now))
    user.last_login_attempt = now
    return None


def check_second_factor(user: User, code: str, settings: dict) -> LoginResult:
    if otp.accept_code(user, code):
        return LoginResult(user)
    return record_failure(user, settings, BAD_CODE)


def record_failure(user: User, settings: dict, problem: str) -> LoginResult:
    # Counted in SQL, so concurrent wrong guesses cannot overwrite each other's count; the
    # flush expires the attribute, so reading it afterwards gives the stored count.
    user.failed_login_attempts = User.failed_login_attempts + 1
    object_session(user).flush()
    now = utcnow()
    notify = _notice_due(user, settings, now) if blocked_until(user, settings, now) else None
    return LoginResult(None, problem, notify)


def login_succeeded(user: User) -> None:
    user.failed_login_attempts = 0


def blocked_until(user: User, settings: dict, now: dt.datetime) -> dt.datetime | None:
    """When the account's block ends, or None when it is not blocked."""
    if user.failed_login_attempts < settings["vantage6.login.max_failed_attempts"]:
        return None
    if user.last_login_attempt is None:
        return None
    until = user.last_login_attempt + dt.timedelta(
        minutes=settings["vantage6.login.inactivation_minutes"]
    )
    if until <= now:
        user.failed_login_attempts = 0  # the block has run out: a fresh series of tries
        return None
    return until


def _notice_due(user: User, settings: dict, now: dt.datetime) -> User | None:
    """The user, when no lockout email went to them in the last while (and note it is sent)."""
    last = user.last_email_failed_login_sent
    if last and now < last + dt.timedelta(minutes=settings["vantage6.between_user_emails_minutes"]):
        return None
    user.last_email_failed_login_sent = now
    return user


def password_problem(password: str) -> str | None:
    """Why ``password`` is too weak, or None when it is strong enough."""
    strong = (
        len(password) >= MIN_PASSWORD_LENGTH
        and any(c.isupper() for c in password)
        and any(c.islower() for c in password)
        and any(c.isdigit() for c in password)
        and any(not c.isalnum() and not c.isspace() for c in password)
    )
    return None if strong else PASSWORD_RULES
