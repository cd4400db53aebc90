"""User sockets on a real ``pserve``: the rooms a user's event receive rules allow, events of
those collaborations and organizations only, and rooms that follow changes of rights at once
(the periodic re-check is set far beyond the tests' waits, so only the prompt path can pass)."""

from __future__ import annotations

import json
import time

import pytest
import websocket
from sqlalchemy import create_engine, delete
from sqlalchemy.pool import NullPool

from tests.functional.test_serve import run  # noqa: F401 (fixture)
from tests.functional.ws_server import start_server
from vantage6.server.models.rule import user_rule

PASSWORD = "Events-Passw0rd"
PROMPT = 3  # seconds: a change of rights must reach the socket well within this
LATE = {"vantage6.events.recheck_seconds": "600"}


@pytest.fixture
def server(run, tmp_path, database_factory):  # noqa: F811
    return start_server(run, tmp_path, database_factory.new_url(), **LATE)


@pytest.fixture
def federation(server):
    return server.federation()


def rule_id(server, name: str, operation: str, scope: str) -> int:
    query = f"/rule?name={name}&operation={operation}&scope={scope}"
    (rule,) = server.ok("GET", query)["data"]
    return rule["id"]


def receive_rule(server, scope: str) -> int:
    """The id of the event receive rule of ``scope`` (org, col or glo)."""
    return rule_id(server, "event", "receive", scope)


def make_user(server, name: str, organization_id: int, rules=(), roles=()) -> dict:
    """A user of ``organization_id``; returns its id and an access token."""
    body = {
        "username": name,
        "email": f"{name}@example.org",
        "password": PASSWORD,
        "organization_id": organization_id,
        "rules": list(rules),
        "roles": list(roles),
    }
    created = server.ok("POST", "/user", body)
    login = {"username": name, "password": PASSWORD}
    token = server.ok("POST", "/token/user", login, token="-")["access_token"]
    return {"id": created["id"], "token": token}


def researcher(server, organization_id: int) -> str:
    """The token of a user of ``organization_id`` who may create tasks (and hears nothing)."""
    rules = [rule_id(server, "task", "create", "col")]
    return make_user(server, f"researcher-{organization_id}", organization_id, rules)["token"]


def user_socket(server, user: dict):
    """A user's socket after its ``sync``; returns the client and its rooms."""
    client = server.socket(user["token"])
    sync = client.event()
    assert sync["event"] == "sync" and sync["data"]["kind"] == "user", sync
    return client, sync["data"]["rooms"]


def resynced(client, rooms: list[str]) -> None:
    """The socket was moved to ``rooms`` promptly, and told so with a ``sync``."""
    sync = client.event(timeout=PROMPT)
    assert sync == {"event": "sync", "data": {**sync["data"], "rooms": sorted(rooms)}}, sync


def hears_task(client, task: dict) -> bool:
    """Whether ``client`` hears ``new_task`` of ``task`` (and nothing else first)."""
    try:
        event = client.event(timeout=1)
    except Exception:
        return False
    assert event == {"event": "new_task", "data": {"id": task["id"], "parent_id": None}}, event
    return True


def test_users_hear_what_their_receive_rule_reaches_and_nothing_else(server, federation):
    a, b, a2, b1, root = (federation[k] for k in ("A", "B", "a2", "b1", "root"))
    by_org = make_user(server, "by-org", a2, rules=[receive_rule(server, "org")])
    by_col = make_user(server, "by-col", a2, rules=[receive_rule(server, "col")])
    outsider = make_user(server, "outsider", b1, rules=[receive_rule(server, "col")])
    nothing = make_user(server, "deaf", a2)

    org_socket, rooms = user_socket(server, by_org)
    assert rooms == [f"collab:{a}:org:{a2}"]
    col_socket, rooms = user_socket(server, by_col)
    assert rooms == [f"collab:{a}"]
    outsider_socket, rooms = user_socket(server, outsider)
    assert rooms == [f"collab:{b}"]
    root_socket, rooms = user_socket(server, {"token": server.root})
    assert rooms == ["global"]
    code, reason = server.socket(nothing["token"]).closed()
    assert (code, reason) == (1008, "you may not receive events (no event receive rule)")

    for_root_org = server.create_task(a, [root])  # concerns collaboration A, not a2
    assert hears_task(col_socket, for_root_org) and hears_task(root_socket, for_root_org)
    assert not hears_task(org_socket, for_root_org)
    for_a2 = server.create_task(a, [a2])
    assert hears_task(org_socket, for_a2) and hears_task(col_socket, for_a2)
    assert hears_task(root_socket, for_a2)
    assert outsider_socket.silent()

    in_b = server.create_task(b, [b1], token=researcher(server, b1))
    assert hears_task(outsider_socket, in_b) and hears_task(root_socket, in_b)
    for client in (org_socket, col_socket):
        assert client.silent()


