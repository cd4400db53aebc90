"""``/user``: listing by scope, create, read, patch, delete, no escalation, bad input."""

import datetime as dt

import pytest
from sqlalchemy import func, select

from vantage6.server.models import Run, Task, User
from vantage6.server.models.rule import Operation, Scope
from vantage6.server.security.login import PASSWORD_RULES

V, E, C, D = Operation.VIEW, Operation.EDIT, Operation.CREATE, Operation.DELETE
OWN, ORG, COL, GLO = Scope.OWN, Scope.ORGANIZATION, Scope.COLLABORATION, Scope.GLOBAL

# An organization admin in the tests: manages users and roles of its organization.
ADMIN_RULES = [("user", ORG, op) for op in (V, C, E, D)] + [("role", ORG, V)]


@pytest.fixture
def world(api):
    """Two collaborations: A = {a1, a2}, B = {b1}; a2 is also in B; one user per org."""
    organizations = api.two_collaborations()
    for name, organization_id in organizations.items():
        api.user(f"user-{name}", organization_id)
    return organizations


def usernames(response):
    return sorted(item["username"] for item in response.json["data"])


def new_user(organization_id=None, **fields):
    body = {
        "username": "newbie",
        "email": "newbie@example.org",
        "password": "Secret-123",
        "firstname": "New",
        "lastname": "Bie",
        **fields,
    }
    if organization_id is not None:
        body["organization_id"] = organization_id
    return body


def user_count(api) -> int:
    with api.session() as session:
        return session.scalar(select(func.count()).select_from(User))


def test_anonymous_callers_get_401(api):
    api.app.get("/api/user", status=401)
    api.app.post_json("/api/user", new_user(), status=401)
    api.app.get("/api/user/1", status=401)
    api.app.patch_json("/api/user/1", {"firstname": "x"}, status=401)
    api.app.delete("/api/user/1", status=401)


def test_the_original_shape_without_any_secret(api, root, world):
    with api.session() as session, session.begin():
        session.scalars(select(User).filter_by(username="user-a1")).one().otp_secret = "OTPSECRET"
    listed = api.app.get("/api/user?username=user-a1", headers=root)
    assert "OTPSECRET" not in listed.text and "argon2" not in listed.text
    item = listed.json["data"][0]
    assert set(item) == {
        "id",
        "type",
        "username",
        "firstname",
        "lastname",
        "email",
        "organization",
        "roles",
        "rules",
        "last_seen",
        "status",
        "ip",
    }
    assert item["organization"] == {
        "id": world["a1"],
        "link": f"/api/organization/{world['a1']}",
        "methods": ["GET", "PATCH", "DELETE"],
    }
    assert item["roles"] == f"/api/role?user_id={item['id']}"
    assert item["rules"] == f"/api/rule?user_id={item['id']}"
    single = api.app.get(f"/api/user/{item['id']}", headers=root)
    assert single.json == item and "OTPSECRET" not in single.text


@pytest.mark.parametrize(
    "rules, visible",
    [
        ([], ["viewer"]),
        ([("user", ORG, V)], ["user-a1", "viewer"]),
        ([("user", COL, V)], ["user-a1", "user-a2", "viewer"]),
        ([("user", GLO, V)], ["root", "user-a1", "user-a2", "user-b1", "user-lonely", "viewer"]),
    ],
)
def test_list_and_get_agree_with_the_view_scope(api, world, rules, visible):
    headers = api.user("viewer", world["a1"], rules=rules)
    assert usernames(api.app.get("/api/user?per_page=100", headers=headers)) == visible
    for username in ["root", "viewer", *(f"user-{name}" for name in world)]:
        status = 200 if username in visible else 403
        api.app.get(f"/api/user/{api.user_id(username)}", headers=headers, status=status)


def test_collaboration_scope_follows_every_collaboration_of_the_caller(api, world):
    headers = api.user("bridge", world["a2"], rules=[("user", COL, V)])
    listed = usernames(api.app.get("/api/user", headers=headers))
    assert listed == ["bridge", "user-a1", "user-a2", "user-b1"]


