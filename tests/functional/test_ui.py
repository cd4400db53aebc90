"""The web UI as the server delivers it: the page and its assets with their security
headers, the QR code drawing, another UI path, and no UI at all when it is turned off. (What
the page does in a browser: tests/browser.)"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from webtest import TestApp

from tests.support import server_settings
from vantage6.server import main, ui
from vantage6.server.ui import SECURITY_HEADERS

STATIC = Path(ui.__file__).parent / "static"
ASSETS = sorted(path.relative_to(STATIC).as_posix() for path in STATIC.rglob("*.*"))
TYPES = {
    "js": ("text/javascript", "application/javascript"),
    "css": ("text/css",),
    "svg": ("image/svg+xml",),
}
URI = "otpauth://totp/vantage6:alice?secret=JBSWY3DPEHPK3PXP&issuer=vantage6"


@pytest.fixture(scope="module")
def make_app(tmp_path_factory):
    apps = []

    def make(**overrides) -> TestApp:
        url = f"sqlite:///{tmp_path_factory.mktemp('ui')}/v6.sqlite"
        wsgi = main({}, **server_settings(url, **overrides))
        apps.append(wsgi)
        return TestApp(wsgi)

    yield make
    for wsgi in apps:
        wsgi.registry["dbengine"].dispose()


@pytest.fixture(scope="module")
def app(make_app):
    return make_app(**{"vantage6.server_name": 'Hospital "A" <b>&</b> {{api_path}}'})


def assert_secured(response) -> None:
    for header, value in SECURITY_HEADERS.items():
        assert response.headers[header] == value, header


def test_the_page_is_served_at_the_root_with_what_the_page_needs_to_know(app):
    page = app.get("/")
    assert page.content_type == "text/html"
    assert page.headers["Cache-Control"] == "no-cache"
    assert_secured(page)
    assert '<meta name="vantage6-api-path" content="/api">' in page.text
    # Settings are escaped, not markup.
    assert "Hospital &quot;A&quot; &lt;b&gt;&amp;&lt;/b&gt; {{api_path}}" in page.text
    assert "<b>" not in page.text


def test_the_page_has_no_inline_script_or_style(app):
    page = app.get("/").text
    assert re.findall(r"<script[^>]*>", page) == ['<script type="module" src="assets/main.js">']
    assert "</script>" in page and not re.search(r"<script[^>]*>[^<]", page)
    assert "<style" not in page and "style=" not in page


@pytest.mark.parametrize("asset", ASSETS)
def test_every_asset_is_served_with_the_security_headers(app, asset):
    response = app.get(f"/assets/{asset}")
    assert_secured(response)
    assert response.headers["Cache-Control"] == "max-age=300"
    assert response.content_type in TYPES[asset.rsplit(".", 1)[1]]


def test_the_scripts_keep_to_the_ui_rules():
    """Text from the server never becomes markup, tokens stay in memory, nothing is loaded
    from elsewhere, no code is made from text."""
    forbidden = re.compile(
        r"innerHTML|outerHTML|insertAdjacentHTML|document\.write|localStorage|sessionStorage"
        r"|document\.cookie|\beval\(|new Function"
        r'|https?://(?!www\.w3\.org/2000/svg")'  # the SVG namespace names, it loads nothing
    )
    for asset in ASSETS:
        if asset.endswith((".js", ".css")):
            assert not forbidden.findall((STATIC / asset).read_text()), asset


def test_a_missing_asset_is_a_404_with_the_security_headers(app):
    response = app.get("/assets/nothing.js", status=404)
    assert_secured(response)


def test_the_qr_code_of_an_otpauth_uri_is_an_svg_that_is_never_cached(app):
    response = app.post_json("/qr.svg", {"uri": URI})
    assert response.content_type == "image/svg+xml"
    assert response.headers["Cache-Control"] == "no-store"
    assert_secured(response)
    assert response.text.startswith("<?xml") and "<svg" in response.text
    assert "<script" not in response.text


@pytest.mark.parametrize(
    "body", [{"uri": "https://example.org"}, {"uri": "otpauth://" + "x" * 1100}, {}, [URI]]
)
def test_the_qr_code_is_drawn_only_for_an_otpauth_uri(app, body):
    response = app.post_json("/qr.svg", body, status=400)
    assert response.json["msg"].startswith('Send {"uri": "otpauth://..."}')
    assert_secured(response)
    app.post("/qr.svg", "not json", content_type="application/json", status=400)
    app.get("/qr.svg", status=404)


def test_the_ui_can_have_a_path_of_its_own(make_app):
    app = make_app(**{"vantage6.ui.path": "/ui/"})
    assert_secured(app.get("/ui/"))
    assert app.get("/ui", status=301).location.endswith("/ui/")
    assert_secured(app.get("/ui/assets/main.js"))
    app.post_json("/ui/qr.svg", {"uri": URI})
    app.get("/", status=404)
    assert app.get("/api/health").json["database"] is True


def test_turned_off_there_is_no_ui_and_the_api_works(make_app):
    app = make_app(**{"vantage6.ui.enabled": "false"})
    response = app.get("/", status=404)
    assert "Content-Security-Policy" not in response.headers
    app.get("/assets/main.js", status=404)
    app.post_json("/qr.svg", {"uri": URI}, status=404)
    app.get("/node.ini", status=404)
    assert app.get("/api/health").json == {"status": "ok", "database": True}
