"""Passwords and node API keys are stored only as argon2 hashes and are write-only.

Also proves that a node is found by its API key with one indexed SELECT and one hash check,
however many nodes there are (the original bcrypt-checked every node on each login).
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import event, text

import vantage6.server.models.node as node_module
from vantage6.server.models.errors import ModelError


def raw_column(session, table: str, column: str, id_: int):
    """A column's value read with plain SQL, bypassing the model."""
    return session.execute(
        text(f'SELECT {column} FROM "{table}" WHERE id = :id'), {"id": id_}
    ).scalar_one()


@pytest.fixture
def org(shell):
    org = shell["db"].Organization(name="Hashing Org")
    org.save()
    return org


# -- user passwords ---------------------------------------------------------------------------


def assert_stored_as_argon2(dbsession, user, clear: str):
    stored = raw_column(dbsession, "user", "password", user.id)
    assert stored.startswith("$argon2")
    assert clear not in stored


def test_password_given_to_the_constructor_is_hashed(shell, dbsession, org):
    user = shell["db"].User(username="u1", password="Correct-Horse-1", organization=org)
    user.save()
    assert_stored_as_argon2(dbsession, user, "Correct-Horse-1")
    assert user.check_password("Correct-Horse-1")


def test_assigned_password_is_hashed_and_replaces_the_old_one(shell, dbsession, org):
    user = shell["db"].User(username="u2", password="first-password", organization=org)
    user.save()
    first_hash = raw_column(dbsession, "user", "password", user.id)
    user.password = "second-password"
    user.save()
    assert_stored_as_argon2(dbsession, user, "second-password")
    assert raw_column(dbsession, "user", "password", user.id) != first_hash
    assert user.check_password("second-password")
    assert not user.check_password("first-password")


def test_set_password_is_the_3x_spelling(shell, dbsession, org):
    user = shell["db"].User(username="u3", organization=org)
    user.set_password("via-set-password")
    user.save()
    assert_stored_as_argon2(dbsession, user, "via-set-password")
    assert user.check_password("via-set-password")


def test_same_password_hashes_differently_per_user(shell, dbsession, org):
    db = shell["db"]
    one = db.User(username="same1", password="shared", organization=org)
    one.save()
    two = db.User(username="same2", password="shared", organization=org)
    two.save()
    assert raw_column(dbsession, "user", "password", one.id) != raw_column(
        dbsession, "user", "password", two.id
    )


@pytest.mark.parametrize("attempt", ["wrong", "", "Correct-Horse-1 ", "correct-horse-1", None, 1])
def test_check_password_rejects_anything_else(shell, org, attempt):
    user = shell["db"].User(username="u4", password="Correct-Horse-1", organization=org)
    assert user.check_password(attempt) is False


def test_user_without_password_matches_nothing(shell, org):
    user = shell["db"].User(username="u5", organization=org)
    assert user.check_password("") is False
    assert user.check_password("anything") is False


def test_password_cannot_be_read(shell, org):
    user = shell["db"].User(username="u6", password="hidden", organization=org)
    with pytest.raises(AttributeError, match="write-only"):
        _ = user.password


@pytest.mark.parametrize("bad", ["", 12345, b"bytes"])
def test_password_must_be_non_empty_text(shell, org, bad):
    db = shell["db"]
    with pytest.raises(ModelError, match="User.password must be non-empty text"):
        db.User(username="u7", password=bad, organization=org)
    user = db.User(username="u8", password="kept", organization=org)
    with pytest.raises(ModelError, match="User.password must be non-empty text"):
        user.password = bad
    assert user.check_password("kept")  # the refused value did not replace the old one


def test_repr_shows_no_secret(shell, org):
    db = shell["db"]
    user = db.User(username="u9", password="pa55word", organization=org)
    node = db.Node(name="n9", api_key="api-key-9", organization=org)
    for obj, secret, hashed in (
        (user, "pa55word", user._password_hash),
        (node, "api-key-9", node._api_key_hash),
    ):
        shown = repr(obj) + str(obj)
        assert secret not in shown and hashed not in shown and "argon2" not in shown


# -- node API keys ----------------------------------------------------------------------------


@pytest.fixture
def collaboration(shell, org):
    collab = shell["db"].Collaboration(name="Hashing Collab", organizations=[org])
    collab.save()
    return collab


