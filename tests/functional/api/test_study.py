"""``/study``: a named subset of a collaboration's organizations that tasks can target.

Create, read, list, patch and delete by rule scope, ``/study/<id>/organization``, the
``study_id`` filters of ``/organization``, ``/node`` and ``/task``, tasks for a study (also
subtasks of algorithm containers), and what users of another collaboration cannot do.

World (``api.federation()``): A = {a1, a2, a3} unencrypted, nodes of a1 and a2; B = {a2, b1}
encrypted, nodes of a2 and b1. Study S of A = {a1, a2}, study T of B = {b1}.
"""

from __future__ import annotations

import base64
import json

import jwt
import pytest
from sqlalchemy import func, select

from vantage6.server.models import Study, Task
from vantage6.server.models.rule import Operation, Scope

V, E, C, D = Operation.VIEW, Operation.EDIT, Operation.CREATE, Operation.DELETE
ORG, COL, GLO = Scope.ORGANIZATION, Scope.COLLABORATION, Scope.GLOBAL
METHODS = ["GET", "PATCH", "DELETE"]


def count(api, model, *conditions) -> int:
    with api.session() as session:
        return session.scalar(select(func.count()).select_from(model).where(*conditions))


def names(response) -> list[str]:
    return sorted(item["name"] for item in response.json["data"])


def member_ids(records) -> list[int]:
    return sorted(record["id"] for record in records)


def plain(value) -> str:
    return base64.b64encode(json.dumps(value).encode()).decode()


def task_body(organizations, **ids) -> dict:
    return {
        "name": "avg",
        "image": "demo/average",
        "organizations": [{"id": id_, "input": plain({"method": "avg"})} for id_ in organizations],
        **ids,
    }


@pytest.fixture
def world(api):
    ids = api.federation()
    ids["S"] = api.study("S", ids["A"], [ids["a1"], ids["a2"]])
    ids["T"] = api.study("T", ids["B"], [ids["b1"]])
    return ids


# -- create, read, change, delete -------------------------------------------------------------


def test_create_answers_the_study_with_its_organizations(api, root, world):
    sent = {"name": "New", "collaboration_id": world["A"], "organization_ids": [world["a3"]]}
    created = api.app.post_json("/api/study", sent, headers=root, status=201).json
    assert created["name"] == "New"
    assert created["collaboration"] == {
        "id": world["A"],
        "link": f"/api/collaboration/{world['A']}",
        "methods": METHODS,
    }
    assert [o["name"] for o in created["organizations"]] == ["a3"]
    assert created["tasks"] == f"/api/task?study_id={created['id']}"


def test_a_study_in_the_originals_shape(api, root, world):
    study = api.app.get(f"/api/study/{world['S']}", headers=root).json
    assert study == {
        "id": world["S"],
        "name": "S",
        "collaboration": {
            "id": world["A"],
            "link": f"/api/collaboration/{world['A']}",
            "methods": METHODS,
        },
        "organizations": f"/api/organization?study_id={world['S']}",
        "tasks": f"/api/task?study_id={world['S']}",
    }
    included = api.app.get(f"/api/study/{world['S']}?include=organizations", headers=root).json
    assert member_ids(included["organizations"]) == [world["a1"], world["a2"]]
    assert included["organizations"][0]["studies"] == (
        f"/api/study?organization_id={included['organizations'][0]['id']}"
    )
    listed = api.app.get("/api/study?include=organizations", headers=root).json["data"]
    assert [member_ids(s["organizations"]) for s in listed] == [
        [world["a1"], world["a2"]],
        [world["b1"]],
    ]
    refused = api.app.get("/api/study?include=tasks", headers=root, status=400)
    assert "cannot include tasks" in refused.json["msg"]


def test_collaborations_and_organizations_link_to_their_studies(api, root, world):
    collaboration = api.app.get(f"/api/collaboration/{world['A']}", headers=root).json
    assert collaboration["studies"] == f"/api/study?collaboration_id={world['A']}"
    organization = api.app.get(f"/api/organization/{world['a1']}", headers=root).json
    assert organization["studies"] == f"/api/study?organization_id={world['a1']}"


