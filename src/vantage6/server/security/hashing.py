"""Argon2 hashing for passwords and node API keys, each with its own cost.

Passwords are chosen by people, so they get the expensive profile (RFC 9106's second
recommendation by default). API keys are made by the server as random UUIDs (122 bits), so a
far cheaper profile (OWASP's minimum) protects them just as well and keeps node login fast.
Both costs come from the settings (``vantage6.argon2.*``, ``vantage6.argon2.api_key_*``);
:func:`configure_hasher` is called once at start-up, and tests call it to make hashing cheap.
"""

from __future__ import annotations

import ctypes
import hashlib
import os
import threading
from typing import NamedTuple

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from gevent import get_hub, monkey


class Cost(NamedTuple):
    time_cost: int
    memory_cost: int  # KiB
    parallelism: int


PASSWORD_COST = Cost(time_cost=3, memory_cost=65536, parallelism=4)
API_KEY_COST = Cost(time_cost=2, memory_cost=19456, parallelism=1)

_hashers = {
    "password": PasswordHasher(*PASSWORD_COST),
    "api_key": PasswordHasher(*API_KEY_COST),
}


def configure_hasher(passwords: Cost = PASSWORD_COST, api_keys: Cost = API_KEY_COST) -> None:
    _hashers["password"] = PasswordHasher(*passwords)
    _hashers["api_key"] = PasswordHasher(*api_keys)
    return_large_blocks_when_freed()


M_MMAP_THRESHOLD = -3  # glibc's mallopt parameter (malloc.h)
LARGE_BLOCK = 4 << 20  # bytes: argon2's working memory (19-64 MiB) is always above this


def return_large_blocks_when_freed() -> None:
    """Have glibc map every block of 4 MiB or more on its own, so it goes back to the system
    when freed. By default glibc raises that threshold after the first such block is freed
    (up to 32 MiB), and from then on argon2's working memory came from each hashing thread's
    heap and stayed there: eight parallel node logins left the server 150 MiB larger. Setting
    the threshold turns that adjustment off. Elsewhere than glibc this does nothing."""
    try:
        ctypes.CDLL(None).mallopt(M_MMAP_THRESHOLD, LARGE_BLOCK)  # the C library in use
    except (OSError, AttributeError, TypeError):
        pass


# At most one hash per core at a time: each holds argon2's working memory (64 MiB for a
# password) while it runs, so eight logins at once held 512 MiB, and a flood of them would
# hold what it liked; a hash beyond the cores would only share a core with another anyway.
# Made after serve.py patched threading, so under gevent the waiting greenlet yields.
_hashing_turns = threading.BoundedSemaphore(os.cpu_count() or 1)


def _off_the_loop(function, *args):
    """Run a hash computation beside the event loop when gevent serves the app: argon2 is
    CPU-bound C that releases the GIL, so in gevent's thread pool it uses the second core and
    other requests go on, instead of every request waiting 30-200 ms for each login."""
    with _hashing_turns:
        if not monkey.is_module_patched("threading"):
            return function(*args)
        return get_hub().threadpool.apply(function, args)


def hash_secret(secret: str, kind: str = "password") -> str:
    return _off_the_loop(_hashers[kind].hash, secret)


def verify_secret(hashed: str | None, secret: str, kind: str = "password") -> bool:
    """True when ``secret`` matches ``hashed``; never raises for a bad or missing hash."""
    if not hashed or not isinstance(secret, str):
        return False
    try:
        return _off_the_loop(_hashers[kind].verify, hashed, secret)
    except (VerificationError, InvalidHashError):
        return False


def api_key_lookup_id(api_key: str) -> str:
    """A short, non-secret digest that finds a node's row in one indexed lookup.

    Only 64 bits of a SHA-256 are kept: enough to tell nodes apart, too little to serve as a
    stand-in for the key; the argon2 hash is still what proves the key.
    """
    return hashlib.sha256(api_key.encode()).hexdigest()[:16]
