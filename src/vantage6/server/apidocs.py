"""``/apidocs``: the OpenAPI (Swagger 2.0) document of every Cornice service, and a browsable
Swagger UI page served from the packaged assets (no CDN: servers often sit offline). The page
also answers at ``[api_path]/apidocs``, where the user documentation says it is.

Request bodies and path ids are documented from the colander nodes that validate them
(:mod:`vantage6.server.apidocs_schema`); successful answers from each view's
``response_schemas`` (:mod:`vantage6.server.api.answers`), and errors once for all, since every
error is the same JSON object (:mod:`vantage6.server.api.errors`).
"""

from __future__ import annotations

import re
from html import escape

import colander
from cornice.service import get_services
from cornice_swagger import CorniceSwagger
from cornice_swagger.swagger import ParameterHandler
from pyramid.response import Response
from pyramid.security import NO_PERMISSION_REQUIRED
from swagger_ui_bundle import swagger_ui_path as _swagger_ui_dir

from vantage6 import __version__
from vantage6.server.api.answers import Message
from vantage6.server.api.schema import json_body, record_id
from vantage6.server.apidocs_schema import CONVERTERS

SPEC_KEY = "vantage6.openapi"  # registry key: the document, built on first request
ASSETS = str(_swagger_ui_dir)  # Swagger UI's built files, as shipped in the wheel
BEARER = {"type": "apiKey", "in": "header", "name": "Authorization"}


def _wrap_json_body(schema, args):
    """Our ``json_body`` validator reads the schema as the request body (like Cornice's own)."""
    if json_body not in args.get("validators", ()):
        return schema
    wrapped = colander.MappingSchema()
    wrapped["body"] = schema
    return wrapped


def _permission(service, method: str):
    for defined_method, _view, args in service.definitions:
        if defined_method == method:
            return args.get("permission")
    return None


class IdPathParameters(ParameterHandler):
    """Every parameter in our paths is a record id (a name or an id that is not a number is
    a 404, like an id that does not exist)."""

    def from_path(self, path):
        names = re.findall(r"{(\w+)}", path)
        return [self.parameter_converter("path", record_id(name=name)) for name in names]


class Vantage6Swagger(CorniceSwagger):
    schema_transformers = [_wrap_json_body]
    custom_type_converters = CONVERTERS
    parameters = IdPathParameters
    summary_docstrings = True

    @staticmethod
    def default_tags(service, method):
        return [service.path.strip("/").split("/")[0]]

    @staticmethod
    def default_op_ids(service, method):
        return f"{method.lower()}_{service.name}"

    @staticmethod
    def default_security(service, method):
        if _permission(service, method) == NO_PERMISSION_REQUIRED:
            return []
        return [{"bearer": []}]


def openapi_document(registry) -> dict:
    settings = registry.settings
    generator = Vantage6Swagger(get_services(), pyramid_registry=registry)
    document = generator.generate(
        title="vantage6 server",
        version=__version__,
        base_path=settings["vantage6.api_path"],
        swagger={
            "info": {"description": "Federated analysis: organizations, tasks and results."},
            "securityDefinitions": {"bearer": BEARER},
        },
    )
    error = {"description": "An error", "schema": generator.definitions.from_schema(Message())}
    for operation in _operations(document):
        _document_errors(operation["responses"], error)
    return document


def _operations(document: dict):
    for path in document["paths"].values():
        yield from (operation for key, operation in path.items() if key != "parameters")


def _document_errors(responses: dict, error: dict) -> None:
    """Every status but the documented successes is an error: ``{"msg": ...}``."""
    if "default" in responses:  # cornice_swagger's placeholder: the view declares no answers
        responses["200"] = {"description": "Not documented: any JSON"}
    responses["default"] = error


def openapi_json(request):
    registry = request.registry
    if SPEC_KEY not in registry:
        registry[SPEC_KEY] = openapi_document(registry)
    return registry[SPEC_KEY]


PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>vantage6 API</title>
<link rel="stylesheet" href="{css}">
</head>
<body>
<div id="swagger-ui"></div>
<script src="{js}"></script>
<script>
window.ui = SwaggerUIBundle({{url: "{spec}", dom_id: "#swagger-ui"}});
</script>
</body>
</html>
"""


def swagger_page(request):
    html = PAGE.format(
        css=escape(request.static_path(f"{ASSETS}/swagger-ui.css")),
        js=escape(request.static_path(f"{ASSETS}/swagger-ui-bundle.js")),
        spec=escape(request.route_path("vantage6.apidocs.json")),
    )
    return Response(html, content_type="text/html")


def includeme(config) -> None:
    config.add_static_view("apidocs/static", ASSETS, cache_max_age=3600)
    config.add_route("vantage6.apidocs", "/apidocs")
    config.add_route("vantage6.apidocs.json", "/apidocs/swagger.json")
    public = {"permission": NO_PERMISSION_REQUIRED}
    config.add_view(swagger_page, route_name="vantage6.apidocs", **public)
    config.add_view(openapi_json, route_name="vantage6.apidocs.json", renderer="json", **public)
    api_path = config.registry.settings["vantage6.api_path"]
    if api_path:  # at the root path, the page is there already
        config.add_route("vantage6.apidocs.api", f"{api_path}/apidocs")
        config.add_view(swagger_page, route_name="vantage6.apidocs.api", **public)
