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


def test_the_page_is_public_and_uses_packaged_assets(api):
    page = api.app.get("/apidocs")
    assert page.content_type == "text/html"
    assert "cdn" not in page.text.lower()
    for asset in re.findall(r'(?:href|src)="([^"]+)"', page.text):
        assert api.app.get(asset).status_int == 200


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
