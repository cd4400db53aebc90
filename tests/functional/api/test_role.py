"""``/role`` and ``/role/<id>/rule/<rule_id>``: scopes, default roles, no escalation."""

import pytest
from sqlalchemy import func, select

from vantage6.server.models import Role
from vantage6.server.models.rule import Operation, Scope
from vantage6.server.security.default_roles import DefaultRole

V, E, C, D = Operation.VIEW, Operation.EDIT, Operation.CREATE, Operation.DELETE
ORG, COL, GLO = Scope.ORGANIZATION, Scope.COLLABORATION, Scope.GLOBAL

DEFAULTS = sorted(role.value for role in DefaultRole)
# An organization admin in the tests: manages its organization's roles, holds some task rules.
ADMIN_RULES = [("role", ORG, op) for op in (V, C, E, D)] + [("task", COL, V), ("task", ORG, D)]


@pytest.fixture
def world(api):
    """Two collaborations: A = {a1, a2}, B = {b1}; a2 is also in B; one role per org."""
    organizations = api.two_collaborations()
    roles = {f"role-{name}": api.role(f"role-{name}", o) for name, o in organizations.items()}
    return {**organizations, **roles}


def names(response):
    return sorted(item["name"] for item in response.json["data"])


def role_count(api) -> int:
    with api.session() as session:
        return session.scalar(select(func.count()).select_from(Role))


def default_role(api, root, name: str) -> int:
    return api.app.get(f"/api/role?name={name}", headers=root).json["data"][0]["id"]


def test_anonymous_callers_get_401(api):
    api.app.get("/api/role", status=401)
    api.app.post_json("/api/role", {"name": "x"}, status=401)
    api.app.get("/api/role/1", status=401)
    api.app.patch_json("/api/role/1", {"name": "x"}, status=401)
    api.app.delete("/api/role/1", status=401)
    api.app.post("/api/role/1/rule/1", status=401)
    api.app.delete("/api/role/1/rule/1", status=401)


def test_the_original_shape(api, root, world):
    item = api.app.get(f"/api/role/{world['role-a1']}", headers=root).json
    assert item == {
        "id": world["role-a1"],
        "name": "role-a1",
        "description": None,
        "is_default_role": False,
        "organization": {
            "id": world["a1"],
            "link": f"/api/organization/{world['a1']}",
            "methods": ["GET", "PATCH", "DELETE"],
        },
        "rules": f"/api/rule?role_id={world['role-a1']}",
        "users": f"/api/user?role_id={world['role-a1']}",
    }
    viewer = api.app.get(f"/api/role/{default_role(api, root, 'Viewer')}", headers=root).json
    assert viewer["organization"] is None and viewer["is_default_role"] is True


@pytest.mark.parametrize(
    "scope, visible",
    [
        (ORG, ["role-a1"]),
        (COL, ["role-a1", "role-a2"]),
        (GLO, ["role-a1", "role-a2", "role-b1", "role-lonely"]),
    ],
)
def test_list_and_get_agree_with_the_view_scope(api, world, scope, visible):
    """Default roles are visible at every scope; organizations' roles as far as it reaches."""
    headers = api.user("viewer", world["a1"], rules=[("role", scope, V)])
    listed = names(api.app.get("/api/role?per_page=100", headers=headers))
    assert listed == sorted([*DEFAULTS, *visible])
    with api.session() as session:
        every = session.execute(select(Role.id, Role.name)).all()
    for role_id, name in every:
        status = 200 if name in listed else 403
        api.app.get(f"/api/role/{role_id}", headers=headers, status=status)


def test_without_a_role_view_rule_roles_are_forbidden(api, world):
    headers = api.user("nobody", world["a1"], rules=[("user", GLO, V)])
    assert api.app.get("/api/role", headers=headers, status=403).json == {
        "msg": "You lack the permission to do that!"
    }
    api.app.get(f"/api/role/{world['role-a1']}", headers=headers, status=403)
    api.app.get("/api/role/1", headers=headers, status=403)


