"""``/apidocs``: the OpenAPI document lists every service, and the page renders in a browser."""

from __future__ import annotations

import os
import re
import shutil
import subprocess

import pytest
from cornice.service import get_services
from pyramid.security import NO_PERMISSION_REQUIRED
from webtest.http import StopableWSGIServer


@pytest.fixture
def wsgi(make_api):
    return make_api().wsgi


@pytest.fixture
def spec(api):
    return api.app.get("/apidocs/swagger.json").json


def test_every_service_and_method_is_documented(spec):
    assert spec["swagger"] == "2.0" and spec["basePath"] == "/api"
    services = get_services()
    assert {service.path for service in services} == set(spec["paths"])
    for service in services:
        documented = spec["paths"][service.path]
        for method, _view, _args in service.definitions:
            if method not in ("HEAD", "OPTIONS"):
                assert method.lower() in documented, f"{method} {service.path} undocumented"


def test_public_operations_need_no_token_and_the_rest_a_bearer_token(spec):
    for service in get_services():
        for method, _view, args in service.definitions:
            operation = spec["paths"][service.path].get(method.lower())
            if operation is None:
                continue
            public = args.get("permission") == NO_PERMISSION_REQUIRED
            assert operation["security"] == ([] if public else [{"bearer": []}]), service.path
    assert spec["securityDefinitions"]["bearer"]["name"] == "Authorization"


def test_request_bodies_come_from_the_colander_schemas(spec):
    login = spec["paths"]["/token/user"]["post"]
    body = next(parameter for parameter in login["parameters"] if parameter["in"] == "body")
    assert {"username", "password"} <= set(body["schema"]["required"])
    assert body["schema"]["properties"]["password"]["type"] == "string"


def body_schema(spec, path: str, method: str) -> dict:
    operation = spec["paths"][path][method]
    return next(p["schema"] for p in operation["parameters"] if p["in"] == "body")


def test_request_bodies_are_no_looser_than_validation(spec):
    """Found by the fuzzer: bodies that fit the document were refused as malformed."""
    organization = body_schema(spec, "/organization", "post")
    assert organization["additionalProperties"] is False
    assert organization["properties"]["domain"]["x-nullable"] is True
    user = body_schema(spec, "/user/{id}", "patch")
    assert user["properties"]["roles"]["items"]["minimum"] == 1
    assert user["properties"]["roles"]["uniqueItems"] is True
    assert "password" not in user["properties"]  # only there to refuse with directions
    new_user = body_schema(spec, "/user", "post")["properties"]["password"]
    assert new_user["minLength"] == 8 and re.search(new_user["pattern"], "Strong-1!")
    assert not re.search(new_user["pattern"], "weakpassword")
    assert body_schema(spec, "/recover/lost", "post")["minProperties"] == 1


def test_email_addresses_are_documented_by_the_rule_that_checks_them(spec):
    """Found by the fuzzer: the ``email`` format refused addresses that are accepted."""
    email = body_schema(spec, "/user", "post")["properties"]["email"]
    assert "format" not in email
    assert re.search(email["pattern"], ".x@0") and not re.search(email["pattern"], "x@")


def test_documented_text_refuses_what_validation_refuses(spec):
    name = body_schema(spec, "/role", "post")["properties"]["name"]["pattern"]
    assert re.search(name, "Reviewers")
    assert not re.search(name, "Re\x00viewers")  # NUL characters are refused everywhere
    for default_role in ("Root", "root", "ORGANIZATION ADMIN", "viewer"):
        assert not re.search(name, default_role)


def test_path_ids_are_documented_as_record_ids(spec):
    (parameter,) = spec["paths"]["/organization/{id}"]["parameters"]
    assert parameter["type"] == "integer" and parameter["minimum"] == 1


def test_answers_are_documented_and_every_error_is_a_message(spec):
    organizations = spec["paths"]["/organization"]
    assert organizations["get"]["responses"]["200"]["schema"]["required"] == ["data", "links"]
    assert organizations["post"]["responses"]["201"]["schema"]["required"] == ["id"]
    for path in spec["paths"].values():
        for key, operation in path.items():
            if key != "parameters":
                assert operation["responses"]["default"]["schema"]["required"] == ["msg"]


def test_the_page_is_public_and_uses_packaged_assets(api):
    page = api.app.get("/apidocs")
    assert page.content_type == "text/html"
    assert "cdn" not in page.text.lower()
    for asset in re.findall(r'(?:href|src)="([^"]+)"', page.text):
        assert api.app.get(asset).status_int == 200


@pytest.mark.parametrize("api_path", ["/api", "/v6/api", ""])
def test_the_page_is_where_the_user_documentation_says(make_api, api_path):
    """Seed 004: "The server API is documented in the path https://SERVER[/api_path]/apidocs"
    (at /apidocs too, where it always was)."""
    app = make_api(**{"vantage6.api_path": api_path, "vantage6.ui.enabled": "false"}).app
    documented = app.get(f"{api_path}/apidocs")
    assert documented.text == app.get("/apidocs").text
    spec = re.search(r'url: "([^"]+)"', documented.text)[1]
    assert app.get(spec).json["basePath"] == (api_path or "/")


def chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.skipif(
    chromium() is None and not os.environ.get("CI"), reason="chromium is not installed"
)
def test_a_real_browser_renders_the_operations(wsgi, tmp_path):
    """Swagger UI fetches the document and draws one block per operation."""
    assert chromium(), "CI must install chromium (scripts/bootstrap-system)"
    server = StopableWSGIServer.create(wsgi)
    try:
        dom = subprocess.run(
            [
                chromium(),
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                f"--user-data-dir={tmp_path}",
                "--virtual-time-budget=15000",
                "--dump-dom",
                f"{server.application_url}apidocs",
            ],
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        ).stdout
    finally:
        server.shutdown()
    assert "vantage6 server" in dom
    assert 'data-path="/organization/{id}"' in dom
    assert "post_token_user" in dom
