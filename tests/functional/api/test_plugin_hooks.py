"""The server's plugin hooks for logins (``vantage6_authenticate``) and committed events
(``vantage6_event_committed``), with plugins registered on a real app."""

from __future__ import annotations

import base64

import pytest
from sqlalchemy import select

from vantage6.plugins import hookimpl
from vantage6.server.models import User
from vantage6.server.security.login import find_user


class Directory:
    """A credentials backend that knows ``ann`` and ``sso-bea`` by their directory password;
    ``sso-bea`` gets an account at her first login."""

    PASSWORD = "directory-password"

    def __init__(self, organization_id: int = 1):
        self.organization_id = organization_id
        self.asked = []

    @hookimpl
    def vantage6_authenticate(self, username, password, request):
        self.asked.append(username)
        if username not in ("ann", "sso-bea") or password != self.PASSWORD:
            return None
        user = find_user(request.dbsession, username)
        if user is None:
            user = User(username=username, organization_id=self.organization_id)
            request.dbsession.add(user)
            request.dbsession.flush()
        return user


class Recorder:
    """Remembers every committed event with who caused it."""

    def __init__(self):
        self.seen = []

    @hookimpl
    def vantage6_event_committed(self, event, identity, registry):
        self.seen.append((event.name, event.data, identity and identity.principal, registry))


class Broken:
    @hookimpl(tryfirst=True)
    def vantage6_event_committed(self, event):
        raise RuntimeError("this plugin is broken")


@pytest.fixture
def register(api):
    plugins = api.wsgi.registry["vantage6.plugins"]
    registered = []

    def add(plugin):
        plugins.register(plugin, name=type(plugin).__name__)
        registered.append(plugin)
        return plugin

    yield add
    for plugin in registered:
        plugins.unregister(plugin)


def login(api, username, password, status=200) -> dict:
    body = {"username": username, "password": password}
    return api.app.post_json("/api/token/user", body, status=status).json


def failures(api, username) -> int:
    with api.session() as session:
        return (
            session.scalars(select(User).filter_by(username=username)).one().failed_login_attempts
        )


# -- vantage6_authenticate ------------------------------------------------------------------


def test_a_backend_logs_in_whom_it_knows_before_the_password_check(api, register):
    directory = register(Directory())
    tokens = login(api, "sso-bea", Directory.PASSWORD)
    headers = {"Authorization": f"Bearer {tokens['access_token']}"}
    user_id = api.user_id("sso-bea")
    assert api.app.get(f"/api/user/{user_id}", headers=headers).json["username"] == "sso-bea"
    login(api, "root", "root")  # the built-in password check, asked last
    assert directory.asked == ["sso-bea", "root"]


def test_when_every_backend_declines_the_attempt_counts_as_a_failure(api, register):
    register(Directory())
    api.account("carl")
    login(api, "carl", "wrong", status=401)
    login(api, "nobody", "wrong", status=401)
    assert failures(api, "carl") == 1
    login(api, "carl", "Password-1")
    assert failures(api, "carl") == 0


def test_a_blocked_account_is_not_asked_of_any_backend(make_api):
    api = make_api(**{"vantage6.login.max_failed_attempts": "1"})
    directory = Directory()
    api.wsgi.registry["vantage6.plugins"].register(directory)
    api.account("ann")
    login(api, "ann", "wrong", status=401)
    login(api, "ann", Directory.PASSWORD, status=401)  # right for the backend, but blocked
    assert directory.asked == ["ann"]


def test_blocking_the_password_check_leaves_only_the_backends(make_api):
    api = make_api(**{"vantage6.plugins.blocked": "vantage6.password"})
    api.wsgi.registry["vantage6.plugins"].register(Directory())
    api.account("ann")
    login(api, "ann", "Password-1", status=401)
    login(api, "ann", Directory.PASSWORD)


def test_a_second_factor_is_still_asked_after_a_backend(make_api):
    api = make_api(**{"vantage6.two_factor_auth": "true"})
    api.wsgi.registry["vantage6.plugins"].register(Directory())
    answer = login(api, "sso-bea", Directory.PASSWORD)
    assert "access_token" not in answer and "qr_uri" in answer


# -- vantage6_event_committed ---------------------------------------------------------------


def task_body(collaboration_id, organizations) -> dict:
    return {
        "image": "demo/average",
        "collaboration_id": collaboration_id,
        "organizations": [
            {"id": id_, "input": base64.b64encode(b"{}").decode()} for id_ in organizations
        ],
    }


def test_committed_events_reach_plugins_with_who_caused_them(api, register):
    recorder = register(Recorder())
    world = api.federation()
    researcher = api.user("researcher", world["a1"], roles=["Researcher"])
    task = api.app.post_json(
        "/api/task", task_body(world["A"], [world["a1"]]), headers=researcher
    ).json
    who = f"user:{api.user_id('researcher')}"
    assert recorder.seen == [
        ("new_task", {"id": task["id"], "parent_id": None}, who, api.wsgi.registry)
    ]


def test_no_event_reaches_plugins_when_the_request_is_refused(api, register):
    recorder = register(Recorder())
    world = api.federation()
    researcher = api.user("researcher", world["a1"], roles=["Researcher"])
    api.app.post_json(
        "/api/task", task_body(world["A"], [world["a3"]]), headers=researcher, status=400
    )
    assert recorder.seen == []


def test_a_failing_plugin_cannot_undo_the_committed_request(api, register, caplog):
    register(Broken())
    world = api.federation()
    researcher = api.user("researcher", world["a1"], roles=["Researcher"])
    created = api.app.post_json(
        "/api/task", task_body(world["A"], [world["a1"]]), headers=researcher, status=201
    ).json
    api.app.get(f"/api/task/{created['id']}", headers=researcher)
    assert "A plugin failed on the committed event new_task" in caplog.text