def test_api_key_is_hashed_and_has_a_short_lookup_id(shell, dbsession, org, collaboration):
    db = shell["db"]
    node = db.Node(
        name="n1", api_key="9f0c-secret-key", organization=org, collaboration=collaboration
    )
    node.save()
    stored = raw_column(dbsession, "node", "api_key", node.id)
    assert stored.startswith("$argon2") and "9f0c-secret-key" not in stored
    lookup_id = raw_column(dbsession, "node", "api_key_id", node.id)
    assert re.fullmatch(r"[0-9a-f]{16}", lookup_id)
    assert lookup_id not in "9f0c-secret-key"
    assert node.check_key("9f0c-secret-key")
    assert not node.check_key("9f0c-secret-kez")
    with pytest.raises(AttributeError, match="write-only"):
        _ = node.api_key


def test_new_api_key_replaces_hash_and_lookup_id(shell, dbsession, org, collaboration):
    db = shell["db"]
    node = db.Node(name="n2", api_key="old-key", organization=org, collaboration=collaboration)
    node.save()
    old_lookup = node.api_key_id
    node.api_key = "new-key"
    node.save()
    assert node.api_key_id != old_lookup
    assert db.Node.find_by_api_key(dbsession, "new-key") == node
    assert db.Node.find_by_api_key(dbsession, "old-key") is None


@pytest.mark.parametrize("bad", ["", None, 7])
def test_api_key_must_be_non_empty_text(shell, org, bad):
    with pytest.raises(ModelError, match="Node.api_key must be non-empty text"):
        shell["db"].Node(name="n3", api_key=bad, organization=org)


@pytest.fixture
def thirty_nodes(shell, dbsession):
    """Thirty nodes (one per organization) in one collaboration; returns {api key: node}."""
    db = shell["db"]
    orgs = [db.Organization(name=f"Site {i}") for i in range(30)]
    collab = db.Collaboration(name="Thirty", organizations=orgs)
    nodes = {
        f"api-key-{i:02d}": db.Node(
            name=f"node {i}", api_key=f"api-key-{i:02d}", organization=org, collaboration=collab
        )
        for i, org in enumerate(orgs)
    }
    dbsession.add_all(nodes.values())
    dbsession.commit()
    dbsession.expire_all()
    return nodes


@pytest.fixture
def counters(dbsession, monkeypatch):
    """Counts SELECT statements sent to the database and argon2 verifications."""
    counts = {"select": 0, "verify": 0}

    def count_statement(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("SELECT"):
            counts["select"] += 1

    original_verify = node_module.verify_secret

    def counting_verify(hashed, secret, **kind):
        counts["verify"] += 1
        return original_verify(hashed, secret, **kind)

    monkeypatch.setattr(node_module, "verify_secret", counting_verify)
    connection = dbsession.connection()
    event.listen(connection, "before_cursor_execute", count_statement)
    yield counts
    event.remove(connection, "before_cursor_execute", count_statement)


@pytest.mark.parametrize("which", ["api-key-00", "api-key-17", "api-key-29"])
def test_find_by_api_key_uses_one_select_and_one_hash_check(
    shell, dbsession, thirty_nodes, counters, which
):
    found = shell["db"].Node.find_by_api_key(dbsession, which)
    assert found is thirty_nodes[which]
    assert counters == {"select": 1, "verify": 1}


@pytest.mark.parametrize(
    "bad", ["api-key-30", "API-KEY-00", "api-key-00 ", "", None, 0, b"api-key-00"]
)
def test_find_by_api_key_returns_none_for_a_wrong_key(
    shell, dbsession, thirty_nodes, counters, bad
):
    assert shell["db"].Node.find_by_api_key(dbsession, bad) is None
    assert counters["verify"] == 0  # no node has that lookup id: no hash to check
    assert counters["select"] <= 1


def test_find_by_api_key_still_checks_the_hash(shell, dbsession, thirty_nodes, counters):
    """The lookup id only finds the row; a key with a colliding id is still refused."""
    db = shell["db"]
    node = thirty_nodes["api-key-05"]
    dbsession.execute(
        text("UPDATE node SET api_key_id = :forged WHERE id = :id"),
        {"forged": node_module.api_key_lookup_id("forged-key"), "id": node.id},
    )
    assert db.Node.find_by_api_key(dbsession, "forged-key") is None
    assert counters["verify"] == 1
