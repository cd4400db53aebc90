"""The REST API: Cornice services, one module per resource, mounted under the api path."""


def includeme(config) -> None:
    config.add_tween("vantage6.server.api.limits.request_limits_tween_factory")
    config.scan(".")