def test_nodes_cannot_read_users(api, world):
    api.node(world["a1"], "A", api_key="node-a1-key")
    headers = api.node_login("node-a1-key")
    api.app.get("/api/user", headers=headers, status=403)
    api.app.get(f"/api/user/{api.user_id('user-a1')}", headers=headers, status=403)


def test_filters(api, root, world):
    role_id = api.role("helpers", world["b1"])
    rule = ("task", COL, C)
    with api.session() as session, session.begin():
        b1 = session.scalars(select(User).filter_by(username="user-b1")).one()
        b1.firstname, b1.lastname, b1.email = "Bea", "Baker", "bea@b1.org"
    api.app.patch_json(
        f"/api/user/{api.user_id('user-b1')}",
        {"roles": [role_id], "rules": [api.rule_id(*rule)]},
        headers=root,
    )

    def found(query):
        return usernames(api.app.get(f"/api/user?{query}", headers=root))

    assert found("username=user-a%25") == ["user-a1", "user-a2"]
    assert found(f"organization_id={world['a2']}") == ["user-a2"]
    assert found("collaboration_id=2") == ["user-a2", "user-b1"]
    assert found(f"role_id={role_id}") == ["user-b1"]
    assert found(f"rule_id={api.rule_id(*rule)}") == ["user-b1"]
    assert found("firstname=Bea&lastname=B%25&email=%25%40b1.org") == ["user-b1"]
    assert found("username=' OR 1=1 --") == []


def test_last_seen_filters(api, root, world):
    seen = dt.datetime(2024, 5, 31, 12, tzinfo=dt.UTC)
    with api.session() as session, session.begin():
        session.scalars(select(User).filter_by(username="user-a1")).one().last_seen = seen
    get = api.app.get
    assert usernames(get("/api/user?last_seen_from=2024-05-31", headers=root)) == ["user-a1"]
    assert usernames(get("/api/user?last_seen_till=2024-05-31T11:59:59", headers=root)) == []
    shown = get(f"/api/user/{api.user_id('user-a1')}", headers=root).json["last_seen"]
    assert shown == "2024-05-31T12:00:00+00:00"


@pytest.mark.parametrize(
    "query, message",
    [
        ("organization_id=abc", "organization_id must be a whole number"),
        ("role_id=-1", "role_id must be a whole number"),
        ("last_seen_from=yesterday", "last_seen_from must be a date or time"),
        ("sort=password", "cannot sort on 'password'"),
        ("per_page=0", "per_page must be a whole number of at least 1"),
    ],
)
def test_bad_query_parameters_are_400(api, root, query, message):
    response = api.app.get(f"/api/user?{query}", headers=root, status=400)
    assert message in response.json["msg"]


def test_include_permissions_lists_roles_all_rules_and_collaboration_partners(api, root, world):
    role_id = api.role("viewers", world["a2"], rules=[("user", ORG, V), ("node", ORG, V)])
    direct = api.rule_id("task", COL, C)
    user_id = api.user_id("user-a2")
    api.app.patch_json(
        f"/api/user/{user_id}", {"roles": [role_id], "rules": [direct]}, headers=root
    )
    url = f"/api/user/{user_id}?include_permissions=true"
    permissions = api.app.get(url, headers=root).json["permissions"]
    assert permissions == {
        "roles": [role_id],
        "rules": sorted([direct, api.rule_id("user", ORG, V), api.rule_id("node", ORG, V)]),
        "orgs_in_collabs": sorted([world["a1"], world["a2"], world["b1"]]),
    }
    plain = api.app.get(f"/api/user/{user_id}?include_permissions=false", headers=root).json
    assert "permissions" not in plain
    api.app.get(f"/api/user/{user_id}?include_permissions=maybe", headers=root, status=400)


def test_everyone_can_read_themself_with_permissions(api, world):
    headers = api.user("plain", world["a1"])
    me = api.user_id("plain")
    body = api.app.get(f"/api/user/{me}?include_permissions=1", headers=headers).json
    assert body["username"] == "plain" and body["permissions"]["roles"] == []