def test_list_filters(api, root, world):
    def found(query: str) -> list[str]:
        return names(api.app.get(f"/api/study?{query}", headers=root))

    assert found("") == ["S", "T"]
    assert found(f"organization_id={world['a2']}") == ["S"]
    assert found(f"organization_id={world['b1']}") == ["T"]
    assert found(f"organization_id={world['a3']}") == []
    assert found(f"collaboration_id={world['B']}") == ["T"]
    assert found("name=S%") == ["S"]
    assert found("name=' OR 1=1 --") == []
    assert [s["name"] for s in api.app.get("/api/study?sort=-name", headers=root).json["data"]] == [
        "T",
        "S",
    ]
    for query, problem in [
        ("organization_id=x", "organization_id must be a whole number"),
        ("sort=secret", "cannot sort on 'secret'"),
        ("per_page=0", "per_page must be a whole number"),
    ]:
        assert problem in api.app.get(f"/api/study?{query}", headers=root, status=400).json["msg"]


def test_patch_changes_only_what_is_sent(api, root, world):
    path = f"/api/study/{world['S']}"
    renamed = api.app.patch_json(path, {"name": "Renamed"}, headers=root).json
    assert renamed["name"] == "Renamed"
    assert member_ids(renamed["organizations"]) == [world["a1"], world["a2"]]
    moved = api.app.patch_json(path, {"organization_ids": [world["a3"]]}, headers=root).json
    assert moved["name"] == "Renamed" and member_ids(moved["organizations"]) == [world["a3"]]
    unchanged = api.app.patch_json(path, {}, headers=root).json
    assert unchanged["name"] == "Renamed" and member_ids(unchanged["organizations"]) == [
        world["a3"]
    ]


@pytest.mark.parametrize(
    "change, field",
    [
        ({"name": ""}, "name"),
        ({"name": 5}, "name"),
        ({"organization_ids": []}, "organization_ids"),
        ({"organization_ids": [2, 2]}, "more than once"),
        ({"organization_ids": ["2"]}, "organization_ids.0"),
        ({"organization_ids": [0]}, "organization_ids.0"),
        ({"collaboration_id": "1"}, "collaboration_id"),
        ({"collaboration_id": 10**30}, "collaboration_id"),
        ({"owner": 1}, "body"),
    ],
)
def test_bad_bodies_are_400_naming_the_field(api, root, world, change, field):
    sent = {"name": "New", "collaboration_id": world["A"], "organization_ids": [world["a1"]]}
    response = api.app.post_json("/api/study", {**sent, **change}, headers=root, status=400)
    assert field in response.json["msg"]
    assert count(api, Study) == 2


def test_required_fields(api, root, world):
    response = api.app.post_json("/api/study", {}, headers=root, status=400)
    assert set(response.json["errors"]) == {"name", "collaboration_id", "organization_ids"}


def test_a_study_stays_in_its_collaboration(api, root, world):
    path = f"/api/study/{world['S']}"
    response = api.app.patch_json(path, {"collaboration_id": world["B"]}, headers=root, status=400)
    assert "cannot be changed: a study belongs to one collaboration" in response.json["msg"]
    response = api.app.patch_json(path, {"organization_ids": []}, headers=root, status=400)
    assert "must name at least one organization" in response.json["errors"]["organization_ids"][0]
    response = api.app.patch_json(path, {"x": 1}, headers=root, status=400)
    assert "x" in response.json["msg"]


