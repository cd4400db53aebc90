"""JSON Web Tokens (PyJWT, HS256): what logged-in users, nodes and containers present.

Claims follow the original server: ``sub`` (the user or node id, or for containers a dict
describing the run), ``client_type``, ``type`` (access or refresh), ``iat``/``nbf``/``exp``
and ``jti``; users also carry ``roles``.

Reset tokens (emailed to recover a password or a two-factor secret) are of their own ``type``,
so neither they nor access tokens can stand in for one another. Each carries a keyed
fingerprint of the secret it resets: once that secret changes, the token no longer fits, which
makes it single-use without storing anything.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import logging
import secrets
import uuid

import jwt
from pyramid.exceptions import ConfigurationError

log = logging.getLogger(__name__)

ALGORITHM = "HS256"
MIN_SECRET_LENGTH = 32
RESET_PASSWORD = "reset_password"
RESET_TWO_FACTOR = "reset_2fa"
ENROL_TWO_FACTOR = "enrol_2fa"  # bound to the absent secret: used once, it no longer fits
CONFIRM_EMAIL = "confirm_email"
USED = "this token has already been used, or what it resets has changed since"
CREDENTIALS_CHANGED = "the password or API key changed after this token was issued; log in again"


class InvalidToken(Exception):
    """The token is missing, malformed, forged, of the wrong kind or expired."""


class TokenService:
    def __init__(
        self, secret: str, access_seconds: int, refresh_seconds: int, reset_seconds: int = 3600
    ):
        self._secret = secret
        self.access_seconds = access_seconds
        self.refresh_seconds = refresh_seconds
        self.reset_seconds = reset_seconds

    @classmethod
    def from_settings(cls, settings: dict) -> TokenService:
        """The service for a server; production refuses to start without a real secret."""
        secret = settings["vantage6.jwt.secret"]
        if not secret:
            if settings["vantage6.profile"] == "production":
                raise ConfigurationError(
                    "vantage6.jwt.secret (or VANTAGE6_JWT_SECRET) must be set in production: "
                    "a long random string shared by all server processes"
                )
            log.warning("No vantage6.jwt.secret set: tokens stop working when the server restarts")
            secret = secrets.token_urlsafe(48)
        elif len(secret) < MIN_SECRET_LENGTH:
            raise ConfigurationError(
                f"vantage6.jwt.secret must be at least {MIN_SECRET_LENGTH} characters long"
            )
        return cls(
            secret,
            settings["vantage6.jwt.access_expires_seconds"],
            settings["vantage6.jwt.refresh_expires_seconds"],
            settings["vantage6.email_token_validity_minutes"] * 60,
        )

    def issue(self, subject, client_type: str, kind: str = "access", expires=True, **claims) -> str:
        """A signed token; ``expires`` is False only for tokens bounded by other means."""
        now = dt.datetime.now(dt.UTC)
        payload = {
            "sub": subject,
            "client_type": client_type,
            "type": kind,
            "iat": now,
            "nbf": now,
            "jti": uuid.uuid4().hex,
            **claims,
        }
        if expires:
            payload["exp"] = now + dt.timedelta(seconds=self._lifetime(kind))
        return jwt.encode(payload, self._secret, algorithm=ALGORITHM)

    def decode(self, token: str, kind: str = "access") -> dict:
        try:
            claims = jwt.decode(
                token,
                self._secret,
                algorithms=[ALGORITHM],
                options={"require": ["sub", "type", "client_type"], "verify_sub": False},
            )
        except jwt.ExpiredSignatureError:
            raise InvalidToken("token has expired") from None
        except jwt.InvalidTokenError as exc:
            raise InvalidToken(f"invalid token ({exc})") from None
        if claims["type"] != kind:
            raise InvalidToken(f"a {claims['type']} token cannot be used here")
        return claims

    def _lifetime(self, kind: str) -> int:
        """Login tokens last as configured; every token mailed to a user (resets,
        confirmations) as long as an emailed link is meant to."""
        if kind == "refresh":
            return self.refresh_seconds
        if kind == "access":
            return self.access_seconds
        return self.reset_seconds

    def issue_login(self, account, kind: str = "access", **claims) -> str:
        """An access or refresh token for a user or node, valid while its password or API key
        stays the one it logged in with: changing or resetting it logs every token out."""
        client_type = type(account).__name__.lower()
        binding = self._fingerprint(account.secret_hash)
        return self.issue(str(account.id), client_type, kind=kind, binding=binding, **claims)

    def issue_reset(self, kind: str, user_id: int, current: str | None, **claims) -> str:
        """A ``kind`` token mailed to a user, valid while ``current`` (the password hash,
        two-factor secret or email address that it changes) stays what it is now."""
        binding = self._fingerprint(current)
        return self.issue(str(user_id), "user", kind=kind, binding=binding, **claims)

    def issue_container(self, subject: dict, node_secret_hash: str) -> str:
        """An algorithm container's token: without expiry, as it is bounded by its run, and
        bound to the API key of the node that asked for it."""
        binding = self._fingerprint(node_secret_hash)
        return self.issue(subject, "container", expires=False, binding=binding)

    def check_binding(self, claims: dict, current: str | None, problem: str = USED) -> None:
        """Refuse a token whose bound secret has changed since it was issued."""
        binding = claims.get("binding")
        if not isinstance(binding, str) or not hmac.compare_digest(
            binding, self._fingerprint(current)
        ):
            raise InvalidToken(problem)

    def _fingerprint(self, value: str | None) -> str:
        """A keyed digest: it tells whether the value changed, and nothing about the value."""
        message = f"vantage6 binding:{value or ''}".encode()
        return hmac.new(self._secret.encode(), message, hashlib.sha256).hexdigest()