def test_create_in_the_callers_organization_by_default(api, world):
    headers = api.user("admin", world["a1"], rules=ADMIN_RULES)
    created = api.app.post_json("/api/user", new_user(), headers=headers, status=201).json
    assert created["organization"]["id"] == world["a1"]
    assert (created["username"], created["firstname"], created["email"]) == (
        "newbie",
        "New",
        "newbie@example.org",
    )
    assert "password" not in created
    api.login("newbie", "Secret-123")  # the password works


def test_create_with_a_null_organization_means_the_callers(api, world):
    headers = api.user("admin", world["a1"], rules=ADMIN_RULES)
    body = {**new_user(), "organization_id": None, "roles": [], "rules": []}
    created = api.app.post_json("/api/user", body, headers=headers, status=201).json
    assert created["organization"]["id"] == world["a1"]


@pytest.mark.parametrize(
    "scope, allowed, refused",
    [(ORG, "a1", "a2"), (COL, "a2", "b1"), (GLO, "lonely", None)],
)
def test_create_needs_a_create_rule_reaching_the_organization(api, world, scope, allowed, refused):
    headers = api.user("creator", world["a1"], rules=[("user", scope, C)])
    api.app.post_json("/api/user", new_user(world[allowed]), headers=headers, status=201)
    if refused:
        body = new_user(world[refused], username="other", email="other@example.org")
        response = api.app.post_json("/api/user", body, headers=headers, status=403)
        assert f"organization {world[refused]}" in response.json["msg"]


def test_create_without_any_create_rule_is_403(api, world):
    headers = api.user("viewer", world["a1"], rules=[("user", GLO, V)])
    api.app.post_json("/api/user", new_user(), headers=headers, status=403)


def test_create_in_a_missing_organization_is_400(api, root):
    response = api.app.post_json("/api/user", new_user(999), headers=root, status=400)
    assert response.json["msg"] == "Organization 999 does not exist"


def test_weak_passwords_are_refused_with_one_clear_message(api, root):
    for weak in ("Short-1", "alllower-1", "ALLUPPER-1", "NoDigits-!", "NoSpecial12"):
        response = api.app.post_json("/api/user", new_user(password=weak), headers=root, status=400)
        assert response.json["errors"]["password"] == [PASSWORD_RULES]
    assert user_count(api) == 1


@pytest.mark.parametrize("field", ["username", "email"])
def test_duplicate_username_or_email_is_400_and_writes_nothing(api, root, field):
    api.app.post_json("/api/user", new_user(), headers=root, status=201)
    other = {"username": "another", "email": "another@example.org"}
    body = new_user(**{**other, field: new_user()[field]})
    response = api.app.post_json("/api/user", body, headers=root, status=400)
    expected = {
        "username": f"username '{new_user()['username']}' is already in use",
        "email": "another user of this organization already has this email address",
    }
    assert expected[field] in response.json["msg"]
    assert user_count(api) == 2


@pytest.mark.parametrize(
    "change, field",
    [
        ({"username": None}, "username"),
        ({"username": "ab"}, "username"),
        ({"username": "1abc"}, "username"),
        ({"username": "has space"}, "username"),
        ({"email": "not-an-email"}, "email"),
        ({"password": 12345678}, "password"),
        ({"organization_id": "1"}, "organization_id"),
        ({"roles": [1, 1]}, "roles"),
        ({"roles": ["1"]}, "roles"),
        ({"rules": 5}, "rules"),
        ({"rules": [0]}, "rules"),
        ({"is_admin": True}, "body"),
    ],
)
def test_create_refuses_bad_bodies(api, root, change, field):
    body = {**new_user(), **change}
    response = api.app.post_json("/api/user", body, headers=root, status=400)
    assert field in response.json["msg"]
    assert user_count(api) == 1


def test_missing_fields_are_named(api, root):
    response = api.app.post_json("/api/user", {"username": "solo"}, headers=root, status=400)
    assert {"email", "password"} <= set(response.json["errors"])