def test_only_members_of_the_collaboration_and_existing_records(api, root, world):
    def refused(sent: dict) -> str:
        return api.app.post_json("/api/study", sent, headers=root, status=400).json["msg"]

    outsiders = {"name": "X", "collaboration_id": world["A"], "organization_ids": [world["b1"]]}
    assert refused(outsiders) == (
        f"Organization(s) {world['b1']} are not members of collaboration {world['A']}; "
        "a study takes members of its collaboration only"
    )
    missing = {"name": "X", "collaboration_id": world["A"], "organization_ids": [999]}
    assert refused(missing) == "Organization 999 does not exist"
    nowhere = {"name": "X", "collaboration_id": 999, "organization_ids": [world["a1"]]}
    assert refused(nowhere) == "Collaboration 999 does not exist"
    taken = {"name": "S", "collaboration_id": world["A"], "organization_ids": [world["a1"]]}
    assert refused(taken) == "Study not saved: name 'S' is already in use"
    patch = {"organization_ids": [world["a1"], world["b1"]]}
    response = api.app.patch_json(f"/api/study/{world['S']}", patch, headers=root, status=400)
    assert f"Organization(s) {world['b1']} are not members" in response.json["msg"]
    assert count(api, Study) == 2


def test_unknown_studies_are_404(api, root, world):
    for method in ("get", "patch_json", "delete"):
        args = ({},) if method == "patch_json" else ()
        response = getattr(api.app, method)("/api/study/999", *args, headers=root, status=404)
        assert response.json["msg"] == "Study '999' does not exist"
    api.app.get("/api/study/999/organization", headers=root, status=404)
    api.app.get("/api/study/x", headers=root, status=404)


def test_without_a_token_it_is_401(api, world):
    api.app.get("/api/study", status=401)
    api.app.get(f"/api/study/{world['S']}", status=401)
    api.app.post_json("/api/study", {}, status=401)


def test_the_organizations_of_a_study(api, root, world):
    path = f"/api/study/{world['S']}/organization"
    assert member_ids(api.app.get(path, headers=root).json) == [world["a1"], world["a2"]]
    added = api.app.post_json(path, {"id": world["a3"]}, headers=root).json
    assert member_ids(added) == [world["a1"], world["a2"], world["a3"]]
    again = api.app.post_json(path, {"id": world["a3"]}, headers=root, status=400)
    assert again.json["msg"] == f"Organization {world['a3']} is already in study {world['S']}"
    outsider = api.app.post_json(path, {"id": world["b1"]}, headers=root, status=400)
    assert f"Organization(s) {world['b1']} are not members of collaboration" in outsider.json["msg"]
    missing = api.app.post_json(path, {"id": 999}, headers=root, status=400)
    assert missing.json["msg"] == "Organization 999 does not exist"
    left = api.app.delete_json(path, {"id": world["a2"]}, headers=root).json
    assert member_ids(left) == [world["a1"], world["a3"]]
    absent = api.app.delete_json(path, {"id": world["a2"]}, headers=root, status=400)
    assert absent.json["msg"] == f"Organization {world['a2']} is not in study {world['S']}"
    for bad in ({}, {"id": "2"}, {"id": 0}, {"id": 2, "x": 1}):
        api.app.post_json(path, bad, headers=root, status=400)


def test_delete_with_tasks_needs_delete_dependents(api, root, world):
    task = api.task(world["A"], [world["a1"]], world["a1"])
    with api.session() as session, session.begin():
        session.get(Task, task).study_id = world["S"]
    path = f"/api/study/{world['S']}"
    refused = api.app.delete(path, headers=root, status=400)
    assert refused.json["msg"] == (
        f"Study {world['S']} still has 1 tasks; delete those first or add "
        "?delete_dependents=true to delete them along"
    )
    done = api.app.delete(f"{path}?delete_dependents=true", headers=root).json
    assert done == {"msg": f"Study {world['S']} was deleted"}
    assert count(api, Task) == 0 and count(api, Study) == 1
    assert api.app.delete(f"/api/study/{world['T']}", headers=root).status_int == 200


def test_a_collaboration_with_studies_is_deleted_with_delete_dependents_only(api, root, world):
    refused = api.app.delete(f"/api/collaboration/{world['B']}", headers=root, status=400)
    assert refused.json["msg"].startswith(
        f"Collaboration {world['B']} still has 2 nodes, 1 studies;"
    )
    api.app.delete(f"/api/collaboration/{world['B']}?delete_dependents=true", headers=root)
    assert count(api, Study) == 1


