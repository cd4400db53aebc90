"""``/collaboration``: listing by scope, create, read, patch, delete with dependents, and the
``/organization`` and ``/node`` sub-resources; bad input and forbidden calls."""

import pytest
from sqlalchemy import func, select

from vantage6.server.models import Collaboration, Node, Run, Task
from vantage6.server.models.rule import Operation, Scope

V, E, C, D = Operation.VIEW, Operation.EDIT, Operation.CREATE, Operation.DELETE


@pytest.fixture
def world(api):
    """A = {a1, a2}, B = {a2, b1}, C = {lonely}; nodes of a2 in A and of b1 in B."""
    orgs = {
        "a1": api.organization("a1", ["A"]),
        "a2": api.organization("a2", ["A", "B"]),
        "b1": api.organization("b1", ["B"]),
        "lonely": api.organization("lonely", ["C"]),
        "outsider": api.organization("outsider"),
    }
    nodes = {
        "a2@A": api.node(orgs["a2"], "A", api_key="key-a2-A"),
        "b1@B": api.node(orgs["b1"], "B", api_key="key-b1-B"),
    }
    return {**orgs, "nodes": nodes, "A": 1, "B": 2, "C": 3}


def add_task(api, collaboration_id: int, init_org: int, run_orgs) -> int:
    """A task created by ``init_org`` with a run for each of ``run_orgs``."""
    with api.session() as session, session.begin():
        task = Task(image="demo", collaboration_id=collaboration_id, init_org_id=init_org)
        session.add(task)
        for organization_id in run_orgs:
            task.runs.append(Run(organization_id=organization_id))
    return task.id


def count(api, model, *conditions) -> int:
    with api.session() as session:
        return session.scalar(select(func.count()).select_from(model).where(*conditions))


def names(response):
    return sorted(item["name"] for item in response.json["data"])


def member_names(response):
    return sorted(organization["name"] for organization in response.json)


def test_root_lists_every_collaboration_in_the_original_shape(api, root, world):
    response = api.app.get("/api/collaboration", headers=root)
    assert names(response) == ["A", "B", "C"]
    first = response.json["data"][0]
    assert first == {
        "id": 1,
        "name": "A",
        "encrypted": True,
        "organizations": "/api/organization?collaboration_id=1",
        "nodes": "/api/node?collaboration_id=1",
        "tasks": "/api/task?collaboration_id=1",
        "studies": "/api/study?collaboration_id=1",
    }


def test_include_organizations_embeds_the_members(api, root, world):
    response = api.app.get("/api/collaboration/1?include=organizations", headers=root)
    assert [o["name"] for o in response.json["organizations"]] == ["a1", "a2"]
    listed = api.app.get("/api/collaboration?include=organizations&name=B", headers=root)
    assert [o["id"] for o in listed.json["data"][0]["organizations"]] == [world["a2"], world["b1"]]
    refused = api.app.get("/api/collaboration?include=users", headers=root, status=400)
    assert "cannot include users" in refused.json["msg"]


def test_include_organization_links_gives_each_member_as_a_reference(api, root, world):
    """The shape the user documentation shows for ``client.collaboration.list(fields=[...,
    'organizations'])`` (the original 3.x's), which the Python client asks for by default."""
    response = api.app.get("/api/collaboration/1?include=organization_links", headers=root)
    assert response.json["organizations"] == [
        {
            "id": world[o],
            "link": f"/api/organization/{world[o]}",
            "methods": ["GET", "PATCH", "DELETE"],
        }
        for o in ("a1", "a2")
    ]
    listed = api.app.get("/api/collaboration?include=organization_links&name=B", headers=root)
    assert [o["link"] for o in listed.json["data"][0]["organizations"]] == [
        f"/api/organization/{world['a2']}",
        f"/api/organization/{world['b1']}",
    ]
    both = "/api/collaboration/1?include=organizations,organization_links"
    refused = api.app.get(both, headers=root, status=400)
    assert "include either organizations (in full) or organization_links" in refused.json["msg"]
    viewer = api.user(
        "viewer",
        world["a1"],
        rules=[("collaboration", Scope.GLOBAL, V), ("organization", Scope.ORGANIZATION, V)],
    )
    mine = api.app.get("/api/collaboration/1?include=organization_links", headers=viewer)
    assert [o["id"] for o in mine.json["organizations"]] == [world["a1"]]


