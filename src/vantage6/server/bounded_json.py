"""JSON from clients, refused when its objects and arrays nest deeper than :data:`MAX_DEPTH`.

Python's parser, colander and the JSON renderer all recurse: a body nested thousands of levels
deep makes them raise ``RecursionError``, which would be a 500 with a traceback. No real
request nests anywhere near this deep, so refusing at parse time keeps it a client error.
"""

from __future__ import annotations

import json

MAX_DEPTH = 64


class TooDeep(ValueError):
    """The JSON nests deeper than this server accepts."""

    def __init__(self):
        super().__init__(
            f"nested deeper than the limit of {MAX_DEPTH} levels of objects and arrays"
        )


def loads(text: str | bytes):
    """``json.loads``, raising :class:`TooDeep` (a ``ValueError``) for too deep a value."""
    try:
        value = json.loads(text)
    except RecursionError:  # the parser's own depth limit, far beyond ours
        raise TooDeep() from None
    if depth(value) > MAX_DEPTH:
        raise TooDeep()
    return value


def depth(value) -> int:
    """How many objects and arrays deep ``value`` nests (0 for a number, string, ...), found
    level by level rather than recursively."""
    levels, level = 0, [value]
    while True:
        containers = [item for item in level if isinstance(item, dict | list)]
        if not containers:
            return levels
        levels += 1
        level = [
            child
            for container in containers
            for child in (container.values() if isinstance(container, dict) else container)
        ]


def request_json_body(request):
    """``request.json_body``, bounded: what Cornice's validators (and anything else) parse."""
    return loads(request.body.decode(request.charset))
