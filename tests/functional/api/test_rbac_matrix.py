"""The permission matrix: every default role and every single scoped rule, against objects of
the caller's own organization, of a peer in its collaboration, and of a foreign organization.

World: collaboration A = {home, peer}, B = {peer}, C = {foreign}. Each organization has a user,
a custom role and a node (home and peer in A, foreign in C) and initiated one task in that
collaboration with one run at itself. The caller belongs to ``home``. For collaborations the
targets are A (own), B (the peer's) and C (foreign).

An allowed request may still be refused for another reason (an organization with users cannot
be deleted: 400); what the matrix checks is that a denied one is 403 and an allowed one is not.
"""

from __future__ import annotations

import itertools

import pytest
from sqlalchemy import select

from vantage6.server.models import Collaboration, Node, Role, Run, Task, User
from vantage6.server.models.rule import Operation, Scope

TARGETS = ("own", "peer", "foreign")
ALL = set(TARGETS)
NONE: set[str] = set()

PATHS = {
    "organization": "organization",
    "collaboration": "collaboration",
    "node": "node",
    "user": "user",
    "role": "role",
    "task": "task",
    "run": "run",
}
EDITS = {  # a harmless change each; tasks have no PATCH and runs are edited by nodes only
    "organization": {"country": "Elsewhere"},
    "collaboration": {"name": "renamed"},
    "node": {"name": "renamed node"},
    "user": {"firstname": "Renamed"},
    "role": {"description": "changed"},
}
DELETABLE = ("organization", "collaboration", "node", "user", "role", "task")


def expect(view=NONE, edit=NONE, delete=NONE) -> dict:
    return {"view": set(view), "edit": set(edit), "delete": set(delete)}


OWN_PEER = {"own", "peer"}
VIEWER = {
    "organization": expect(view=OWN_PEER),
    "collaboration": expect(view={"own"}),
    "node": expect(view=OWN_PEER),
    "user": expect(view={"own"}),
    "role": expect(view={"own"}),
    "task": expect(view=OWN_PEER),
    "run": expect(view=OWN_PEER),
}
RESEARCHER = {**VIEWER, "task": expect(view=OWN_PEER, delete={"own"})}
ORG_ADMIN = {
    **VIEWER,
    "organization": expect(view=OWN_PEER, edit={"own"}),
    "node": expect(view=OWN_PEER, edit={"own"}),
    "user": expect(view={"own"}, edit={"own"}, delete={"own"}),
    "role": expect(view={"own"}, edit={"own"}, delete={"own"}),
}
COLLAB_ADMIN = {
    "organization": expect(view=ALL, edit=OWN_PEER),
    "collaboration": expect(view={"own"}, edit={"own"}),
    "node": expect(view=OWN_PEER, edit={"own"}, delete=OWN_PEER),
    "user": expect(view=OWN_PEER, edit=OWN_PEER, delete={"own"}),
    "role": expect(view=OWN_PEER, edit={"own"}, delete={"own"}),
    "task": expect(view=OWN_PEER, delete={"own"}),
    "run": expect(view=OWN_PEER),
}
ROOT = {resource: expect(ALL, ALL, ALL) for resource in PATHS}
NODE = {  # the caller is home's node in A
    "organization": expect(view=OWN_PEER, edit={"own"}),
    "collaboration": expect(view={"own"}),
    "node": expect(view={"own"}, edit={"own"}),
    "user": expect(),
    "role": expect(),
    "task": expect(view=OWN_PEER),
    "run": expect(view=OWN_PEER),
}
CONTAINER = {  # an algorithm of home's node in A, running task-own: it reaches its own job only
    **NODE,
    "organization": expect(view=OWN_PEER),
    "node": expect(view={"own"}),
    "task": expect(view={"own"}),
    "run": expect(view={"own"}),
}
DEFAULT_ROLES = {
    "Root": ROOT,
    "Collaboration Admin": COLLAB_ADMIN,
    "Organization Admin": ORG_ADMIN,
    "Researcher": RESEARCHER,
    "Viewer": VIEWER,
    "node": NODE,
    "container": CONTAINER,
}