def test_embedded_members_are_only_those_the_caller_may_view(api, world):
    headers = api.user(
        "viewer",
        world["a1"],
        rules=[("collaboration", Scope.GLOBAL, V), ("organization", Scope.ORGANIZATION, V)],
    )
    response = api.app.get("/api/collaboration/1?include=organizations", headers=headers)
    assert [o["name"] for o in response.json["organizations"]] == ["a1"]


@pytest.mark.parametrize(
    "member, scope, visible",
    [
        ("a1", Scope.ORGANIZATION, ["A"]),
        ("a2", Scope.ORGANIZATION, ["A", "B"]),
        ("outsider", Scope.ORGANIZATION, []),
        ("a1", Scope.GLOBAL, ["A", "B", "C"]),
    ],
)
def test_list_and_get_agree_with_the_view_scope(api, world, member, scope, visible):
    headers = api.user("viewer", world[member], rules=[("collaboration", scope, V)])
    assert names(api.app.get("/api/collaboration", headers=headers)) == visible
    for name in ("A", "B", "C"):
        status = 200 if name in visible else 403
        api.app.get(f"/api/collaboration/{world[name]}", headers=headers, status=status)


def test_a_node_sees_its_collaboration(api, world):
    headers = api.node_login("key-b1-B")
    assert names(api.app.get("/api/collaboration", headers=headers)) == ["B"]
    api.app.get(f"/api/collaboration/{world['A']}", headers=headers, status=403)
    api.app.patch_json(f"/api/collaboration/{world['B']}", {}, headers=headers, status=403)
    api.app.post_json("/api/collaboration", {"name": "mine"}, headers=headers, status=403)


def test_without_any_view_rule_the_list_is_forbidden(api, world):
    headers = api.user("nobody", world["a1"])
    response = api.app.get("/api/collaboration", headers=headers, status=403)
    assert response.json == {"msg": "You lack the permission to do that!"}


@pytest.mark.parametrize(
    "method, path",
    [
        ("GET", "/api/collaboration"),
        ("POST", "/api/collaboration"),
        ("GET", "/api/collaboration/1"),
        ("PATCH", "/api/collaboration/1"),
        ("DELETE", "/api/collaboration/1"),
        ("POST", "/api/collaboration/1/organization"),
        ("DELETE", "/api/collaboration/1/organization"),
        ("POST", "/api/collaboration/1/node"),
        ("DELETE", "/api/collaboration/1/node"),
    ],
)
def test_anonymous_callers_get_401(api, world, method, path):
    response = api.app.request(
        path, method=method, body=b'{"id": 2}', content_type="application/json", status=401
    )
    assert "Authentication required" in response.json["msg"]


def test_missing_and_malformed_ids_are_404(api, root):
    missing = api.app.get("/api/collaboration/999", headers=root, status=404)
    assert missing.json == {"msg": "Collaboration '999' does not exist"}
    for bad in ("abc", "-1", "99999999999999999999999", "1.0"):
        api.app.get(f"/api/collaboration/{bad}", headers=root, status=404)
    api.app.post_json("/api/collaboration/999/organization", {"id": 2}, headers=root, status=404)


def test_filters(api, root, world):
    get = api.app.get
    api.app.patch_json("/api/collaboration/2", {"encrypted": False}, headers=root)
    assert names(get("/api/collaboration?name=%5BAB%5D", headers=root)) == []  # LIKE, not glob
    assert names(get("/api/collaboration?name=_", headers=root)) == ["A", "B", "C"]
    assert names(get("/api/collaboration?encrypted=false", headers=root)) == ["B"]
    assert names(get("/api/collaboration?encrypted=True", headers=root)) == ["A", "C"]
    assert names(get(f"/api/collaboration?organization_id={world['a2']}", headers=root)) == [
        "A",
        "B",
    ]


