"""Attacks from the security review on organizations' encryption keys, each refused: replacing
another organization's public key directly, or through the API key of a node registered or
reset for it."""

import pytest

from vantage6.server.models.rule import Operation, Scope

KEY = "LS0tLS1CRUdJTiBQVUJMSUMgS0VZLS0tLS0K"  # what the attacker wants encryption to go to
ONLY_ITS_OWN = "can set its public key"


@pytest.fixture
def world(api):
    """The federation (A = {a1, a2, a3}, nodes of a1 and a2 in A) and a collaboration admin
    of a1."""
    ids = api.federation()
    ids["admin"] = api.user("admin", ids["a1"], roles=["Collaboration Admin"])
    return ids


def set_key(api, organization_id, headers, status):
    url = f"/api/organization/{organization_id}"
    return api.app.patch_json(url, {"public_key": KEY}, headers=headers, status=status)


def test_a_collaboration_admin_cannot_replace_another_organizations_key(api, world):
    refused = set_key(api, world["a2"], world["admin"], 403)
    assert ONLY_ITS_OWN in refused.json["msg"]
    url = f"/api/organization/{world['a2']}"
    api.app.patch_json(url, {"country": "NL"}, headers=world["admin"])  # other fields: yes
    form = api.app.get(url, headers=world["admin"]).json  # the whole form sent back: yes
    unchanged = {"country": "BE", "public_key": form["public_key"] or None}
    api.app.patch_json(url, unchanged, headers=world["admin"])


def test_root_cannot_replace_another_organizations_key(api, world):
    set_key(api, world["a2"], api.login("root", "root"), 403)


def test_the_organizations_own_node_and_admin_set_its_key(api, world):
    set_key(api, world["a2"], api.node_login("key-a2-A"), 200)
    own_admin = api.user("own-admin", world["a2"], roles=["Organization Admin"])
    set_key(api, world["a2"], own_admin, 200)
    collaboration_scoped = api.user(
        "col-editor", world["a2"], rules=[("organization", Scope.COLLABORATION, Operation.EDIT)]
    )
    set_key(api, world["a1"], collaboration_scoped, 403)


def test_no_node_credentials_are_handed_out_for_another_organization(api, world):
    """Registering a node for a3, or resetting a2's node key, would give the admin an identity
    that speaks for that organization."""
    body = {"collaboration_id": world["A"], "organization_id": world["a3"]}
    api.app.post_json("/api/node", body, headers=world["admin"], status=403)
    other = {"id": api.node_id(world["a2"], world["A"])}
    api.app.post_json("/api/recover/node", other, headers=world["admin"], status=403)
    own = {"collaboration_id": world["A"], "organization_id": world["a1"]}
    api.app.delete(f"/api/node/{api.node_id(world['a1'], world['A'])}", headers=world["admin"])
    api.app.post_json("/api/node", own, headers=world["admin"], status=201)


def test_a_collaboration_admin_cannot_switch_encryption(api, world):
    """Switching it would stop every node of B, and decide for b1 how its data travels."""
    admin_b = api.user("admin-b", world["a2"], roles=["Collaboration Admin"])
    url = f"/api/collaboration/{world['B']}"
    refused = api.app.patch_json(url, {"encrypted": False}, headers=admin_b, status=403)
    assert "global collaboration edit rule" in refused.json["msg"]
    api.app.patch_json(url, {"name": "B renamed"}, headers=admin_b)
    root = api.login("root", "root")
    assert api.app.patch_json(url, {"encrypted": False}, headers=root).json["encrypted"] is False
