"""What goes wrong surfaces as one clear exception: the server's message with its status, a
server that cannot be reached (a bounded retry for reads only), not being logged in; and an
error answer is never sent again."""

from __future__ import annotations

import time
import traceback

import pytest

from tests.functional.client.conftest import PASSWORD, client_for, login, unique
from tests.functional.test_serve import free_port
from vantage6.client import (
    AuthenticationError,
    Client,
    ClientError,
    ServerError,
    ServerUnreachable,
)
from vantage6.client.base import CONNECT_ATTEMPTS


class Spy:
    """Counts the HTTP requests a client sends (and passes them on)."""

    def __init__(self, client: Client, monkeypatch):
        self.calls = []
        send = client.connection.session.request

        def request(method, url, **kw):
            self.calls.append((method, url.rsplit("/api", 1)[-1]))
            return send(method, url, **kw)

        monkeypatch.setattr(client.connection.session, "request", request)


def short_traceback(exc: BaseException) -> str:
    return "".join(traceback.format_exception(exc))


def test_wrong_password_is_a_401_with_the_servers_message(server):
    client = client_for(server)
    with pytest.raises(ServerError) as info:
        client.authenticate("root", "wrong")
    assert (info.value.status, info.value.msg) == (401, "Failed to login")
    assert str(info.value) == "401: Failed to login (POST /api/token/user)"
    assert "During handling" not in short_traceback(info.value)
    assert client.whoami is None


def test_calls_before_logging_in_say_to_log_in(server):
    with pytest.raises(AuthenticationError, match=r"call client.authenticate"):
        client_for(server).organization.list()
    with pytest.raises(AuthenticationError, match=r"call client.authenticate"):
        client_for(server).organization.get()


def test_forbidden_not_found_and_bad_input(server, root):
    organization = root.organization.create(name=unique("e"))["id"]
    viewer = root.role.list(name="Viewer", field="id")[0]
    username = unique("viewer")
    root.user.create(username, None, None, PASSWORD, f"{username}@x.org", organization, [viewer])
    viewer_client = login(server, username, PASSWORD)
    with pytest.raises(ServerError) as info:
        viewer_client.organization.create(name=unique("nope"))
    assert (info.value.status, info.value.msg) == (403, "You lack the permission to do that!")

    with pytest.raises(ServerError) as info:
        root.task.get(10**9)
    assert info.value.status == 404

    with pytest.raises(ServerError) as info:
        root.user.create(unique("weak"), None, None, "short", "weak@x.org")
    assert info.value.status == 400 and "password" in info.value.errors
    assert "at least 8 characters" in info.value.msg

    members = [root.whoami.organization_id, organization]
    collaboration = root.collaboration.create(unique("nodeless"), members)["id"]
    with pytest.raises(ServerError, match="have no node in collaboration") as info:
        root.task.create(collaboration, [organization], "t", "img", "", {"method": "m"})
    assert info.value.status == 400


def test_an_error_answer_is_not_sent_again(server, root, monkeypatch):
    """The original refreshed the token and re-sent after any error, POSTs included."""
    spy = Spy(root, monkeypatch)
    name = unique("once")
    root.organization.create(name=name)
    with pytest.raises(ServerError, match="already"):
        root.organization.create(name=name)
    assert spy.calls == [("POST", "/organization"), ("POST", "/organization")]


def test_an_unreachable_server_is_retried_a_few_times_for_reads_only(monkeypatch):
    client = Client("http://127.0.0.1", free_port())
    spy = Spy(client, monkeypatch)
    started = time.monotonic()
    with pytest.raises(ServerUnreachable) as info:
        client.util.get_server_version()
    assert time.monotonic() - started < 5
    assert len(spy.calls) == CONNECT_ATTEMPTS == 3
    assert "the server cannot be reached (tried 3 times)" in str(info.value)
    assert "Connection refused" in str(info.value)
    assert "During handling" not in short_traceback(info.value)

    spy.calls.clear()
    with pytest.raises(ServerUnreachable, match="POST .*/token/user: the server cannot be reached"):
        client.authenticate("root", "root")
    assert len(spy.calls) == 1


def test_a_wrong_api_path_or_a_page_that_is_not_the_api_is_explained(server):
    address = client_for(server).base_path.removesuffix("/api")
    with pytest.raises(ClientError, match=r"/token/user does not exist: is the API path"):
        Client(address, None, "").authenticate("root", "root")
    with pytest.raises(ClientError, match="not JSON: is this the address of a vantage6"):
        Client(address, None, "").request("apidocs", authenticated=False)