def test_leaving_the_collaboration_leaves_its_studies(api, root, world):
    """a3 has no node, tasks or runs in A, so it may leave A; it leaves study U of A too."""
    study = api.study("U", world["A"], [world["a1"], world["a3"]])
    path = f"/api/collaboration/{world['A']}/organization"
    api.app.delete_json(path, {"id": world["a3"]}, headers=root)
    members = api.app.get(f"/api/study/{study}/organization", headers=root).json
    assert member_ids(members) == [world["a1"]]


def test_a_deleted_organization_leaves_its_studies(api, root, world):
    outsider = api.organization("temporary", ["A"])
    study = api.study("U", world["A"], [world["a1"], outsider])
    api.app.delete(f"/api/organization/{outsider}", headers=root)
    members = api.app.get(f"/api/study/{study}/organization", headers=root).json
    assert member_ids(members) == [world["a1"]]


# -- who may: rule scopes -------------------------------------------------------------------


@pytest.mark.parametrize(
    "member, scope, visible",
    [
        ("a1", ORG, ["S"]),
        ("a3", ORG, []),  # in collaboration A, not in study S
        ("b1", ORG, ["T"]),
        ("a3", COL, ["S"]),
        ("a2", COL, ["S", "T"]),
        ("b1", COL, ["T"]),
        ("a3", GLO, ["S", "T"]),
    ],
)
def test_list_and_get_agree_with_the_view_scope(api, world, member, scope, visible):
    headers = api.user("viewer", world[member], rules=[("study", scope, V)])
    assert names(api.app.get("/api/study", headers=headers)) == visible
    for name in ("S", "T"):
        status = 200 if name in visible else 403
        api.app.get(f"/api/study/{world[name]}", headers=headers, status=status)
        api.app.get(f"/api/study/{world[name]}/organization", headers=headers, status=status)


def test_without_a_study_rule_everything_is_403(api, world):
    headers = api.user("nobody", world["a1"], rules=[("organization", GLO, V), ("task", COL, C)])
    response = api.app.get("/api/study", headers=headers, status=403)
    assert response.json == {"msg": "You lack the permission to do that!"}
    api.app.get(f"/api/study/{world['S']}", headers=headers, status=403)
    sent = {"name": "X", "collaboration_id": world["A"], "organization_ids": [world["a1"]]}
    api.app.post_json("/api/study", sent, headers=headers, status=403)
    assert count(api, Study) == 2


def test_the_default_roles(api, world):
    """Viewer (and so Researcher and Organization Admin): the studies of their organization.
    Collaboration Admin: every study of their collaborations, and manages them."""
    viewer = api.user("viewer", world["a1"], roles=["Viewer"])
    assert names(api.app.get("/api/study", headers=viewer)) == ["S"]
    api.app.patch_json(f"/api/study/{world['S']}", {"name": "x"}, headers=viewer, status=403)
    admin = api.user("admin", world["a3"], roles=["Collaboration Admin"])
    assert names(api.app.get("/api/study", headers=admin)) == ["S"]
    sent = {"name": "Mine", "collaboration_id": world["A"], "organization_ids": [world["a3"]]}
    created = api.app.post_json("/api/study", sent, headers=admin, status=201).json
    api.app.post_json(f"/api/study/{world['S']}/organization", {"id": world["a3"]}, headers=admin)
    api.app.delete(f"/api/study/{created['id']}", headers=admin)


def test_creating_needs_the_create_rule_for_that_collaboration(api, world):
    headers = api.user("creator", world["a1"], rules=[("study", COL, C)])
    sent = {"name": "In A", "collaboration_id": world["A"], "organization_ids": [world["a3"]]}
    api.app.post_json("/api/study", sent, headers=headers, status=201)
    elsewhere = {"name": "In B", "collaboration_id": world["B"], "organization_ids": [world["b1"]]}
    api.app.post_json("/api/study", elsewhere, headers=headers, status=403)
    anywhere = api.user("global", world["a1"], rules=[("study", GLO, C)])
    api.app.post_json("/api/study", elsewhere, headers=anywhere, status=201)