def test_rooms_follow_rules_and_roles_given_and_taken_at_once(server, federation):
    a, root, a2 = federation["A"], federation["root"], federation["a2"]
    org_rule, col_rule = receive_rule(server, "org"), receive_rule(server, "col")
    role = server.ok(
        "POST", "/role", {"name": "listeners", "rules": [org_rule], "organization_id": a2}
    )
    user = make_user(server, "listener", a2, roles=[role["id"]])
    client, rooms = user_socket(server, user)
    assert rooms == [f"collab:{a}:org:{a2}"]

    server.ok("PATCH", f"/user/{user['id']}", {"rules": [col_rule]})  # a rule given
    resynced(client, [f"collab:{a}"])
    assert hears_task(client, server.create_task(a, [root]))

    server.ok("PATCH", f"/user/{user['id']}", {"rules": []})  # ... and taken back
    resynced(client, [f"collab:{a}:org:{a2}"])
    assert not hears_task(client, server.create_task(a, [root]))

    server.ok("DELETE", f"/role/{role['id']}/rule/{org_rule}")  # the role loses its rule
    code, reason = client.closed(timeout=PROMPT)
    assert (code, reason) == (1008, "you may no longer receive events")

    server.ok("POST", f"/role/{role['id']}/rule/{org_rule}")
    again, rooms = user_socket(server, user)
    assert rooms == [f"collab:{a}:org:{a2}"]
    server.ok("PATCH", f"/user/{user['id']}", {"roles": []})  # the role taken from the user
    assert again.closed(timeout=PROMPT) == (1008, "you may no longer receive events")


def test_rooms_follow_the_organizations_collaborations(server, federation):
    a, b, a2, b1 = federation["A"], federation["B"], federation["a2"], federation["b1"]
    user = make_user(server, "member", a2, rules=[receive_rule(server, "col")])
    client, rooms = user_socket(server, user)
    assert rooms == [f"collab:{a}"]

    server.ok("POST", f"/collaboration/{b}/organization", {"id": a2})  # joins B
    resynced(client, [f"collab:{a}", f"collab:{b}"])
    assert hears_task(client, server.create_task(b, [b1], token=researcher(server, b1)))

    path = f"/collaboration/{a}/organization?delete_dependents=true"
    server.ok("DELETE", path, {"id": a2})  # leaves A (its node there is deleted)
    resynced(client, [f"collab:{b}"])
    assert not hears_task(client, server.create_task(a, [federation["root"]]))

    created = server.ok("POST", "/collaboration", {"name": "C", "organization_ids": [a2]})
    resynced(client, [f"collab:{b}", f"collab:{created['id']}"])


def test_a_deleted_user_or_a_changed_password_ends_the_socket_at_once(server, federation):
    rule = receive_rule(server, "org")
    deleted = make_user(server, "leaver", federation["a2"], rules=[rule])
    client, _ = user_socket(server, deleted)
    server.ok("DELETE", f"/user/{deleted['id']}")
    assert client.closed(timeout=PROMPT) == (4002, "the user of this token no longer exists")

    changed = make_user(server, "changer", federation["a2"], rules=[rule])
    client, _ = user_socket(server, changed)
    body = {"current_password": PASSWORD, "new_password": PASSWORD + "-new"}
    server.ok("PATCH", "/password/change", body, token=changed["token"])
    code, reason = client.closed(timeout=PROMPT)
    assert code == 4002 and reason.startswith("the password or API key changed")


def test_a_change_made_behind_the_servers_back_counts_within_recheck_seconds(
    run,  # noqa: F811
    tmp_path,
    database_factory,
):
    """Also on a busy socket: events arriving more often than the re-check interval do not
    put the re-check off."""
    url = database_factory.new_url()
    server = start_server(run, tmp_path, url, **{"vantage6.events.recheck_seconds": "2"})
    federation = server.federation()
    a2 = federation["a2"]
    user = make_user(server, "direct", a2, rules=[receive_rule(server, "org")])
    client, _ = user_socket(server, user)

    engine = create_engine(url, poolclass=NullPool)
    with engine.begin() as connection:  # not through the API: no prompt re-check
        connection.execute(delete(user_rule).where(user_rule.c.user_id == user["id"]))
    engine.dispose()
    started = time.monotonic()
    while time.monotonic() - started < 2 + 1:
        server.create_task(federation["A"], [a2])
        client.ws.settimeout(2)
        opcode, data = client.ws.recv_data(control_frame=True)
        if opcode == websocket.ABNF.OPCODE_CLOSE:
            assert data[2:].decode() == "you may no longer receive events"
            return
        assert json.loads(data)["event"] == "new_task"
        time.sleep(0.3)
    pytest.fail("the busy socket was not re-checked within recheck_seconds")