@pytest.mark.parametrize(
    "query, message",
    [
        ("encrypted=yes", "encrypted must be true or false"),
        ("organization_id=abc", "organization_id must be a whole number"),
        ("organization_id=99999999999999999999999", "organization_id must be a whole number"),
        ("sort=secret", "cannot sort on 'secret'"),
    ],
)
def test_bad_query_parameters_are_400(api, root, query, message):
    response = api.app.get(f"/api/collaboration?{query}", headers=root, status=400)
    assert message in response.json["msg"]


def test_create_then_duplicate_is_400_and_writes_nothing(api, root, world):
    body = {"name": "new", "organization_ids": [world["a1"], world["b1"], world["a1"]]}
    created = api.app.post_json("/api/collaboration", body, headers=root, status=201).json
    assert created["encrypted"] is True
    members = api.app.get(f"/api/organization?collaboration_id={created['id']}", headers=root)
    assert names(members) == ["a1", "b1"]
    duplicate = api.app.post_json("/api/collaboration", body, headers=root, status=400)
    assert "name 'new' is already in use" in duplicate.json["msg"]
    assert count(api, Collaboration) == 4


@pytest.mark.parametrize(
    "body, message",
    [
        ({}, "name: Required"),
        ({"name": ""}, "name"),
        ({"name": 5}, "name: must be text"),
        ({"name": "x", "encrypted": 1}, "encrypted: must be true or false"),
        ({"name": "x", "organization_ids": 2}, "organization_ids"),
        ({"name": "x", "organization_ids": ["2"]}, "must be a whole number"),
        ({"name": "x", "session_restrict_to_same_image": True}, "Unrecognized keys"),
        ({"name": "x", "organization_ids": [2, 999]}, "Organization 999 does not exist"),
        ({"name": "x", "organization_ids": [2**70]}, f"Organization {2**70} does not exist"),
    ],
)
def test_create_refuses_bad_bodies_and_writes_nothing(api, root, world, body, message):
    response = api.app.post_json("/api/collaboration", body, headers=root, status=400)
    assert message in response.json["msg"]
    assert count(api, Collaboration) == 3


def test_create_needs_the_global_create_rule(api, world):
    editor = api.user("editor", world["a1"], rules=[("collaboration", Scope.GLOBAL, E)])
    api.app.post_json("/api/collaboration", {"name": "new"}, headers=editor, status=403)
    creator = api.user("creator", world["a1"], rules=[("collaboration", Scope.GLOBAL, C)])
    api.app.post_json("/api/collaboration", {"name": "new"}, headers=creator, status=201)


def test_patch_changes_only_what_is_sent(api, root, world):
    api.app.patch_json("/api/collaboration/1", {"encrypted": False}, headers=root)
    patched = api.app.patch_json("/api/collaboration/1", {"name": "renamed"}, headers=root).json
    assert (patched["name"], patched["encrypted"]) == ("renamed", False)
    members = api.app.get("/api/organization?collaboration_id=1", headers=root)
    assert names(members) == ["a1", "a2"]


def test_collaboration_scope_edits_own_collaborations_but_not_their_members(api, world):
    """Adding organizations at collaboration scope would extend the editor's other
    collaboration-scoped rules to any organization (e.g. root's users), so it is global only."""
    headers = api.user("admin", world["a1"], rules=[("collaboration", Scope.COLLABORATION, E)])
    api.app.patch_json("/api/collaboration/1", {"name": "mine"}, headers=headers)
    api.app.patch_json("/api/collaboration/2", {"name": "theirs"}, headers=headers, status=403)
    same = {"organization_ids": [world["a2"], world["a1"]]}
    api.app.patch_json("/api/collaboration/1", same, headers=headers)
    more = {"organization_ids": [world["a1"], world["a2"], 1]}
    api.app.patch_json("/api/collaboration/1", more, headers=headers, status=403)
    url = "/api/collaboration/1/organization"
    api.app.post_json(url, {"id": 1}, headers=headers, status=403)
    api.app.delete_json(url, {"id": world["a2"]}, headers=headers, status=403)
    assert count(api, Collaboration, Collaboration.name == "mine") == 1


