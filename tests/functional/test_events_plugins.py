"""Auth plugins open sockets the way they authorize REST requests: a real ``pserve`` with an
installed ``vantage6_identify`` plugin that trusts a reverse proxy's ``X-Remote-User`` header
(as an SSO deployment would), asked at the handshake and again at every re-check."""

from __future__ import annotations

import json
import textwrap
import urllib.request

import pytest
import websocket

from tests.functional.test_events_users import LATE, PROMPT, make_user, receive_rule
from tests.functional.test_serve import run  # noqa: F401 (fixture)
from tests.functional.ws_server import Client, start_server

PLUGIN = """
from pyramid.httpexceptions import HTTPServiceUnavailable
from sqlalchemy import select

from vantage6.plugins import hookimpl
from vantage6.server.models import User
from vantage6.server.security.identity import user_identity


@hookimpl
def vantage6_identify(request):
    name = request.headers.get("X-Remote-User")
    if name is None:
        return None
    if name == "directory-down":
        raise HTTPServiceUnavailable("the directory is down")
    user = request.dbsession.scalars(select(User).filter_by(username=name)).first()
    return None if user is None else user_identity(request.dbsession, user)
"""


@pytest.fixture
def server(run, tmp_path, database_factory, monkeypatch):  # noqa: F811
    """A server with the plugin installed (a module and its entry point) and enabled."""
    site = tmp_path / "site"
    dist_info = site / "remote_user-1.0.dist-info"
    dist_info.mkdir(parents=True)
    (dist_info / "METADATA").write_text("Metadata-Version: 2.1\nName: remote-user\nVersion: 1.0\n")
    (dist_info / "entry_points.txt").write_text("[vantage6.server]\nremote_user = remote_user\n")
    (site / "remote_user.py").write_text(textwrap.dedent(PLUGIN))
    monkeypatch.setenv("PYTHONPATH", str(site))
    url = database_factory.new_url()
    return start_server(run, tmp_path, url, **LATE, **{"vantage6.plugins": "remote_user"})


def remote_user_socket(server, name: str) -> Client:
    headers = [f"X-Remote-User: {name}"]
    return Client(websocket.create_connection(server.ws_url, header=headers, timeout=5))


def test_a_plugin_identity_opens_sockets_as_it_opens_the_rest_api(server):
    request = urllib.request.Request(server.api + "/user?username=root")
    request.add_header("X-Remote-User", "root")
    with urllib.request.urlopen(request, timeout=10) as response:
        (root,) = json.load(response)["data"]

    sync = remote_user_socket(server, "root").event()
    assert sync == {
        "event": "sync",
        "data": {"kind": "user", "id": root["id"], "rooms": ["global"]},
    }
    assert server.socket(server.root).event()["event"] == "sync"  # tokens work beside it


def test_the_plugin_is_asked_again_when_the_users_rights_change(server):
    federation = server.federation()
    user = make_user(server, "proxied", federation["a2"], rules=[receive_rule(server, "col")])
    client = remote_user_socket(server, "proxied")
    assert client.event()["data"]["rooms"] == [f"collab:{federation['A']}"]

    server.ok("DELETE", f"/user/{user['id']}")
    assert client.closed(timeout=PROMPT) == (4002, "your credentials are no longer accepted")


def test_a_plugins_refusals_close_the_socket_with_a_reason(server):
    assert remote_user_socket(server, "directory-down").closed() == (1013, "the directory is down")
    code, reason = remote_user_socket(server, "nobody").closed()  # then the first message
    assert code == 4003 and "token" in reason