@pytest.fixture
def world(api) -> dict:
    """Ids of every target object, by resource and target."""
    home = api.organization("home", ["A"])
    peer = api.organization("peer", ["A", "B"])
    foreign = api.organization("foreign", ["C"])
    organizations = {"own": home, "peer": peer, "foreign": foreign}
    collaboration_of = {"own": "A", "peer": "A", "foreign": "C"}
    ids: dict[str, dict[str, int]] = {"organization": organizations}
    for target, organization in organizations.items():
        api.node(organization, collaboration_of[target], api_key=f"key-{target}")
    with api.session() as session, session.begin():
        collaborations = {c.name: c.id for c in session.scalars(select(Collaboration))}
        ids["collaboration"] = {
            "own": collaborations["A"],
            "peer": collaborations["B"],
            "foreign": collaborations["C"],
        }
        for target, organization in organizations.items():
            collaboration = collaborations[collaboration_of[target]]
            session.add(User(username=f"user-{target}", organization_id=organization))
            session.add(Role(name=f"role-{target}", organization_id=organization))
            task = Task(
                name=f"task-{target}",
                image="demo/average",
                collaboration_id=collaboration,
                init_org_id=organization,
            )
            task.runs = [Run(organization_id=organization, input="e30=")]
            session.add(task)
    with api.session() as session:
        for resource, model, column in (
            ("node", Node, Node.organization_id),
            ("user", User, User.organization_id),
            ("role", Role, Role.organization_id),
            ("task", Task, Task.init_org_id),
            ("run", Run, Run.organization_id),
        ):
            ids[resource] = {
                target: session.scalars(select(model.id).where(column == organization)).one()
                for target, organization in organizations.items()
            }
    return ids


def caller_headers(api, world, role: str) -> dict:
    home = world["organization"]["own"]
    if role in ("node", "container"):
        token = api.app.post_json("/api/token/node", {"api_key": "key-own"}).json
        node = {"Authorization": f"Bearer {token['access_token']}"}
        if role == "node":
            return node
        return api.container_login(node, world["task"]["own"])
    return api.user("caller", home, roles=[role])


def assert_matrix(api, world, headers, resource: str, expected: dict) -> None:
    """Check view (single and list), edit and delete of each target against ``expected``."""
    path = f"/api/{PATHS[resource]}"
    ids = world[resource]
    problems = []

    def check(operation, target, response):
        allowed = target in expected[operation]
        denied = response.status_int == 403
        if allowed == denied or response.status_int in (401, 404, 500):
            problems.append(f"{operation} {target}: {response.status_int} {response.text[:120]}")

    for target, id_ in ids.items():
        check("view", target, api.app.get(f"{path}/{id_}", headers=headers, expect_errors=True))
    if expected["view"]:
        listed = api.app.get(path, {"per_page": 500}, headers=headers).json["data"]
        shown = {item["id"] for item in listed}
        seen = {target for target, id_ in ids.items() if id_ in shown}
        if seen != expected["view"]:
            problems.append(f"list shows {sorted(seen)}, expected {sorted(expected['view'])}")
    if resource in EDITS:
        for target, id_ in ids.items():
            body = dict(EDITS[resource])
            if "name" in body:
                body["name"] = f"{body['name']} {target}"
            response = api.app.patch_json(
                f"{path}/{id_}", body, headers=headers, expect_errors=True
            )
            check("edit", target, response)
    if resource in DELETABLE:
        for target in ("foreign", "peer", "own"):  # the caller's own last
            response = api.app.delete(f"{path}/{ids[target]}", headers=headers, expect_errors=True)
            check("delete", target, response)
    assert not problems, f"{resource}: " + "; ".join(problems)


@pytest.mark.parametrize("role, resource", list(itertools.product(DEFAULT_ROLES, PATHS)))
def test_default_roles(api, world, role, resource):
    headers = caller_headers(api, world, role)
    assert_matrix(api, world, headers, resource, DEFAULT_ROLES[role][resource])


REACH = {Scope.GLOBAL: ALL, Scope.COLLABORATION: OWN_PEER, Scope.ORGANIZATION: {"own"}}
OPERATIONS = {"view": Operation.VIEW, "edit": Operation.EDIT, "delete": Operation.DELETE}


def single_rule_cases():
    """Every (resource, scope, operation) rule the matrix can exercise, alone."""
    from vantage6.server.security.rules import RULES

    for spec in RULES:
        operation = next((name for name, op in OPERATIONS.items() if op is spec.operation), None)
        if spec.name in PATHS and operation and spec.scope in REACH:
            yield spec.name, spec.scope, operation


@pytest.mark.parametrize("resource, scope, operation", list(single_rule_cases()))
def test_a_single_scoped_rule_reaches_its_scope(api, world, resource, scope, operation):
    """A user holding only this rule can do exactly that, on exactly its scope's objects."""
    reach = REACH[scope]
    if resource == "collaboration" and scope is not Scope.GLOBAL:
        reach = {"own"}  # home is a member of A only; B is the peer's
    headers = api.user(
        "caller", world["organization"]["own"], rules=[(resource, scope, OPERATIONS[operation])]
    )
    assert_matrix(api, world, headers, resource, expect(**{operation: reach}))