def test_patch_members_replaces_them(api, root, world):
    body = {"organization_ids": [world["a1"], world["lonely"]]}
    api.app.patch_json("/api/collaboration/1", body, headers=root, status=400)  # a2 has a node
    api.app.patch_json("/api/collaboration/1?delete_dependents=true", body, headers=root)
    members = api.app.get("/api/organization?collaboration_id=1", headers=root)
    assert names(members) == ["a1", "lonely"]
    assert count(api, Node, Node.id == world["nodes"]["a2@A"]) == 0


def test_removing_a_member_with_dependents_is_refused_with_a_clear_message(api, root, world):
    add_task(api, world["A"], world["a1"], [world["a2"]])
    body = {"name": "renamed", "organization_ids": [world["a1"]]}
    refused = api.app.patch_json("/api/collaboration/1", body, headers=root, status=400)
    assert refused.json["msg"] == (
        f"Organization {world['a2']} in collaboration 1 still has 1 nodes, 1 runs; delete "
        "those first or add ?delete_dependents=true to delete them along"
    )
    unchanged = api.app.get("/api/collaboration/1?include=organizations", headers=root).json
    assert unchanged["name"] == "A" and len(unchanged["organizations"]) == 2


def test_a_patch_failing_halfway_changes_nothing(api, root, world):
    """a2's node and run are deleted (SQL sent) before the rename to a taken name fails."""
    add_task(api, world["A"], world["a1"], [world["a2"]])
    body = {"name": "B", "organization_ids": [world["a1"]]}
    url = "/api/collaboration/1?delete_dependents=true"
    response = api.app.patch_json(url, body, headers=root, expect_errors=True)
    assert count(api, Node, Node.id == world["nodes"]["a2@A"]) == 1
    assert count(api, Run, Run.organization_id == world["a2"]) == 1
    members = api.app.get("/api/organization?collaboration_id=1", headers=root)
    assert names(members) == ["a1", "a2"]
    assert response.status_int == 400 and "name 'B' is already in use" in response.json["msg"]


def test_renaming_to_a_taken_name_is_400(api, root, world):
    response = api.app.patch_json("/api/collaboration/1", {"name": "B"}, headers=root, status=400)
    assert "name 'B' is already in use" in response.json["msg"]


@pytest.mark.parametrize(
    "body, message",
    [
        ({"name": None}, "name: must not be null"),
        ({"encrypted": "false"}, "encrypted: must be true or false"),
        ({"organization_ids": [999]}, "Organization 999 does not exist"),
        ({"nodes": []}, "Unrecognized keys"),
    ],
)
def test_patch_refuses_bad_bodies(api, root, world, body, message):
    response = api.app.patch_json("/api/collaboration/1", body, headers=root, status=400)
    assert message in response.json["msg"]


def test_delete_refuses_while_dependents_exist_even_with_false(api, root, world):
    """The original treated ``delete_dependents=false`` as true (a non-empty string)."""
    add_task(api, world["A"], world["a1"], [world["a1"], world["a2"]])
    for query in ("", "?delete_dependents=false", "?delete_dependents=False"):
        refused = api.app.delete(f"/api/collaboration/1{query}", headers=root, status=400)
        assert "Collaboration 1 still has 1 nodes, 1 tasks" in refused.json["msg"]
    bad = api.app.delete("/api/collaboration/1?delete_dependents=maybe", headers=root, status=400)
    assert "delete_dependents must be true or false" in bad.json["msg"]
    assert count(api, Task) == 1 and count(api, Node) == 2


def test_delete_dependents_deletes_nodes_tasks_and_runs_of_that_collaboration_only(
    api, root, world
):
    add_task(api, world["A"], world["a1"], [world["a1"], world["a2"]])
    kept = add_task(api, world["B"], world["b1"], [world["b1"]])
    api.app.delete("/api/collaboration/1?delete_dependents=True", headers=root)
    api.app.get("/api/collaboration/1", headers=root, status=404)
    assert count(api, Task) == 1 and count(api, Task, Task.id == kept) == 1
    assert count(api, Run) == 1
    assert count(api, Node) == 1
    api.app.post_json("/api/token/node", {"api_key": "key-a2-A"}, status=401)
    others = api.app.get(f"/api/organization?collaboration_id={world['B']}", headers=root)
    assert names(others) == ["a2", "b1"]


