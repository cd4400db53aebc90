"""Argon2 hashing for passwords and node API keys.

The cost parameters come from the settings (``vantage6.argon2.*``); :func:`configure_hasher`
is called once at start-up, and tests call it to make hashing cheap.
"""

from __future__ import annotations

import hashlib

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()


def configure_hasher(time_cost: int = 3, memory_cost: int = 65536, parallelism: int = 4) -> None:
    global _hasher
    _hasher = PasswordHasher(time_cost=time_cost, memory_cost=memory_cost, parallelism=parallelism)


def hash_secret(secret: str) -> str:
    return _hasher.hash(secret)


def verify_secret(hashed: str | None, secret: str) -> bool:
    """True when ``secret`` matches ``hashed``; never raises for a bad or missing hash."""
    if not hashed or not isinstance(secret, str):
        return False
    try:
        return _hasher.verify(hashed, secret)
    except (VerificationError, InvalidHashError):
        return False


def api_key_lookup_id(api_key: str) -> str:
    """A short, non-secret digest that finds a node's row in one indexed lookup.

    Only 64 bits of a SHA-256 are kept: enough to tell nodes apart, too little to serve as a
    stand-in for the key; the argon2 hash is still what proves the key.
    """
    return hashlib.sha256(api_key.encode()).hexdigest()[:16]
