"""A tween that refuses request bodies above ``vantage6.max_body_bytes`` with 413."""

from __future__ import annotations

import io

from pyramid.httpexceptions import HTTPRequestEntityTooLarge


def body_limit_tween_factory(handler, registry):
    limit = registry.settings["vantage6.max_body_bytes"]

    def body_limit_tween(request):
        if request.content_length is not None:
            if request.content_length > limit:
                return _too_large(request, limit)
        elif request.method in ("POST", "PUT", "PATCH"):  # chunked: read at most limit + 1
            body = request.body_file_raw.read(limit + 1)
            if len(body) > limit:
                return _too_large(request, limit)
            request.body_file = io.BytesIO(body)
        return handler(request)

    return body_limit_tween


def _too_large(request, limit: int):
    response = HTTPRequestEntityTooLarge()
    response.json_body = {"msg": f"Request body is larger than the limit of {limit} bytes"}
    response.content_type = "application/json"
    return response
