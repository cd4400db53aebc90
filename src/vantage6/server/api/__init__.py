"""The REST API: Cornice services, one module per resource, mounted under the api path."""

from vantage6.server.bounded_json import request_json_body


def includeme(config) -> None:
    config.add_tween("vantage6.server.api.limits.request_limits_tween_factory")
    # Replaces WebOb's own: every JSON body is parsed with a bound on its nesting.
    config.add_request_method(request_json_body, "json_body", property=True)
    config.scan(".")