def test_delete_by_scope(api, world):
    headers = api.user("admin", world["lonely"], rules=[("collaboration", Scope.COLLABORATION, D)])
    api.app.delete("/api/collaboration/2?delete_dependents=true", headers=headers, status=403)
    deleted = api.app.delete("/api/collaboration/3", headers=headers)
    assert deleted.json == {"msg": "Collaboration 3 was deleted"}


def test_add_and_remove_an_organization(api, root, world):
    url = "/api/collaboration/3/organization"
    added = api.app.post_json(url, {"id": world["a1"]}, headers=root)
    assert member_names(added) == ["a1", "lonely"]
    again = api.app.post_json(url, {"id": world["a1"]}, headers=root, status=400)
    assert "is already a member of collaboration 3" in again.json["msg"]
    removed = api.app.delete_json(url, {"id": world["lonely"]}, headers=root)
    assert member_names(removed) == ["a1"]
    gone = api.app.delete_json(url, {"id": world["lonely"]}, headers=root, status=400)
    assert "is not a member of collaboration 3" in gone.json["msg"]


@pytest.mark.parametrize(
    "body, message",
    [
        ({"id": 999}, "Organization 999 does not exist"),
        ({"id": "2"}, "id: must be a whole number"),
        ({"id": 2**70}, f"Organization {2**70} does not exist"),
        ({}, "id: Required"),
        ({"id": 2, "more": 1}, "Unrecognized keys"),
    ],
)
def test_member_changes_refuse_bad_bodies(api, root, world, body, message):
    url = "/api/collaboration/3/organization"
    for send in (api.app.post_json, api.app.delete_json):
        assert message in send(url, body, headers=root, status=400).json["msg"]


def test_removing_an_organization_refuses_while_it_has_a_node_or_runs_there(api, root, world):
    """a1 created a task in A with runs for a1 and a2; a2 also has a node in A."""
    task = add_task(api, world["A"], world["a1"], [world["a1"], world["a2"]])
    url = "/api/collaboration/1/organization"
    refused = api.app.delete_json(url, {"id": world["a2"]}, headers=root, status=400)
    assert "still has 1 nodes, 1 runs" in refused.json["msg"]
    api.app.delete_json(f"{url}?delete_dependents=true", {"id": world["a2"]}, headers=root)
    assert count(api, Node, Node.id == world["nodes"]["a2@A"]) == 0
    remaining = count(api, Run, Run.task_id == task)
    assert remaining == 1  # a1's run stays, and so does a1's task
    refused = api.app.delete_json(url, {"id": world["a1"]}, headers=root, status=400)
    assert "still has 1 tasks, 1 runs" in refused.json["msg"]
    api.app.delete_json(f"{url}?delete_dependents=1", {"id": world["a1"]}, headers=root)
    assert count(api, Task) == 0 and count(api, Run) == 0


@pytest.fixture
def movable(api, root, world):
    """b1 joins A, so its node can move from B to A."""
    api.app.post_json("/api/collaboration/1/organization", {"id": world["b1"]}, headers=root)
    return world["nodes"]["b1@B"]


def test_adding_a_node_moves_it_into_the_collaboration(api, root, world, movable):
    moved = api.app.post_json("/api/collaboration/1/node", {"id": movable}, headers=root)
    assert moved.status_int == 201
    assert sorted(n["id"] for n in moved.json) == sorted([world["nodes"]["a2@A"], movable])
    node = api.app.get(f"/api/node/{movable}", headers=root).json
    assert node["collaboration"]["id"] == world["A"]
    again = api.app.post_json(
        "/api/collaboration/1/node", {"id": movable}, headers=root, status=400
    )
    assert again.json["msg"] == f"Node {movable} is already in collaboration 1"


