"""Environment variables set by the node.

The original node base32-encodes every value (``=`` written as ``!``) so that any byte survives
Docker's environment handling; a value that is no such encoding is used as it is, as the
original's algorithm tools do. Our node encodes the same way, so images built for the original
read our variables and ours read the original's.

The wrapper also decodes the whole environment in place before it calls the algorithm
(:func:`decode_environment`), as the original's wrapper does, so that algorithms written for it
may read ``os.environ`` directly; :func:`get` then does not decode those values a second time.
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


_plain: dict[str, str] = {}  # values decode_environment() wrote, which are plain already


def get(name: str, default: str | None = None) -> str | None:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return raw if _plain.get(name) == raw else decode(raw)


def decode_environment() -> None:
    """Replace each variable the node encoded by its plain value; others stay as they are."""
    for name, raw in list(os.environ.items()):
        if _plain.get(name) == raw:
            continue
        value = decode(raw)
        if value != raw:
            os.environ[name] = value
        _plain[name] = value


def require(name: str, meaning: str) -> str:
    """A variable the algorithm cannot run without; ``meaning`` says what it is for."""
    value = get(name)
    if not value:
        raise AlgorithmError(f"environment variable {name} ({meaning}) is not set")
    return value
