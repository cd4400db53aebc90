"""``/node`` and ``/recover/node``: listing by scope, registering, reading, patching, deleting,
resetting the API key, and bad input."""

import datetime as dt
import uuid

import pytest
from sqlalchemy import update

from vantage6.server.models import Node
from vantage6.server.models.rule import Operation, Scope

V, E, C, D = Operation.VIEW, Operation.EDIT, Operation.CREATE, Operation.DELETE


@pytest.fixture
def world(api):
    """Collaborations A = {a1, a2, c1, c2} and B = {a2, b1}; D = {d1}. Nodes "a1@A", "a2@A",
    "a2@B" and "b1@B" (keys "key-<org>-<collab>"); c1, c2 and d1 have none yet."""
    orgs = {
        "a1": api.organization("a1", ["A"]),
        "a2": api.organization("a2", ["A", "B"]),
        "b1": api.organization("b1", ["B"]),
        "c1": api.organization("c1", ["A"]),
        "c2": api.organization("c2", ["A"]),
        "d1": api.organization("d1", ["D"]),
    }
    nodes = {
        f"{org}@{collab}": api.node(orgs[org], collab, api_key=f"key-{org}-{collab}")
        for org, collab in [("a1", "A"), ("a2", "A"), ("a2", "B"), ("b1", "B")]
    }
    with api.session() as session, session.begin():
        for name, node_id in nodes.items():
            session.execute(update(Node).where(Node.id == node_id).values(name=name))
    return {**orgs, "nodes": nodes, "A": 1, "B": 2, "D": 3}


def listed(response):
    return sorted(item["id"] for item in response.json["data"])


def node_ids(world, *keys):
    return sorted(world["nodes"][key] for key in keys)


def test_root_lists_nodes_in_the_original_shape_without_key_material(api, root, world):
    response = api.app.get("/api/node", headers=root)
    assert response.headers["total-count"] == "4"
    first = response.json["data"][0]
    assert first["type"] == "node" and first["config"] == []
    assert first["organization"] == {
        "id": world["a1"],
        "link": f"/api/organization/{world['a1']}",
        "methods": ["GET", "PATCH", "DELETE"],
    }
    assert first["collaboration"]["link"] == "/api/collaboration/1"
    assert set(first) == {
        "id", "name", "type", "status", "ip", "last_seen", "organization", "collaboration",
        "config", "vpn_prefix",
    }  # fmt: skip
    assert "key-a1-A" not in response.text and "api_key" not in response.text


@pytest.mark.parametrize(
    "scope, visible",
    [
        (Scope.ORGANIZATION, ["a2@A", "a2@B"]),
        (Scope.COLLABORATION, ["a1@A", "a2@A", "a2@B", "b1@B"]),
        (Scope.GLOBAL, ["a1@A", "a2@A", "a2@B", "b1@B"]),
    ],
)
def test_list_and_get_agree_with_the_view_scope(api, world, scope, visible):
    headers = api.user("viewer", world["a2"], rules=[("node", scope, V)])
    assert listed(api.app.get("/api/node", headers=headers)) == node_ids(world, *visible)
    for key, node_id in world["nodes"].items():
        status = 200 if key in visible else 403
        api.app.get(f"/api/node/{node_id}", headers=headers, status=status)


def test_collaboration_scope_covers_the_callers_collaborations_only(api, world):
    headers = api.user("viewer", world["a1"], rules=[("node", Scope.COLLABORATION, V)])
    visible = listed(api.app.get("/api/node", headers=headers))
    assert visible == node_ids(world, "a1@A", "a2@A")
    api.app.get(f"/api/node/{world['nodes']['a2@B']}", headers=headers, status=403)


def test_a_node_sees_its_organizations_nodes(api, world):
    headers = api.node_login("key-a2-A")
    assert listed(api.app.get("/api/node", headers=headers)) == node_ids(world, "a2@A", "a2@B")
    api.app.get(f"/api/node/{world['nodes']['a1@A']}", headers=headers, status=403)


def test_without_any_view_rule_the_list_is_forbidden(api, world):
    headers = api.user("nobody", world["a1"])
    response = api.app.get("/api/node", headers=headers, status=403)
    assert response.json == {"msg": "You lack the permission to do that!"}