def test_filters(api, root, world):
    described = api.role("described", world["b1"], rules=[("task", COL, C)])
    api.app.patch_json(f"/api/role/{described}", {"description": "runs tasks"}, headers=root)
    api.user("holder", world["a2"], roles=["Researcher"])

    def found(query):
        return names(api.app.get(f"/api/role?per_page=100&{query}", headers=root))

    assert found("name=role-a%25") == ["role-a1", "role-a2"]
    assert found("name=role-a1&name=role-b1") == ["role-a1", "role-b1"]
    assert found("description=runs%25") == ["described"]
    assert found(f"organization_id={world['a1']}&organization_id={world['b1']}") == [
        "described",
        "role-a1",
        "role-b1",
    ]
    assert found(f"organization_id={world['a1']}&include_root=true") == sorted(
        [*DEFAULTS, "role-a1"]
    )
    assert found("collaboration_id=1") == ["role-a1", "role-a2"]
    task_create = api.rule_id("task", COL, C)
    assert found(f"rule_id={task_create}") == sorted(
        ["Collaboration Admin", "Researcher", "Root", "described"]
    )
    assert found(f"user_id={api.user_id('holder')}") == ["Researcher"]


@pytest.mark.parametrize(
    "query, message",
    [
        ("organization_id=x", "organization_id must be a whole number"),
        ("include_root=perhaps&organization_id=1", "include_root must be true or false"),
        ("sort=users", "cannot sort on 'users'"),
    ],
)
def test_bad_query_parameters_are_400(api, root, query, message):
    response = api.app.get(f"/api/role?{query}", headers=root, status=400)
    assert message in response.json["msg"]


def test_create_for_the_callers_organization_with_held_rules(api, world):
    headers = api.user("admin", world["a1"], rules=ADMIN_RULES)
    rules = [api.rule_id("task", COL, V), api.rule_id("task", ORG, D)]
    body = {"name": "analysts", "description": "look at tasks", "rules": rules}
    created = api.app.post_json("/api/role", body, headers=headers, status=201).json
    assert created["organization"]["id"] == world["a1"]
    assert created["description"] == "look at tasks"
    listed = api.app.get(created["rules"], headers=headers).json["data"]
    assert sorted(rule["id"] for rule in listed) == sorted(rules)


def test_create_with_rules_the_caller_lacks_is_403_naming_them(api, world):
    headers = api.user("admin", world["a1"], rules=ADMIN_RULES)
    lacking = api.rule_id("task", GLO, V)
    body = {"name": "peek", "rules": [api.rule_id("task", COL, V), lacking]}
    response = api.app.post_json("/api/role", body, headers=headers, status=403)
    assert response.json["msg"] == (
        f"You can only grant or take away rules you hold yourself; not {lacking} (task view global)"
    )
    assert role_count(api) == 11


@pytest.mark.parametrize(
    "scope, allowed, refused",
    [(ORG, "a1", "a2"), (COL, "a2", "b1"), (GLO, "lonely", None)],
)
def test_create_needs_a_create_rule_reaching_the_organization(api, world, scope, allowed, refused):
    headers = api.user("creator", world["a1"], rules=[("role", scope, C)])
    body = {"name": "new", "organization_id": world[allowed]}
    api.app.post_json("/api/role", body, headers=headers, status=201)
    if refused:
        body = {"name": "new", "organization_id": world[refused]}
        response = api.app.post_json("/api/role", body, headers=headers, status=403)
        assert f"organization {world[refused]}" in response.json["msg"]


def test_create_without_a_create_rule_is_403(api, world):
    headers = api.user("viewer", world["a1"], rules=[("role", GLO, V)])
    api.app.post_json("/api/role", {"name": "x"}, headers=headers, status=403)


