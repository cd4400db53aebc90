"""``GET <ui path>node.ini``: the configuration file of a newly registered node, for the page
to offer as a download. It is rendered by ``vnode new``'s own functions
(:mod:`vantage6.node.cli.wizard`), so the two files never differ in format.

- **The API key never comes here**: the answer holds :data:`API_KEY_PLACEHOLDER` where the
  key goes, and the page puts the key it was just shown in its place. So the key stays out of
  requests, URLs and access logs, as the two-factor secret does with ``qr.svg``.
- **The server's address comes from the page** (its origin): behind a proxy the server does
  not know the address its users reach it at. The API path is the server's own setting, which
  the page already has from its ``<meta>`` tag.
- **Public, like ``qr.svg``**: the UI signs in with bearer tokens held in memory, so a plain
  request carries no credentials anyway; and the answer is made only from the request and the
  public API path, holds no secret and stores nothing.
"""

from __future__ import annotations

import re

from pyramid.httpexceptions import HTTPBadRequest
from pyramid.response import Response

API_KEY_PLACEHOLDER = "{{api_key}}"  # node-config.js puts the key here
ORIGIN = re.compile(r"https?://(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(:[0-9]{1,5})?")
MAX_ORIGIN_LENGTH = 300
ENCRYPTED = {"true": True, "false": False, "unknown": None}
# What a new node may run until its owner decides: the demo algorithm, to try it out.
DEMO_IMAGES = (r"harbor2\.vantage6\.ai/demo/average", "vantage6/demo-average")


def node_ini(request):
    """The ini text for ``?name=&server_url=&collaboration_encrypted=``, with the key's
    placeholder; 400 naming every bad parameter."""
    # Imported here: the node's command line package costs the server's start-up 60 ms.
    from vantage6.node.cli.wizard import NodeFile, render
    from vantage6.node.config import NAME

    name, server_url, encrypted = (
        request.GET.get(key, "") for key in ("name", "server_url", "collaboration_encrypted")
    )
    problems = []
    if not NAME.fullmatch(name):
        problems.append(
            "name must be 1 to 63 letters, digits, '_', '.' or '-', starting with a letter or digit"
        )
    if len(server_url) > MAX_ORIGIN_LENGTH or not ORIGIN.fullmatch(server_url):
        problems.append("server_url must be an origin: http:// or https://, a host, a port")
    if encrypted not in ENCRYPTED:
        problems.append(f"collaboration_encrypted must be one of {', '.join(ENCRYPTED)}")
    if problems:
        raise HTTPBadRequest("; ".join(problems))
    node = NodeFile(
        name=name,
        server_url=server_url,
        api_path=request.registry.settings["vantage6.api_path"] or "/",
        encryption=ENCRYPTED[encrypted],
        api_key=API_KEY_PLACEHOLDER,
        allowed_images=DEMO_IMAGES,
    )
    header = (
        f"# vantage6 node {name!r} at {server_url}, made by the server's web interface.\n"
        f"# Start it with:  vnode start {name}.ini"
    )
    response = Response(render(node, header), content_type="text/plain", charset="utf-8")
    response.cache_control = "no-cache"  # an upgrade may change the file
    return response