def test_organization_scoped_editors_rename_but_do_not_change_members(api, world):
    """As the original's /study/<id>/organization: members change with the edit rule at
    collaboration or global scope (the original's PATCH let organization scope do it)."""
    path = f"/api/study/{world['S']}"
    inside = api.user("inside", world["a1"], rules=[("study", ORG, E), ("study", ORG, V)])
    assert api.app.patch_json(path, {"name": "Renamed"}, headers=inside).json["name"] == "Renamed"
    same = {"organization_ids": [world["a2"], world["a1"]]}  # the same members: no change
    api.app.patch_json(path, same, headers=inside, status=200)
    refused = api.app.patch_json(
        path, {"organization_ids": [world["a1"]]}, headers=inside, status=403
    )
    assert "at collaboration or global scope" in refused.json["msg"]
    api.app.post_json(f"{path}/organization", {"id": world["a3"]}, headers=inside, status=403)
    api.app.delete_json(f"{path}/organization", {"id": world["a2"]}, headers=inside, status=403)
    outside = api.user("outside", world["a3"], rules=[("study", ORG, E)])
    api.app.patch_json(path, {"name": "Again"}, headers=outside, status=403)
    with api.session() as session:
        study = session.get(Study, world["S"])
        assert (study.name, study.get_organization_ids()) == ("Renamed", [world["a1"], world["a2"]])


def test_collaboration_scoped_editors_manage_the_studies_of_their_collaborations(api, world):
    headers = api.user("editor", world["a3"], rules=[("study", COL, E)])
    path = f"/api/study/{world['S']}"
    api.app.patch_json(path, {"organization_ids": [world["a3"]]}, headers=headers)
    api.app.post_json(f"{path}/organization", {"id": world["a1"]}, headers=headers)
    api.app.delete_json(f"{path}/organization", {"id": world["a3"]}, headers=headers)
    api.app.patch_json(f"/api/study/{world['T']}", {"name": "x"}, headers=headers, status=403)
    api.app.post_json(
        f"/api/study/{world['T']}/organization", {"id": world["a2"]}, headers=headers, status=403
    )


@pytest.mark.parametrize(
    "member, scope, deletable",
    [("a1", ORG, True), ("a3", ORG, False), ("a3", COL, True), ("b1", COL, False)],
)
def test_delete_by_scope(api, world, member, scope, deletable):
    headers = api.user("deleter", world[member], rules=[("study", scope, D)])
    api.app.delete(f"/api/study/{world['S']}", headers=headers, status=200 if deletable else 403)
    assert count(api, Study) == (1 if deletable else 2)


def test_a_node_sees_the_studies_of_its_organization_only(api, world):
    a1 = api.node_login("key-a1-A")
    assert names(api.app.get("/api/study", headers=a1)) == ["S"]
    b1 = api.node_login("key-b1-B")
    api.app.get(f"/api/study/{world['S']}/organization", headers=b1, status=403)
    api.app.patch_json(f"/api/study/{world['T']}", {"name": "x"}, headers=b1, status=403)


# -- attacks: another collaboration's study --------------------------------------------------


def test_a_user_of_another_collaboration_cannot_reach_a_study(api, world):
    """b1's Collaboration Admin holds every study rule at collaboration scope, the global
    organization view rule and task creation in B: none of it reaches study S of A."""
    headers = api.user("intruder", world["b1"], roles=["Collaboration Admin"])
    study = f"/api/study/{world['S']}"
    assert names(api.app.get("/api/study", headers=headers)) == ["T"]
    assert names(api.app.get(f"/api/study?collaboration_id={world['A']}", headers=headers)) == []
    assert names(api.app.get(f"/api/study?organization_id={world['a1']}", headers=headers)) == []
    api.app.get(study, headers=headers, status=403)
    api.app.get(f"{study}/organization", headers=headers, status=403)
    api.app.patch_json(study, {"name": "Mine"}, headers=headers, status=403)
    api.app.post_json(f"{study}/organization", {"id": world["a2"]}, headers=headers, status=403)
    api.app.delete_json(f"{study}/organization", {"id": world["a2"]}, headers=headers, status=403)
    api.app.delete(study, headers=headers, status=403)
    sent = {"name": "Mine", "collaboration_id": world["A"], "organization_ids": [world["a2"]]}
    api.app.post_json("/api/study", sent, headers=headers, status=403)
    # who is in the study is not to be learnt through the filters either
    for listing in ("organization", "node"):
        refused = api.app.get(f"/api/{listing}?study_id={world['S']}", headers=headers, status=403)
        assert refused.json["msg"] == f"study_id: you may not view Study {world['S']}"
    # nor can its tasks target it
    targets = [world["a2"]]
    api.app.post_json(
        "/api/task", task_body(targets, study_id=world["S"]), headers=headers, status=403
    )
    mixed = task_body(targets, study_id=world["S"], collaboration_id=world["B"])
    refused = api.app.post_json("/api/task", mixed, headers=headers, status=400)
    assert refused.json["msg"] == (
        f"Study {world['S']} is part of collaboration {world['A']}, not of collaboration "
        f"{world['B']}"
    )
    with api.session() as session:
        study_row = session.get(Study, world["S"])
        assert (study_row.name, study_row.get_organization_ids()) == (
            "S",
            [world["a1"], world["a2"]],
        )
    assert count(api, Task) == 0


