"""How every API service is declared: traversal from the resource tree, JSON errors."""

from __future__ import annotations

from cornice import Service

from vantage6.server.api.errors import cornice_errors
from vantage6.server.resources import Root


def api_service(name: str, path: str, traverse: str = "/", **kwargs) -> Service:
    """A Cornice service whose context is found by traversing ``traverse`` from the root."""
    return Service(
        name=name,
        path=path,
        factory=Root,
        traverse=traverse,
        error_handler=cornice_errors,
        depth=2,  # venusian must attribute the service to the caller's module, not this one
        **kwargs,
    )
