"""Where on the server its API is: one rule for the server (``vantage6.api_path``), the node
(``[server] api_path``), the Python client (``server_api``) and the ``new`` wizards, so that a
path written for one is read alike by the others.

An empty path means the API is at the server's root, as the user documentation writes it for
such a server: ``server_api = ""`` for the client, ``api_path: ''`` for a node. Copied into an
ini file, which keeps quotes, ``''`` (or ``""``) arrives as two characters; it is empty too.
A path that is left out is :data:`DEFAULT_API_PATH`.
"""

from __future__ import annotations

import re

DEFAULT_API_PATH = "/api"
_EMPTY_QUOTES = ("''", '""')
_NOT_IN_A_PATH = re.compile(r"\s|%|\?|#")


def normalise_api_path(value: str | None) -> str:
    """``/api``, ``api`` and ``/api/`` are ``/api``; empty, None, ``/`` and ``''`` are ``""``:
    the root path, so that ``server + path + "/health"`` is always one slash apart."""
    path = (value or "").strip()
    if path in _EMPTY_QUOTES:
        return ""
    path = path.strip("/")
    return f"/{path}" if path else ""


def check_api_path(value: str) -> str | None:
    """Why ``value`` is no API path a wizard should write (None when it is one)."""
    path = normalise_api_path(value)
    if not path or (value.strip().startswith("/") and not _NOT_IN_A_PATH.search(path)):
        return None
    return "must be empty (the root path) or start with / (e.g. /api), without spaces, %, ? or #"
