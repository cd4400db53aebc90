"""The REST API, mounted under the api path: its Cornice services in ``endpoints/``, one
module per resource, and here what they share."""

from vantage6.server.api.params import query_parameters
from vantage6.server.bounded_json import request_json_body


def includeme(config) -> None:
    config.add_tween("vantage6.server.api.limits.request_limits_tween_factory")
    # Replaces WebOb's own: every JSON body is parsed with a bound on its nesting.
    config.add_request_method(request_json_body, "json_body", property=True)
    config.add_request_method(query_parameters, "params", property=True)
    # Views declare their answers for the API document: ``response_schemas=`` (answers.py).
    config.include("cornice_swagger")
    config.include(".json_renderer")
    config.scan(".")