def test_a_collaboration_admin_cannot_add_an_organization_from_elsewhere(api, world):
    headers = api.user("admin", world["a1"], roles=["Collaboration Admin"])
    path = f"/api/study/{world['S']}/organization"
    refused = api.app.post_json(path, {"id": world["b1"]}, headers=headers, status=400)
    assert "are not members of collaboration" in refused.json["msg"]


# -- the study_id filters of /organization and /node -----------------------------------------


def test_organizations_and_nodes_of_a_study(api, root, world):
    organizations = api.app.get(f"/api/organization?study_id={world['S']}", headers=root)
    assert names(organizations) == ["a1", "a2"]
    nodes = api.app.get(f"/api/node?study_id={world['S']}", headers=root).json["data"]
    # a2 has a node in B too: only the nodes in the study's collaboration count
    assert sorted((n["organization"]["id"], n["collaboration"]["id"]) for n in nodes) == [
        (world["a1"], world["A"]),
        (world["a2"], world["A"]),
    ]
    nodes = api.app.get(f"/api/node?study_id={world['T']}", headers=root).json["data"]
    assert [(n["organization"]["id"], n["collaboration"]["id"]) for n in nodes] == [
        (world["b1"], world["B"])
    ]
    both = api.app.get(f"/api/organization?study_id={world['S']}&name=a2", headers=root).json[
        "data"
    ]
    assert [o["name"] for o in both] == ["a2"]


def test_the_filters_still_show_only_what_the_caller_may_view(api, world):
    """A Viewer of a1 sees study S and the organizations of its collaborations."""
    viewer = api.user("viewer", world["a1"], roles=["Viewer"])
    assert names(api.app.get(f"/api/organization?study_id={world['S']}", headers=viewer)) == [
        "a1",
        "a2",
    ]
    narrow = api.user(
        "narrow", world["a1"], rules=[("study", ORG, V), ("organization", ORG, V), ("node", ORG, V)]
    )
    assert names(api.app.get(f"/api/organization?study_id={world['S']}", headers=narrow)) == ["a1"]
    nodes = api.app.get(f"/api/node?study_id={world['S']}", headers=narrow).json["data"]
    assert [n["organization"]["id"] for n in nodes] == [world["a1"]]
    no_study_rule = api.user("blind", world["a1"], rules=[("organization", GLO, V)])
    api.app.get(f"/api/organization?study_id={world['S']}", headers=no_study_rule, status=403)


@pytest.mark.parametrize("listing", ["organization", "node"])
def test_bad_study_filters_are_400(api, root, world, listing):
    missing = api.app.get(f"/api/{listing}?study_id=999", headers=root, status=400)
    assert missing.json["msg"] == "study_id: Study '999' does not exist"
    api.app.get(f"/api/{listing}?study_id=x", headers=root, status=400)
    api.app.get(f"/api/{listing}?study_id=99999999999999999999", headers=root, status=400)


# -- tasks for a study ------------------------------------------------------------------------


