"""``/rule``: readable by every logged-in caller, with filters."""

import pytest


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
    assert get("/api/rule?user_id=1", headers=root).json["data"] == []


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
