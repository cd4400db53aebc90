"""The REST API: Cornice services, one module per resource, mounted under the api path."""


def includeme(config) -> None:
    config.scan(".")