def test_one_unknown_rule_or_role_id_is_400_naming_it_and_leaves_no_user(api, root):
    good = api.rule_id("user", ORG, V)
    response = api.app.post_json(
        "/api/user", new_user(rules=[good, 9999]), headers=root, status=400
    )
    assert "9999" in response.json["msg"] and "does not exist" in response.json["msg"]
    response = api.app.post_json("/api/user", new_user(roles=[4242]), headers=root, status=400)
    assert "4242" in response.json["msg"]
    assert user_count(api) == 1


def test_nobody_grants_a_rule_they_do_not_hold(api, world):
    headers = api.user("admin", world["a1"], rules=ADMIN_RULES)
    global_edit = api.rule_id("user", GLO, E)
    body = new_user(rules=[api.rule_id("user", ORG, V), global_edit])
    response = api.app.post_json("/api/user", body, headers=headers, status=403)
    assert response.json["msg"] == (
        "You can only grant or take away rules you hold yourself; "
        f"not {global_edit} (user edit global)"
    )
    assert user_count(api) == 6


def test_a_rule_held_at_a_wider_scope_may_be_granted_at_a_narrower_one(api, world):
    headers = api.user("admin", world["a1"], rules=ADMIN_RULES)
    body = new_user(rules=[api.rule_id("user", OWN, E), api.rule_id("user", ORG, E)])
    api.app.post_json("/api/user", body, headers=headers, status=201)


def test_roles_are_granted_only_with_every_rule_in_them(api, world):
    headers = api.user("admin", world["a1"], rules=ADMIN_RULES)
    fits = api.role("fits", world["a1"], rules=[("user", ORG, V)])
    too_much = api.role("too much", world["a1"], rules=[("user", ORG, V), ("node", ORG, C)])
    refused = api.app.post_json(
        "/api/user", new_user(roles=[too_much]), headers=headers, status=403
    )
    assert "(node create organization)" in refused.json["msg"]
    created = api.app.post_json("/api/user", new_user(roles=[fits]), headers=headers, status=201)
    assert api.app.get(created.json["roles"], headers=headers).json["data"][0]["id"] == fits


def test_roles_of_other_organizations_cannot_be_given(api, root, world):
    foreign = api.role("foreign", world["a2"])
    response = api.app.post_json(
        "/api/user", new_user(world["a1"], roles=[foreign]), headers=root, status=403
    )
    assert "belongs to another organization" in response.json["msg"]
    viewer = api.app.get("/api/role?name=Viewer", headers=root).json["data"][0]["id"]
    api.app.post_json("/api/user", new_user(world["a1"], roles=[viewer]), headers=root, status=201)


def test_patch_changes_only_what_is_sent(api, root, world):
    url = f"/api/user/{api.user_id('user-a1')}"
    api.app.patch_json(url, {"firstname": "Ann", "lastname": "Able"}, headers=root)
    patched = api.app.patch_json(url, {"lastname": "Baker"}, headers=root).json
    assert (patched["firstname"], patched["lastname"]) == ("Ann", "Baker")
    cleared = api.app.patch_json(url, {"lastname": None}, headers=root).json
    assert cleared["lastname"] is None and cleared["firstname"] == "Ann"


def test_patch_keeps_the_organization_and_the_password(api, root, world):
    url = f"/api/user/{api.user_id('user-a1')}"
    moved = api.app.patch_json(url, {"organization_id": world["a2"]}, headers=root, status=400)
    assert moved.json["msg"] == "A user's organization cannot be changed"
    api.app.patch_json(url, {"organization_id": world["a1"], "firstname": "Same"}, headers=root)
    password = api.app.patch_json(url, {"password": "Other-pass-1"}, headers=root, status=400)
    assert "/api/password/change" in password.json["msg"]
    api.login("user-a1", "Password-1")


def test_usernames_are_changed_by_their_owner_only(api, root, world):
    other = f"/api/user/{api.user_id('user-a1')}"
    response = api.app.patch_json(other, {"username": "renamed"}, headers=root, status=403)
    assert response.json["msg"] == "Only users themselves can change their username"
    api.app.patch_json("/api/user/1", {"username": "admin"}, headers=root)
    api.login("admin", "root")