@pytest.mark.parametrize(
    "method, path",
    [
        ("get", "/api/node"),
        ("post", "/api/node"),
        ("get", "/api/node/{node}"),
        ("patch", "/api/node/{node}"),
        ("delete", "/api/node/{node}"),
        ("post", "/api/recover/node"),
    ],
)
def test_anonymous_callers_get_401(api, world, method, path):
    node = world["nodes"]["a1@A"]
    response = api.app.request(
        path.format(node=node),
        method=method.upper(),
        body=f'{{"id": {node}}}'.encode(),
        content_type="application/json",
        status=401,
    )
    assert "Authentication required" in response.json["msg"]


def test_missing_and_malformed_ids_are_404(api, root):
    missing = api.app.get("/api/node/999", headers=root, status=404)
    assert missing.json == {"msg": "Node '999' does not exist"}
    for bad in ("abc", "-1", "99999999999999999999999", "1.0"):
        api.app.get(f"/api/node/{bad}", headers=root, status=404)


def test_register_shows_the_api_key_once_and_the_node_can_log_in(api, root, world):
    body = {"collaboration_id": world["A"], "organization_id": world["c1"]}
    created = api.app.post_json("/api/node", body, headers=root, status=201).json
    assert str(uuid.UUID(created["api_key"], version=4)) == created["api_key"]
    assert created["name"] == "c1 - A Node" and created["status"] == "offline"
    assert created["organization"]["id"] == world["c1"]
    fetched = api.app.get(f"/api/node/{created['id']}", headers=root)
    assert "api_key" not in fetched.json and created["api_key"] not in fetched.text
    assert created["api_key"] not in api.app.get("/api/node", headers=root).text
    node = api.node_login(created["api_key"])
    assert api.app.get(f"/api/node/{created['id']}", headers=node).json["name"] == "c1 - A Node"


def test_an_organization_gets_one_node_per_collaboration_and_must_be_a_member(api, root, world):
    again = {"collaboration_id": world["A"], "organization_id": world["a1"]}
    refused = api.app.post_json("/api/node", again, headers=root, status=400)
    assert f"Organization {world['a1']} already has node" in refused.json["msg"]
    outsider = {"collaboration_id": world["B"], "organization_id": world["a1"]}
    refused = api.app.post_json("/api/node", outsider, headers=root, status=400)
    assert "is not a member of collaboration 2; add it" in refused.json["msg"]
    assert api.app.get("/api/node", headers=root).headers["total-count"] == "4"


def test_the_default_name_stays_unique(api, root, world):
    with api.session() as session, session.begin():
        session.execute(
            update(Node).where(Node.id == world["nodes"]["a1@A"]).values(name="c1 - A Node")
        )
    body = {"collaboration_id": world["A"], "organization_id": world["c1"]}
    created = api.app.post_json("/api/node", body, headers=root, status=201).json
    assert created["name"] == "c1 - A Node (2)"


@pytest.mark.parametrize(
    "scope, allowed, refused",
    [
        (Scope.ORGANIZATION, [("c1", "A")], [("c2", "A")]),
        # A node's API key speaks for its organization: only for one's own with this scope.
        (Scope.COLLABORATION, [("c1", "A")], [("c2", "A"), ("d1", "D")]),
        (Scope.GLOBAL, [("c2", "A"), ("d1", "D")], []),
    ],
)
def test_register_by_scope(api, world, scope, allowed, refused):
    headers = api.user("admin", world["c1"], rules=[("node", scope, C)])
    for org, collab in allowed:
        body = {"collaboration_id": world[collab], "organization_id": world[org]}
        api.app.post_json("/api/node", body, headers=headers, status=201)
    for org, collab in refused:
        body = {"collaboration_id": world[collab], "organization_id": world[org]}
        api.app.post_json("/api/node", body, headers=headers, status=403)


def test_the_organization_defaults_to_the_callers(api, world):
    headers = api.user("admin", world["c1"], rules=[("node", Scope.ORGANIZATION, C)])
    created = api.app.post_json("/api/node", {"collaboration_id": world["A"]}, headers=headers)
    assert created.json["organization"]["id"] == world["c1"]


def test_nodes_cannot_register_nodes(api, world):
    headers = api.node_login("key-a1-A")
    body = {"collaboration_id": world["A"], "organization_id": world["a1"]}
    api.app.post_json("/api/node", body, headers=headers, status=403)