@pytest.mark.parametrize(
    "body, status, message",
    [
        ({}, 400, "name"),
        ({"name": ""}, 400, "name"),
        ({"name": "root"}, 400, "'root' is the name of a default role"),
        ({"name": "x", "rules": [1, 1]}, 400, "lists 1 more than once"),
        ({"name": "x", "rules": ["1"]}, 400, "rules"),
        ({"name": "x", "rules": [1, 9999]}, 400, "Rule 9999 does not exist"),
        ({"name": "x", "organization_id": 999}, 400, "Organization 999 does not exist"),
        ({"name": "x", "organization_id": "1"}, 400, "organization_id"),
        ({"name": "x", "is_default_role": True}, 400, "body"),
    ],
)
def test_create_refuses_bad_bodies_and_writes_nothing(api, root, body, status, message):
    response = api.app.post_json("/api/role", body, headers=root, status=status)
    assert message in response.json["msg"]
    assert role_count(api) == 7


def test_duplicate_names_are_refused_within_an_organization_only(api, root, world):
    body = {"name": "role-a1", "organization_id": world["a1"]}
    response = api.app.post_json("/api/role", body, headers=root, status=400)
    assert "is already in use" in response.json["msg"]
    api.app.post_json("/api/role", {**body, "organization_id": world["a2"]}, headers=root)
    rename = api.app.patch_json(
        f"/api/role/{world['role-a2']}", {"name": "role-a1"}, headers=root, status=400
    )
    assert rename.json["msg"] == (
        f"Role not saved: name 'role-a1' and organization {world['a2']} is already in use"
    )


def test_patch_changes_only_what_is_sent(api, root, world):
    url = f"/api/role/{world['role-a1']}"
    api.app.patch_json(url, {"description": "first"}, headers=root)
    patched = api.app.patch_json(url, {"name": "renamed"}, headers=root).json
    assert (patched["name"], patched["description"]) == ("renamed", "first")
    moved = api.app.patch_json(url, {"organization_id": world["a2"]}, headers=root, status=400)
    assert moved.json["msg"] == "A role's organization cannot be changed"


@pytest.mark.parametrize(
    "scope, allowed, refused",
    [(ORG, "role-a1", "role-a2"), (COL, "role-a2", "role-b1"), (GLO, "role-lonely", None)],
)
def test_patch_and_delete_by_scope(api, world, scope, allowed, refused):
    headers = api.user("editor", world["a1"], rules=[("role", scope, E), ("role", scope, D)])
    api.app.patch_json(f"/api/role/{world[allowed]}", {"description": "x"}, headers=headers)
    if refused:
        url = f"/api/role/{world[refused]}"
        api.app.patch_json(url, {"description": "x"}, headers=headers, status=403)
        api.app.delete(url, headers=headers, status=403)
    api.app.delete(f"/api/role/{world[allowed]}", headers=headers)


def test_patch_rules_checks_every_rule_added_or_removed(api, root, world):
    headers = api.user("admin", world["a1"], rules=ADMIN_RULES)
    url = f"/api/role/{world['role-a1']}"
    held, lacking = api.rule_id("task", COL, V), api.rule_id("node", GLO, D)
    response = api.app.patch_json(url, {"rules": [held, lacking]}, headers=headers, status=403)
    assert f"{lacking} (node delete global)" in response.json["msg"]
    api.app.patch_json(url, {"rules": [held]}, headers=headers)
    api.app.patch_json(url, {"rules": [held, lacking]}, headers=root)
    api.app.patch_json(url, {"rules": [held]}, headers=headers, status=403)  # taking away
    api.app.patch_json(url, {"rules": [held, lacking], "name": "kept"}, headers=headers)
    assert api.app.get(url, headers=root).json["name"] == "kept"


def test_default_roles_cannot_be_changed_by_anyone(api, root, world):
    viewer = default_role(api, root, "Viewer")
    rule = api.rule_id("task", GLO, V)
    expected = (
        f"Role {viewer} (Viewer) is a default role; default roles and their rules cannot be "
        "changed or deleted"
    )
    admin = api.user("admin", world["a1"], rules=ADMIN_RULES)
    for headers in (root, admin):
        url = f"/api/role/{viewer}"
        for response in (
            api.app.patch_json(url, {"description": "mine"}, headers=headers, status=403),
            api.app.delete(url, headers=headers, status=403),
            api.app.post(f"{url}/rule/{rule}", headers=headers, status=403),
            api.app.delete(f"{url}/rule/{rule}", headers=headers, status=403),
        ):
            assert response.json["msg"] == expected
    assert api.app.get(f"/api/role/{viewer}", headers=root).json["description"] != "mine"