def test_patch_to_an_email_taken_in_the_organization_is_400(api, root, world):
    with api.session() as session, session.begin():
        session.get(User, api.user_id("user-a2")).email = "x@a.org"
    me = api.user("colleague", world["a2"], rules=[("user", OWN, E)])
    url = f"/api/user/{api.user_id('colleague')}"
    body = {"email": "x@a.org", "current_password": "Password-1"}
    response = api.app.patch_json(url, body, headers=me, status=400)
    assert (
        "another user of this organization already has this email address" in (response.json["msg"])
    )
    assert "x@a.org" not in response.json["msg"]


@pytest.mark.parametrize(
    "rule, allowed, refused",
    [
        (("user", OWN, E), "me", "user-a1"),
        (("user", ORG, E), "user-a1", "user-a2"),
        (("user", COL, E), "user-a2", "user-b1"),
    ],
)
def test_patch_by_scope(api, world, rule, allowed, refused):
    headers = api.user("me", world["a1"], rules=[rule])
    body = {"firstname": "Changed"}
    api.app.patch_json(f"/api/user/{api.user_id(allowed)}", body, headers=headers)
    api.app.patch_json(f"/api/user/{api.user_id(refused)}", body, headers=headers, status=403)


def test_an_admin_cannot_give_itself_a_global_rule(api, world):
    rules = [*ADMIN_RULES, ("user", GLO, E)]  # even holding it, one's own rules stay put
    headers = api.user("admin", world["a1"], rules=rules)
    me = f"/api/user/{api.user_id('admin')}"
    refused = api.app.patch_json(
        me, {"rules": [api.rule_id("role", GLO, E)]}, headers=headers, status=403
    )
    assert refused.json["msg"] == "You cannot change your own roles or rules"
    other = f"/api/user/{api.user_id('user-a1')}"
    body = {"rules": [api.rule_id("user", GLO, D)]}
    response = api.app.patch_json(other, body, headers=headers, status=403)
    assert "(user delete global)" in response.json["msg"]


def test_patch_roles_and_rules_with_the_held_ones(api, world):
    headers = api.user("admin", world["a1"], rules=ADMIN_RULES)
    role_id = api.role("readers", world["a1"], rules=[("user", ORG, V)])
    url = f"/api/user/{api.user_id('user-a1')}"
    rule = api.rule_id("user", OWN, E)
    api.app.patch_json(url, {"roles": [role_id], "rules": [rule]}, headers=headers)
    permissions = api.app.get(f"{url}?include_permissions=1", headers=headers).json["permissions"]
    assert permissions["roles"] == [role_id]
    assert permissions["rules"] == sorted([rule, api.rule_id("user", ORG, V)])
    api.app.patch_json(url, {"roles": [], "rules": []}, headers=headers)
    permissions = api.app.get(f"{url}?include_permissions=1", headers=headers).json["permissions"]
    assert permissions["roles"] == [] and permissions["rules"] == []


def test_nobody_takes_away_what_they_do_not_hold(api, root, world):
    strong = api.role("strong", world["a1"], rules=[("node", GLO, D)])
    url = f"/api/user/{api.user_id('user-a1')}"
    api.app.patch_json(
        url, {"roles": [strong], "rules": [api.rule_id("task", GLO, D)]}, headers=root
    )
    headers = api.user("admin", world["a1"], rules=ADMIN_RULES)
    api.app.patch_json(url, {"roles": []}, headers=headers, status=403)
    api.app.patch_json(url, {"rules": []}, headers=headers, status=403)
    # Nor edits or deletes a user who holds more than they could grant.
    response = api.app.patch_json(url, {"firstname": "Mallory"}, headers=headers, status=403)
    assert "they hold rules that you could not grant them" in response.json["msg"]
    api.app.delete(url, headers=headers, status=403)


def test_resending_the_same_roles_is_not_a_change(api, root, world):
    """A client sending the whole form back must not trip the checks on role changes."""
    headers = api.user("self", world["a1"], roles=["Viewer"])
    me = api.user_id("self")
    viewer = api.app.get(f"/api/user/{me}?include_permissions=1", headers=headers).json
    body = {"roles": viewer["permissions"]["roles"], "firstname": "Me"}
    api.app.patch_json(f"/api/user/{me}", body, headers=headers)