@pytest.mark.parametrize(
    "body, message",
    [
        ({}, "collaboration_id: Required"),
        ({"collaboration_id": "1"}, "collaboration_id: must be a whole number"),
        ({"collaboration_id": True}, "collaboration_id: must be a whole number"),
        ({"collaboration_id": 1, "organization_id": None}, "organization_id: must not be null"),
        ({"collaboration_id": 1, "name": ""}, "name"),
        ({"collaboration_id": 1, "api_key": "mine"}, "Unrecognized keys"),
        ({"collaboration_id": 999}, "Collaboration 999 does not exist"),
        ({"collaboration_id": 2**70}, f"Collaboration {2**70} does not exist"),
        ({"collaboration_id": 1, "organization_id": 999}, "Organization 999 does not exist"),
        ({"collaboration_id": 1, "name": "a1@A"}, "name 'a1@A' is already in use"),
    ],
)
def test_register_refuses_bad_bodies(api, root, world, body, message):
    body = {"organization_id": world["c1"], **body}
    response = api.app.post_json("/api/node", body, headers=root, status=400)
    assert message in response.json["msg"]
    assert api.app.get("/api/node", headers=root).headers["total-count"] == "4"


def test_patch_changes_only_what_is_sent(api, root, world):
    url = f"/api/node/{world['nodes']['a1@A']}"
    api.app.patch_json(url, {"ip": "10.76.0.3"}, headers=root)
    renamed = api.app.patch_json(url, {"name": "renamed"}, headers=root).json
    assert (renamed["name"], renamed["ip"]) == ("renamed", "10.76.0.3")
    cleared = api.app.patch_json(url, {"clear_ip": True}, headers=root).json
    assert (cleared["name"], cleared["ip"]) == ("renamed", None)


@pytest.mark.parametrize(
    "body, message",
    [
        ({"organization_id": 2}, "organization_id: cannot be changed"),
        ({"collaboration_id": 2}, "collaboration_id: cannot be changed"),
        ({"ip": "not an ip"}, "ip: must be an IP address"),
        ({"ip": "10.0.0.1", "clear_ip": True}, "Send either ip or clear_ip"),
        ({"clear_ip": "yes"}, "clear_ip: must be true or false"),
        ({"name": None}, "name: must not be null"),
        ({"api_key": "mine"}, "Unrecognized keys"),
    ],
)
def test_patch_refuses_bad_bodies_and_changes_nothing(api, root, world, body, message):
    url = f"/api/node/{world['nodes']['a1@A']}"
    response = api.app.patch_json(url, {**body}, headers=root, status=400)
    assert message in response.json["msg"]
    unchanged = api.app.get(url, headers=root).json
    assert (unchanged["name"], unchanged["ip"]) == ("a1@A", None)


def test_renaming_to_a_taken_name_is_400(api, root, world):
    url = f"/api/node/{world['nodes']['a1@A']}"
    response = api.app.patch_json(url, {"name": "a2@A"}, headers=root, status=400)
    assert "name 'a2@A' is already in use" in response.json["msg"]


def test_patch_by_scope(api, world):
    headers = api.user("admin", world["a1"], rules=[("node", Scope.ORGANIZATION, E)])
    api.app.patch_json(f"/api/node/{world['nodes']['a1@A']}", {"name": "x"}, headers=headers)
    other = f"/api/node/{world['nodes']['a2@A']}"
    api.app.patch_json(other, {"name": "y"}, headers=headers, status=403)


def test_a_node_may_edit_itself_but_not_its_siblings(api, world):
    """The node role's node:e@org exists for a node's own VPN address, not for renaming the
    organization's nodes in other collaborations."""
    headers = api.node_login("key-a2-A")
    own = f"/api/node/{world['nodes']['a2@A']}"
    assert api.app.patch_json(own, {"ip": "10.76.0.9"}, headers=headers).json["ip"] == "10.76.0.9"
    sibling = f"/api/node/{world['nodes']['a2@B']}"
    api.app.patch_json(sibling, {"name": "hijacked"}, headers=headers, status=403)
    api.app.delete(own, headers=headers, status=403)


def test_delete_by_scope_and_the_deleted_node_can_no_longer_log_in(api, world):
    headers = api.user("admin", world["a1"], rules=[("node", Scope.ORGANIZATION, D)])
    api.app.delete(f"/api/node/{world['nodes']['a2@A']}", headers=headers, status=403)
    deleted = api.app.delete(f"/api/node/{world['nodes']['a1@A']}", headers=headers)
    assert deleted.json == {"msg": f"Node {world['nodes']['a1@A']} was deleted"}
    api.app.post_json("/api/token/node", {"api_key": "key-a1-A"}, status=401)