def test_delete_refuses_a_role_users_hold_unless_asked(api, root, world):
    role_id = api.role("held", world["a1"], rules=[("node", GLO, D)])
    holder = api.user("holder", world["a1"], roles=["held"])
    url = f"/api/role/{role_id}"
    refused = api.app.delete(url, headers=root, status=400)
    assert "still has 1 users" in refused.json["msg"]
    admin = api.user("admin", world["a1"], rules=ADMIN_RULES)
    lacking = api.app.delete(f"{url}?delete_dependents=true", headers=admin, status=403)
    assert "(node delete global)" in lacking.json["msg"]
    deleted = api.app.delete(f"{url}?delete_dependents=true", headers=root)
    assert deleted.json == {"msg": f"Role {role_id} was deleted"}
    api.app.get(url, headers=root, status=404)
    me = api.app.get(f"/api/user/{api.user_id('holder')}?include_permissions=1", headers=holder)
    assert me.json["permissions"]["roles"] == []


def test_delete_an_unused_role_needs_no_held_rules(api, world):
    role_id = api.role("unused", world["a1"], rules=[("node", GLO, D)])
    admin = api.user("admin", world["a1"], rules=ADMIN_RULES)
    api.app.delete(f"/api/role/{role_id}", headers=admin)


def test_missing_and_malformed_ids_are_404(api, root):
    assert api.app.get("/api/role/999", headers=root, status=404).json == {
        "msg": "Role '999' does not exist"
    }
    for bad in ("abc", "-1", "1.0", "99999999999999999999999"):
        api.app.get(f"/api/role/{bad}", headers=root, status=404)
        api.app.post(f"/api/role/{bad}/rule/1", headers=root, status=404)


def test_add_and_remove_one_rule(api, world):
    headers = api.user("admin", world["a1"], rules=ADMIN_RULES)
    url = f"/api/role/{world['role-a1']}/rule"
    rule = api.rule_id("task", COL, V)
    added = api.app.post(f"{url}/{rule}", headers=headers, status=201).json
    assert [item["id"] for item in added] == [rule] and added[0]["scope"] == "COLLABORATION"
    again = api.app.post(f"{url}/{rule}", headers=headers, status=400)
    assert again.json["msg"] == f"Rule {rule} is already part of role {world['role-a1']}"
    assert api.app.delete(f"{url}/{rule}", headers=headers).json == []
    gone = api.app.delete(f"{url}/{rule}", headers=headers, status=404)
    assert gone.json["msg"] == f"Rule {rule} is not part of role {world['role-a1']}"


def test_adding_or_removing_a_rule_not_held_is_403(api, root, world):
    headers = api.user("admin", world["a1"], rules=ADMIN_RULES)
    url = f"/api/role/{world['role-a1']}/rule/{api.rule_id('task', GLO, D)}"
    api.app.post(url, headers=headers, status=403)
    api.app.post(url, headers=root, status=201)
    api.app.delete(url, headers=headers, status=403)


def test_role_rules_need_edit_on_the_role_and_an_existing_rule(api, root, world):
    headers = api.user("admin", world["a1"], rules=ADMIN_RULES)
    other = f"/api/role/{world['role-a2']}/rule/{api.rule_id('task', COL, V)}"
    api.app.post(other, headers=headers, status=403)
    api.app.delete(other, headers=headers, status=403)
    missing = api.app.post(f"/api/role/{world['role-a1']}/rule/9999", headers=root, status=404)
    assert missing.json == {"msg": "Rule '9999' does not exist"}
    api.app.post(f"/api/role/{world['role-a1']}/rule/x", headers=root, status=404)
