"""``/rule``: readable by every logged-in caller, with filters."""

import pytest

from vantage6.server.models import Role, User
from vantage6.server.models.rule import Operation, Scope

V = Operation.VIEW


def test_anonymous_callers_cannot_read_rules(api):
    api.app.get("/api/rule", status=401)


def test_a_user_without_any_rule_reads_all_86(api):
    organization = api.organization("hospital")
    headers = api.user("plain", organization)
    page = api.app.get("/api/rule?per_page=100", headers=headers)
    assert page.headers["total-count"] == "86"
    first = page.json["data"][0]
    assert set(first) == {"id", "name", "operation", "scope", "description", "roles", "users"}
    single = api.app.get(f"/api/rule/{first['id']}", headers=headers).json
    assert single == first


def test_filters_by_name_operation_scope_and_role(api, root):
    get = api.app.get
    task_rules = get("/api/rule?name=task&per_page=100", headers=root).json["data"]
    assert len(task_rules) == 10 and {r["name"] for r in task_rules} == {"task"}
    creates = get("/api/rule?name=task&operation=create&scope=COL", headers=root).json["data"]
    assert [(r["operation"], r["scope"]) for r in creates] == [("CREATE", "COLLABORATION")]
    root_role_rules = get("/api/rule?role_id=1&per_page=100", headers=root)
    assert root_role_rules.headers["total-count"] == "86"


def test_a_users_rules_are_those_of_their_roles_and_their_own(api, root):
    """As the original: ``user_id`` (or ``current_user=1``) gives every rule the user holds."""
    organization = api.organization("hospital")
    role_id = api.role("readers", organization, rules=[("task", Scope.COLLABORATION, V)])
    with api.session() as session, session.begin():
        reader = User(username="reader", password="Password-1", organization_id=organization)
        reader.roles = [session.get(Role, role_id)]
        session.add(reader)
    extra = ("run", Scope.ORGANIZATION, V)
    api.app.patch_json(
        f"/api/user/{api.user_id('reader')}", {"rules": [api.rule_id(*extra)]}, headers=root
    )
    expected = sorted([api.rule_id("task", Scope.COLLABORATION, V), api.rule_id(*extra)])
    listed = api.app.get(f"/api/rule?user_id={api.user_id('reader')}", headers=root).json
    assert sorted(rule["id"] for rule in listed["data"]) == expected
    mine = api.app.get("/api/rule?current_user=1", headers=api.login("reader", "Password-1"))
    assert sorted(rule["id"] for rule in mine.json["data"]) == expected
    assert api.app.get("/api/rule?current_user=1", headers=root).headers["total-count"] == "86"


def test_no_pagination_gives_every_rule_on_one_page(api, root):
    """The original answers ``no_pagination=1`` with its usual envelope, all on page 1."""
    response = api.app.get("/api/rule?no_pagination=1&sort=-id", headers=root)
    assert len(response.json["data"]) == 86 and response.headers["total-count"] == "86"
    assert response.json["data"][0]["id"] == 86
    only_page = "/api/rule?no_pagination=1&sort=-id&page=1"
    assert response.json["links"] == {"first": only_page, "self": only_page, "last": only_page}
    paged = api.app.get("/api/rule?no_pagination=0", headers=root)
    assert len(paged.json["data"]) == 10
    bad = api.app.get("/api/rule?no_pagination=all", headers=root, status=400)
    assert "no_pagination must be true or false" in bad.json["msg"]


@pytest.mark.parametrize(
    "query, message",
    [("operation=fly", "operation must be one of"), ("scope=world", "scope must be one of")],
)
def test_unknown_operation_or_scope_is_400(api, root, query, message):
    response = api.app.get(f"/api/rule?{query}", headers=root, status=400)
    assert message in response.json["msg"]


def test_missing_rule_is_404(api, root):
    assert api.app.get("/api/rule/1000", headers=root, status=404).json == {
        "msg": "Rule '1000' does not exist"
    }