def test_reset_api_key_replaces_the_old_key_and_logs_out_its_tokens(api, root, world):
    """A reset is what an admin does when a key leaked: what the leak gave must stop working."""
    node_id = world["nodes"]["b1@B"]
    stolen = api.app.post_json("/api/token/node", {"api_key": "key-b1-B"}).json
    reset = api.app.post_json("/api/recover/node", {"id": node_id}, headers=root).json
    assert set(reset) == {"api_key"}
    api.app.post_json("/api/token/node", {"api_key": "key-b1-B"}, status=401)
    for token, path in ((stolen["access_token"], "/api/node"), (stolen["refresh_token"], None)):
        headers = {"Authorization": f"Bearer {token}"}
        if path is None:
            refused = api.app.post("/api/token/refresh", headers=headers, status=401)
        else:
            refused = api.app.get(path, headers=headers, status=401)
        assert "log in again" in refused.json["msg"]
    api.app.get("/api/node", headers=api.node_login(reset["api_key"]))


def test_reset_api_key_by_scope(api, world):
    headers = api.user("admin", world["a1"], rules=[("node", Scope.ORGANIZATION, E)])
    api.app.post_json("/api/recover/node", {"id": world["nodes"]["a1@A"]}, headers=headers)
    other = {"id": world["nodes"]["a2@A"]}
    api.app.post_json("/api/recover/node", other, headers=headers, status=403)
    viewer = api.user("viewer", world["a1"], rules=[("node", Scope.GLOBAL, V)])
    api.app.post_json("/api/recover/node", other, headers=viewer, status=403)


def test_a_node_cannot_reset_any_key_not_even_its_own(api, world):
    headers = api.node_login("key-a2-A")
    own = {"id": world["nodes"]["a2@A"]}
    api.app.post_json("/api/recover/node", own, headers=headers, status=403)
    api.node_login("key-a2-A")


@pytest.mark.parametrize(
    "body, status, message",
    [
        ({"id": 999}, 400, "Node 999 does not exist"),
        ({"id": 2**70}, 400, f"Node {2**70} does not exist"),
        ({"id": "1"}, 400, "id: must be a whole number"),
        ({}, 400, "id: Required"),
    ],
)
def test_reset_api_key_refuses_bad_bodies(api, root, body, status, message):
    response = api.app.post_json("/api/recover/node", body, headers=root, status=status)
    assert message in response.json["msg"]


def test_filters(api, root, world):
    with api.session() as session, session.begin():
        seen = session.get(Node, world["nodes"]["a1@A"])
        seen.status, seen.ip, seen.last_seen = "online", "10.0.0.1", _utc(2024, 5, 1, 12)
        session.get(Node, world["nodes"]["b1@B"]).last_seen = _utc(2024, 6, 1, 0)
    cases = {
        "name=a2@%25": node_ids(world, "a2@A", "a2@B"),
        f"organization_id={world['a2']}": node_ids(world, "a2@A", "a2@B"),
        f"collaboration_id={world['B']}": node_ids(world, "a2@B", "b1@B"),
        "status=online": node_ids(world, "a1@A"),
        "ip=10.0.0.1": node_ids(world, "a1@A"),
        "last_seen_from=2024-05-02": node_ids(world, "b1@B"),
        "last_seen_till=2024-05-01": node_ids(world, "a1@A"),
        "last_seen_till=2024-05-01T11:00:00Z": [],
        "last_seen_from=2024-05-01T12:00:00%2B00:00": node_ids(world, "a1@A", "b1@B"),
    }
    for query, expected in cases.items():
        assert listed(api.app.get(f"/api/node?{query}", headers=root)) == expected, query


@pytest.mark.parametrize(
    "query, message",
    [
        ("last_seen_from=yesterday", "last_seen_from must be a date (yyyy-mm-dd)"),
        ("organization_id=abc", "organization_id must be a whole number"),
        ("collaboration_id=99999999999999999999999", "collaboration_id must be a whole number"),
        ("sort=api_key", "cannot sort on 'api_key'"),
    ],
)
def test_bad_query_parameters_are_400(api, root, query, message):
    response = api.app.get(f"/api/node?{query}", headers=root, status=400)
    assert message in response.json["msg"]


def _utc(*parts):
    return dt.datetime(*parts, tzinfo=dt.UTC)
