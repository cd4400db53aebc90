"""Identities kept in memory between requests (``security/identity_cache.py``) never outlive
a right: however a role, rule, membership or credential changes (the API, the admin shell's
session, plain SQL on another connection), the very next request is decided on what holds now."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import event, text

from vantage6.server.models import Node, Operation, Role, Scope, User

COLLABORATION_VIEW = ("user", Scope.COLLABORATION, Operation.VIEW)


@pytest.fixture
def world(api):
    """alice (a1) sees the users of collaboration A through her role "viewers", whose one rule
    is ``user`` view at collaboration scope; bob is a user of a2, her partner in A."""
    ids = api.two_collaborations()
    ids["viewers"] = api.role("viewers", ids["a1"], rules=[COLLABORATION_VIEW])
    ids["bob"] = api.account("bob", organization_id=ids["a2"])
    api.user("alice", ids["a1"], roles=["viewers"])
    return ids


def sees_bob(api, world, headers, status=200):
    return api.app.get(f"/api/user/{world['bob']}", headers=headers, status=status)


def through_the_api(api, world):
    root = api.login("root", "root")
    api.app.patch_json(f"/api/role/{world['viewers']}", {"rules": []}, headers=root)


def through_a_session(api, world):
    """As an admin in ``pshell`` would: the ORM, no request."""
    with api.session() as session, session.begin():
        role = session.get(Role, world["viewers"])
        role.rules.clear()


def through_sql(api, world):
    with api.engine.begin() as connection:
        connection.execute(text("DELETE FROM user_role"))


def by_leaving_the_collaboration(api, world):
    with api.engine.begin() as connection:
        connection.execute(
            text("DELETE FROM member WHERE organization_id = :a1"), {"a1": world["a1"]}
        )


@pytest.mark.parametrize(
    "revoke", [through_the_api, through_a_session, through_sql, by_leaving_the_collaboration]
)
def test_a_revoked_right_is_refused_on_the_very_next_request(api, world, revoke):
    alice = api.login("alice", "Password-1")
    sees_bob(api, world, alice)
    sees_bob(api, world, alice)  # now decided on the kept identity
    revoke(api, world)
    sees_bob(api, world, alice, status=(403, 404))


def test_a_granted_right_works_on_the_very_next_request(api, world):
    carol = api.user("carol", world["a1"])
    sees_bob(api, world, carol, status=(403, 404))
    with api.session() as session, session.begin():
        carol_row = session.get(User, api.user_id("carol"))
        carol_row.roles.append(session.get(Role, world["viewers"]))
    sees_bob(api, world, carol)


def test_a_new_password_ends_kept_tokens(api, world):
    alice = api.login("alice", "Password-1")
    sees_bob(api, world, alice)
    with api.session() as session, session.begin():
        session.get(User, api.user_id("alice")).password = "Another-password-2"
    assert sees_bob(api, world, alice, status=401).json["msg"].startswith("Authentication")


def test_a_deleted_account_ends_kept_tokens(api, world):
    alice = api.login("alice", "Password-1")
    sees_bob(api, world, alice)
    with api.session() as session, session.begin():
        session.delete(session.get(User, api.user_id("alice")))
    sees_bob(api, world, alice, status=401)


def test_a_new_api_key_ends_a_nodes_kept_tokens(api):
    ids = api.federation()
    node = api.node_login("key-a1-A")
    api.app.get("/api/run", headers=node)
    with api.session() as session, session.begin():
        session.get(Node, api.node_id(ids["a1"], ids["A"])).api_key = "another-key"
    api.app.get("/api/run", headers=node, status=401)


def test_an_expired_token_is_refused_even_when_kept(make_api):
    api = make_api(**{"vantage6.jwt.access_expires_seconds": "1"})
    root = api.login("root", "root")
    api.app.get("/api/organization", headers=root)
    time.sleep(2.1)  # expiry is in whole seconds
    api.app.get("/api/organization", headers=root, status=401)


def test_a_kept_identity_spares_the_account_and_rule_queries(api, world):
    sees_bob(api, world, api.login("alice", "Password-1"))  # the process now knows the rules
    alice = api.login("alice", "Password-1")
    statements = []
    event.listen(api.engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    sees_bob(api, world, alice)
    first = len(statements)
    statements.clear()
    sees_bob(api, world, alice)
    assert len(statements) == first - 2  # the account row and the grants


@pytest.mark.parametrize("path", ["/api/version", "/api/health"])
def test_endpoints_that_need_no_identity_do_not_check_the_token(api, path):
    root = api.login("root", "root")
    statements = []
    event.listen(api.engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    api.app.get(path, headers=root)
    api.app.get(path, headers={"Authorization": "Bearer not-a-token"})
    assert not [sql for sql in statements if "rights_epoch" in sql or "FROM user" in sql]
