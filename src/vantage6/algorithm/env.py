"""Environment variables set by the node.

The original node base32-encodes every value (``=`` written as ``!``) so that any byte survives
Docker's environment handling; a value that is no such encoding is used as it is, as the
original's algorithm tools do. Our node encodes the same way, so images built for the original
read our variables and ours read the original's.
"""

from __future__ import annotations

import base64
import binascii
import os

from vantage6.algorithm.errors import AlgorithmError


def encode(value: str) -> str:
    """The form in which the node passes ``value``."""
    return base64.b32encode(value.encode()).decode().replace("=", "!")


def decode(value: str) -> str:
    try:
        return base64.b32decode(value.replace("!", "=")).decode()
    except (binascii.Error, UnicodeDecodeError):
        return value


def get(name: str, default: str | None = None) -> str | None:
    raw = os.environ.get(name)
    return default if raw is None else decode(raw)


def require(name: str, meaning: str) -> str:
    """A variable the algorithm cannot run without; ``meaning`` says what it is for."""
    value = get(name)
    if not value:
        raise AlgorithmError(f"environment variable {name} ({meaning}) is not set")
    return value