@pytest.mark.parametrize(
    "body, field",
    [
        ({"firstname": 5}, "firstname"),
        ({"email": None}, "email"),
        ({"roles": "1"}, "roles"),
        ({"rules": [1, 2, 1]}, "rules"),
        ({"organization_id": None}, "organization_id"),
        ({"status": "online"}, "body"),
    ],
)
def test_patch_refuses_bad_bodies(api, root, world, body, field):
    url = f"/api/user/{api.user_id('user-a1')}"
    response = api.app.patch_json(url, body, headers=root, status=400)
    assert field in response.json["msg"]


def test_patch_gives_no_roles_of_other_organizations(api, root, world):
    foreign = api.role("foreign", world["a2"])
    url = f"/api/user/{api.user_id('user-a1')}"
    response = api.app.patch_json(url, {"roles": [foreign]}, headers=root, status=403)
    assert f"Role {foreign} belongs to another organization" in response.json["msg"]


def test_a_failing_patch_changes_nothing(api, root, world):
    url = f"/api/user/{api.user_id('user-a1')}"
    body = {"firstname": "Half", "roles": [999]}  # the name is applied first
    api.app.patch_json(url, body, headers=root, status=400)
    assert api.app.get(url, headers=root).json["firstname"] is None


def test_missing_and_malformed_ids_are_404(api, root):
    assert api.app.get("/api/user/999", headers=root, status=404).json == {
        "msg": "User '999' does not exist"
    }
    for bad in ("abc", "-1", "1.0", "99999999999999999999999"):
        api.app.get(f"/api/user/{bad}", headers=root, status=404)
        api.app.patch_json(f"/api/user/{bad}", {"firstname": "x"}, headers=root, status=404)


def add_task(api, user_id: int, organization_id: int) -> int:
    with api.session() as session, session.begin():
        task = Task(
            name="avg",
            image="average",
            collaboration_id=1,
            init_org_id=organization_id,
            init_user_id=user_id,
        )
        task.runs = [Run(organization_id=organization_id)]
        task.children = [
            Task(
                image="average",
                collaboration_id=1,
                init_org_id=organization_id,
                init_user_id=user_id,
            )
        ]
        session.add(task)
    return task.id


def test_delete_refuses_a_user_with_tasks_unless_dependents_go_too(api, root, world):
    user_id = api.user_id("user-a1")
    add_task(api, user_id, world["a1"])
    url = f"/api/user/{user_id}"
    refused = api.app.delete(url, headers=root, status=400)
    assert "still has 2 tasks" in refused.json["msg"]
    api.app.delete(f"{url}?delete_dependents=false", headers=root, status=400)  # §11: not truthy
    api.app.delete(f"{url}?delete_dependents=maybe", headers=root, status=400)
    deleted = api.app.delete(f"{url}?delete_dependents=true", headers=root)
    assert deleted.json == {"msg": f"User {user_id} was deleted"}
    api.app.get(url, headers=root, status=404)
    with api.session() as session:
        assert session.scalar(select(func.count()).select_from(Task)) == 0
        assert session.scalar(select(func.count()).select_from(Run)) == 0


@pytest.mark.parametrize(
    "rule, allowed, refused",
    [
        (("user", OWN, D), "me", "user-a1"),
        (("user", ORG, D), "user-a1", "user-a2"),
        (("user", COL, D), "user-a2", "user-b1"),
    ],
)
def test_delete_by_scope(api, world, rule, allowed, refused):
    headers = api.user("me", world["a1"], rules=[rule, ("user", GLO, V)])
    api.app.delete(f"/api/user/{api.user_id(refused)}", headers=headers, status=403)
    api.app.delete(f"/api/user/{api.user_id(allowed)}", headers=headers)


def test_a_deleted_users_token_stops_working(api, root, world):
    headers = api.user("leaving", world["a1"], rules=[("user", OWN, D)])
    api.app.delete(f"/api/user/{api.user_id('leaving')}", headers=headers)
    api.app.get("/api/user", headers=headers, status=401)