@pytest.mark.parametrize(
    "collaboration, node, message",
    [
        ("C", "b1@B", "is not a member of collaboration 3; add it"),
        ("A", "a2@A", "is already in collaboration 1"),
        ("B", "a2@A", "already has node"),
    ],
)
def test_adding_a_node_checks_membership_and_one_node_per_collaboration(
    api, root, world, collaboration, node, message
):
    if collaboration == "B":
        api.node(world["a2"], "B", api_key="key-a2-B")
    url = f"/api/collaboration/{world[collaboration]}/node"
    refused = api.app.post_json(url, {"id": world["nodes"][node]}, headers=root, status=400)
    assert message in refused.json["msg"]


def test_adding_a_node_needs_edit_rights_on_the_node_too(api, world, movable):
    edits_collaborations = [("collaboration", Scope.COLLABORATION, E)]
    headers = api.user("admin", world["a1"], rules=edits_collaborations)
    api.app.post_json("/api/collaboration/1/node", {"id": movable}, headers=headers, status=403)
    rules = [*edits_collaborations, ("node", Scope.COLLABORATION, E)]
    allowed = api.user("both", world["b1"], rules=rules)
    api.app.post_json("/api/collaboration/1/node", {"id": movable}, headers=allowed, status=201)


def test_removing_a_node_deletes_it(api, root, world):
    node = world["nodes"]["a2@A"]
    url = "/api/collaboration/1/node"
    elsewhere = api.app.delete_json(
        "/api/collaboration/2/node", {"id": node}, headers=root, status=400
    )
    assert elsewhere.json["msg"] == f"Node {node} is not in collaboration 2"
    removed = api.app.delete_json(url, {"id": node}, headers=root)
    assert "removed from collaboration 1 and deleted" in removed.json["msg"]
    api.app.get(f"/api/node/{node}", headers=root, status=404)
    missing = api.app.delete_json(url, {"id": node}, headers=root, status=400)
    assert missing.json["msg"] == f"Node {node} does not exist"


def test_removing_a_node_needs_delete_rights_on_it(api, world):
    edits = [("collaboration", Scope.COLLABORATION, E), ("node", Scope.ORGANIZATION, E)]
    headers = api.user("admin", world["a2"], rules=edits)
    body = {"id": world["nodes"]["a2@A"]}
    api.app.delete_json("/api/collaboration/1/node", body, headers=headers, status=403)
    deletes = api.user("deleter", world["a2"], rules=[*edits, ("node", Scope.ORGANIZATION, D)])
    api.app.delete_json("/api/collaboration/1/node", body, headers=deletes)


def test_an_encrypted_collaboration_says_which_formats_its_nodes_read(api, root, world):
    """As each node told the server: ours name them; a 4.x node shared a configuration that
    names none (legacy only); a node that shared nothing is unknown (null)."""
    ours = api.node(world["a2"], "B", api_key="key-a2-B")
    with api.session() as session, session.begin():
        session.get(Collaboration, world["A"]).encrypted = False
        session.get(Collaboration, world["B"]).encrypted = True
        session.get(Node, ours).config = [
            {"key": "encryption", "value": "True"},
            {"key": "encryption_formats", "value": "v6e1"},
            {"key": "encryption_formats", "value": "legacy"},
        ]
    headers = api.node_login("key-b1-B")
    answer = api.app.get(f"/api/collaboration/{world['B']}", headers=headers).json
    assert answer["encryption_formats"] == [
        {"organization_id": world["a2"], "formats": ["v6e1", "legacy"]},
        {"organization_id": world["b1"], "formats": None},
    ]
    with api.session() as session, session.begin():
        session.get(Node, world["nodes"]["b1@B"]).config = [{"key": "encryption", "value": "1"}]
    answer = api.app.get(f"/api/collaboration/{world['B']}", headers=headers).json
    legacy_only = {"organization_id": world["b1"], "formats": ["legacy"]}
    assert answer["encryption_formats"][1] == legacy_only
    plain = api.app.get(f"/api/collaboration/{world['A']}", headers=root)
    assert "encryption_formats" not in plain.json
