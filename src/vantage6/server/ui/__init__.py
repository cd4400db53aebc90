"""The web UI: one HTML page at ``vantage6.ui.path`` (default ``/``), its assets under
``<ui path>assets/``, ``<ui path>qr.svg``, which draws a two-factor QR code, and
``<ui path>node.ini``, a new node's configuration file (:mod:`.node_file`).

Decisions (issue 16):

- **No JavaScript build and no third-party JavaScript.** The UI is plain ES modules, CSS and
  one HTML page shipped inside this package (``static/``), so ``pip install .`` carries a
  working UI with no npm step, and the page loads nothing from elsewhere (no CDN: servers
  often sit offline). A small hash router (``#/signin``, ``#/home``, ...) lets this one page
  serve every screen. Each module has one job: ``api.js`` (requests with the access token,
  refreshed before it expires), ``session.js`` (tokens, in memory only), ``router.js``,
  ``dom.js`` (elements built with ``textContent``, never ``innerHTML`` with server data) and
  one module per page under ``pages/``.
- **The browser talks only to the REST API**, with the same tokens as any other client, so the
  API stays the one place where permissions are enforced. The page learns where the API is
  from ``<meta>`` tags this module fills in; nothing else about the server is templated.
- **Strict security headers** on every UI response (the page, its assets, the QR code, the
  node configuration and their errors): a Content-Security-Policy that allows no inline
  script or style and nothing from another origin, ``nosniff``, frame denial and no referrer.
- **The QR code is drawn here**, by the ``qrcode`` package the server already depends on (the
  Python client prints the same code in a terminal). Drawing it in the browser would take a QR
  encoder in JavaScript, either third-party or hundreds of lines of our own to maintain. The
  page POSTs the ``otpauth://`` URI it was just given, so the secret stays out of URLs and
  access logs, and shows the SVG answer as an image; nothing is stored.
"""

from __future__ import annotations

import io
import re
from html import escape
from importlib.resources import files

import qrcode
import qrcode.image.svg
from pyramid.events import NewResponse
from pyramid.httpexceptions import HTTPBadRequest, HTTPMovedPermanently
from pyramid.response import Response
from pyramid.security import NO_PERMISSION_REQUIRED

from vantage6 import __version__
from vantage6.server.api.endpoints.token import CODE_MISSING
from vantage6.server.ui.node_file import node_ini

ASSETS = "vantage6.server.ui:static/"
ASSETS_MAX_AGE = 300  # seconds: short, so that an upgraded server's modules arrive soon

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
}

PLACEHOLDER = re.compile(r"\{\{(\w+)\}\}")  # in index.html: {{api_path}}
MAX_URI_LENGTH = 1024  # an otpauth URI is about 150 characters
OTPAUTH = "otpauth://"


class UiPaths:
    """Where the UI answers, relative to the application (``request.path_info``)."""

    def __init__(self, base: str):
        self.base = base
        self.assets = f"{base}assets/"
        self.qr = f"{base}qr.svg"
        self.node_ini = f"{base}node.ini"

    def __contains__(self, path: str) -> bool:
        return path in (self.base, self.qr, self.node_ini) or path.startswith(self.assets)


def page_html(settings: dict) -> str:
    """``index.html`` with the settings the page needs filled in (escaped)."""
    values = {
        "api_path": settings["vantage6.api_path"],
        "server_name": settings["vantage6.server_name"],
        "code_prompt": CODE_MISSING,
        "two_factor": "true" if settings["vantage6.two_factor_auth"] else "false",
        "version": __version__,
    }
    template = files(__package__).joinpath("index.html").read_text(encoding="utf-8")
    # One pass, so that a value holding "{{...}}" stays as it is.
    return PLACEHOLDER.sub(lambda found: escape(values[found[1]], quote=True), template)


def index(request):
    """The page; no-cache, so that a changed setting or an upgrade shows at the next load."""
    response = Response(
        request.registry["vantage6.ui.page"], content_type="text/html", charset="utf-8"
    )
    response.cache_control = "no-cache"
    return response


def qr_code(request):
    """``{"uri": "otpauth://..."}`` drawn as a QR code (SVG, never cached: it holds a secret)."""
    try:
        body = request.json_body
    except ValueError:  # not JSON, or nested too deep
        body = None
    uri = body.get("uri") if isinstance(body, dict) else None
    if not isinstance(uri, str) or not uri.startswith(OTPAUTH) or len(uri) > MAX_URI_LENGTH:
        raise HTTPBadRequest(
            f'Send {{"uri": "{OTPAUTH}..."}}: the URI of at most {MAX_URI_LENGTH} characters '
            "that two-factor enrolment gave"
        )
    code = qrcode.QRCode(border=4, image_factory=qrcode.image.svg.SvgPathFillImage)
    code.add_data(uri)
    svg = io.BytesIO()
    code.make_image().save(svg)
    response = Response(svg.getvalue(), content_type="image/svg+xml")
    response.cache_control = "no-store"
    return response


def to_folder(request):
    return HTTPMovedPermanently(location=request.route_path("vantage6.ui"))


def add_security_headers(event) -> None:
    """On every response to a UI path, errors too (a missing asset, a refused QR code): a
    subscriber sees the final response, which a view decorator would not."""
    request = event.request
    if request.path_info in request.registry["vantage6.ui.paths"]:
        event.response.headers.update(SECURITY_HEADERS)


def includeme(config) -> None:
    settings = config.get_settings()
    if not settings["vantage6.ui.enabled"]:
        return
    paths = UiPaths(settings["vantage6.ui.path"])
    config.registry["vantage6.ui.paths"] = paths
    config.registry["vantage6.ui.page"] = page_html(settings)
    public = {"permission": NO_PERMISSION_REQUIRED}
    config.add_route("vantage6.ui", paths.base)
    config.add_view(index, route_name="vantage6.ui", request_method=("GET", "HEAD"), **public)
    config.add_route("vantage6.ui.qr", paths.qr)
    config.add_view(qr_code, route_name="vantage6.ui.qr", request_method="POST", **public)
    config.add_route("vantage6.ui.node_ini", paths.node_ini)
    config.add_view(node_ini, route_name="vantage6.ui.node_ini", request_method="GET", **public)
    config.add_static_view(paths.assets, ASSETS, cache_max_age=ASSETS_MAX_AGE, **public)
    if paths.base != "/":  # /ui to /ui/: the page's assets are relative to its folder
        config.add_route("vantage6.ui.folder", paths.base.rstrip("/"))
        config.add_view(to_folder, route_name="vantage6.ui.folder", **public)
    config.add_subscriber(add_security_headers, NewResponse)
