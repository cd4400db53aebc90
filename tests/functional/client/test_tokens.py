"""Automatic token refresh, on a server whose access tokens live 4 seconds and whose event
sockets close after 2 seconds without a ping."""

from __future__ import annotations

import logging
import threading
import time

import pytest

from tests.functional.client.conftest import Node, login, plain, unique
from tests.functional.client.test_errors import Spy
from vantage6.client import AuthenticationError
from vantage6.client import wait as waiting

LIFETIME = 4


@pytest.fixture(scope="module")
def server(launch):
    return launch(
        **{
            "vantage6.jwt.access_expires_seconds": str(LIFETIME),
            "vantage6.jwt.refresh_expires_seconds": "600",
            "vantage6.events.heartbeat_timeout_seconds": "2",
        }
    )


def test_a_token_about_to_expire_is_refreshed_before_the_request(server, monkeypatch):
    client = login(server)
    first = client.token
    time.sleep(LIFETIME * 0.85)  # past the refresh moment (a fifth of the life before expiry)
    spy = Spy(client, monkeypatch)
    assert client.organization.list()["data"]
    assert spy.calls == [("POST", "/token/refresh"), ("GET", "/organization")]
    assert client.token != first


def test_a_request_refused_for_an_expired_token_is_sent_again_after_refreshing(server, monkeypatch):
    """E.g. when the client's clock is behind: the server's word counts. Refused requests
    were not carried out, so even a POST is safe to repeat, and happens once."""
    client = login(server)
    client.connection._refresh_at = None  # as if the expiry were unknown
    time.sleep(LIFETIME + 0.5)
    spy = Spy(client, monkeypatch)
    name = unique("after-expiry")
    client.organization.create(name=name)
    assert spy.calls == [
        ("POST", "/organization"),
        ("POST", "/token/refresh"),
        ("POST", "/organization"),
    ]
    assert client.organization.list(name=name, field="name") == [name]


def test_a_refused_refresh_ends_the_session_clearly(server):
    client = login(server)
    client.connection.refresh_token = client.token  # an access token cannot refresh
    client.connection._refresh_at = 0
    with pytest.raises(AuthenticationError, match="The session has ended .* log in again"):
        client.organization.list()
    with pytest.raises(AuthenticationError, match="call client.authenticate"):
        client.organization.list()


def test_waiting_outlives_tokens_and_heartbeats(server, monkeypatch, caplog):
    """The socket pings (the server closes silent ones after 2 s) and, when the server closes
    it because its token expired, opens again with a fresh token."""
    caplog.set_level(logging.DEBUG, "vantage6.client.wait")
    monkeypatch.setattr(waiting, "PING_SECONDS", 0.5)
    client = login(server)
    organization = client.whoami.organization_id
    collaboration = client.collaboration.create(unique("w"), [organization])["id"]
    node = Node(server, client.node.create(collaboration, organization))
    task = client.task.create(collaboration, [organization], "t", "img", "", {"method": "m"})
    (run,) = node.runs(task["id"])

    def report():  # the node's own token has expired by then
        node.log_in()
        node.complete(run["id"], plain({"done": True}))

    reporter = threading.Timer(LIFETIME + 2, report)
    reporter.start()
    started = time.monotonic()
    results = client.wait_for_results(task["id"], interval=60, timeout=30)
    reporter.join()
    assert time.monotonic() - started < 15
    assert results["data"][0]["result"] == {"done": True}
    assert "nothing heard" not in caplog.text  # no close for missed heartbeats
    assert "The event socket's token expired" in caplog.text
    assert caplog.text.count("Listening for events") >= 2  # opened again with a fresh token
