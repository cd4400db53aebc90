"""A tween that refuses what no endpoint can take: bodies above ``vantage6.max_body_bytes``
(413), and query strings that are not UTF-8 or hold NUL characters (400; PostgreSQL can
neither store nor compare NUL)."""

from __future__ import annotations

import io

from vantage6.server.api.errors import json_error


def request_limits_tween_factory(handler, registry):
    limit = registry.settings["vantage6.max_body_bytes"]

    def request_limits_tween(request):
        try:
            params = request.GET.items()
        except UnicodeDecodeError:
            return json_error(request, 400, "The query string is not valid UTF-8")
        if any("\x00" in key + value for key, value in params):
            return json_error(request, 400, "Query parameters must not contain NUL characters")
        if request.content_length is not None:
            if request.content_length > limit:
                return _too_large(request, limit)
        elif request.method in ("POST", "PUT", "PATCH"):  # chunked: read at most limit + 1
            body = request.body_file_raw.read(limit + 1)
            if len(body) > limit:
                return _too_large(request, limit)
            request.body_file = io.BytesIO(body)
        return handler(request)

    return request_limits_tween


def _too_large(request, limit: int):
    return json_error(request, 413, f"Request body is larger than the limit of {limit} bytes")