@pytest.fixture
def researcher(api, world):
    return api.user("researcher", world["a1"], roles=["Researcher"])


@pytest.fixture
def only_a1(api, world) -> int:
    """Study of A with a1 alone (a2, whose node is in A too, is not in it)."""
    return api.study("Only a1", world["A"], [world["a1"]])


def test_a_task_for_a_study_records_it(api, root, world, researcher):
    sent = task_body([world["a1"], world["a2"]], collaboration_id=world["A"], study_id=world["S"])
    created = api.app.post_json("/api/task", sent, headers=researcher, status=201).json
    link = {"id": world["S"], "link": f"/api/study/{world['S']}", "methods": METHODS}
    assert created["study"] == link
    assert api.app.get(f"/api/task/{created['id']}", headers=root).json["study"] == link
    listed = api.app.get(f"/api/task?study_id={world['S']}", headers=root).json["data"]
    assert [(t["id"], t["study"]) for t in listed] == [(created["id"], link)]
    assert api.app.get(f"/api/task?study_id={world['T']}", headers=root).json["data"] == []
    runs = api.app.get(f"/api/run?task_id={created['id']}&include=task", headers=root).json
    assert {run["task"]["study"]["id"] for run in runs["data"]} == {world["S"]}


def test_a_task_without_a_study_says_null(api, world, researcher):
    sent = task_body([world["a1"]], collaboration_id=world["A"])
    assert api.app.post_json("/api/task", sent, headers=researcher).json["study"] is None


def test_the_study_alone_names_the_collaboration(api, world, researcher):
    sent = task_body([world["a1"]], study_id=world["S"])
    created = api.app.post_json("/api/task", sent, headers=researcher, status=201).json
    assert created["collaboration"]["id"] == world["A"]
    assert created["study"]["id"] == world["S"]


def test_the_organizations_must_be_in_the_study(api, world, researcher, only_a1):
    sent = task_body([world["a1"], world["a2"]], study_id=only_a1)
    refused = api.app.post_json("/api/task", sent, headers=researcher, status=400)
    assert refused.json["msg"] == (
        f"The task was not created: organization(s) {world['a2']} are not in study {only_a1}"
    )
    assert count(api, Task) == 0


@pytest.mark.parametrize(
    "ids, message",
    [
        ({"study_id": 999}, "Study 999 does not exist"),
        ({}, "Send the collaboration_id or the study_id of the task"),
        ({"collaboration_id": None, "study_id": None}, "Send the collaboration_id"),
    ],
)
def test_bad_studies_are_400(api, world, researcher, ids, message):
    refused = api.app.post_json(
        "/api/task", task_body([world["a1"]], **ids), headers=researcher, status=400
    )
    assert message in refused.json["msg"]
    assert count(api, Task) == 0


def test_subtasks_are_for_the_study_of_their_task(api, world, researcher, only_a1):
    """An algorithm in study "Only a1" cannot reach a2 with a subtask, though its user could
    start a task for a2 in A; it cannot switch to another study either."""
    sent = task_body([world["a1"]], study_id=only_a1)
    parent = api.app.post_json("/api/task", sent, headers=researcher).json["id"]
    node = api.node_login("key-a1-A")
    container = api.container_login(node, parent)
    claims = jwt.decode(container["Authorization"].split()[1], options={"verify_signature": False})
    assert claims["sub"]["study_id"] == only_a1
    sub = task_body([world["a1"]], collaboration_id=world["A"])
    created = api.app.post_json("/api/task", sub, headers=container, status=201).json
    assert created["study"]["id"] == only_a1 and created["parent"]["id"] == parent
    outside = task_body([world["a2"]], collaboration_id=world["A"])
    refused = api.app.post_json("/api/task", outside, headers=container, status=400)
    assert f"organization(s) {world['a2']} are not in study {only_a1}" in refused.json["msg"]
    other = task_body([world["a1"]], study_id=world["S"])
    refused = api.app.post_json("/api/task", other, headers=container, status=403)
    assert "only for the study of its own task" in refused.json["msg"]
    assert count(api, Task) == 2
