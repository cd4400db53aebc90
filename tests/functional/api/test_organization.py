"""``/organization``: listing by scope, create, read, patch, delete, and bad input."""

import pytest
from pyramid.httpexceptions import HTTPBadRequest
from sqlalchemy import func, select

from vantage6.server.api.endpoints import organization as organization_api
from vantage6.server.models import Collaboration, Node, Role, Run, Task, User, member
from vantage6.server.models.rule import Operation, Scope

V, E, C = Operation.VIEW, Operation.EDIT, Operation.CREATE


@pytest.fixture
def world(api):
    """Two collaborations: A = {a1, a2}, B = {b1}; a2 is also in B."""
    return api.two_collaborations()


def names(response):
    return sorted(item["name"] for item in response.json["data"])


def test_root_lists_every_organization_in_the_original_shape(api, root, world):
    response = api.app.get("/api/organization", headers=root)
    assert names(response) == ["a1", "a2", "b1", "lonely", "root"]
    first = response.json["data"][0]
    assert first["collaborations"] == f"/api/collaboration?organization_id={first['id']}"
    assert {"id", "name", "domain", "public_key", "users", "nodes"} <= set(first)
    assert response.headers["total-count"] == "5"


@pytest.mark.parametrize(
    "scope, visible",
    [
        (Scope.ORGANIZATION, ["a1"]),
        (Scope.COLLABORATION, ["a1", "a2"]),
        (Scope.GLOBAL, ["a1", "a2", "b1", "lonely", "root"]),
    ],
)
def test_list_and_get_agree_with_the_view_scope(api, world, scope, visible):
    headers = api.user("viewer", world["a1"], rules=[("organization", scope, V)])
    listed = names(api.app.get("/api/organization", headers=headers))
    assert listed == visible
    for name, organization_id in {**world, "root": 1}.items():
        status = 200 if name in visible else 403
        api.app.get(f"/api/organization/{organization_id}", headers=headers, status=status)


def test_collaboration_scope_follows_every_collaboration_of_the_caller(api, world):
    headers = api.user("bridge", world["a2"], rules=[("organization", Scope.COLLABORATION, V)])
    assert names(api.app.get("/api/organization", headers=headers)) == ["a1", "a2", "b1"]


def test_a_node_sees_the_organizations_of_its_collaboration(api, world):
    api.node(world["b1"], "B", api_key="node-b1-key")
    token = api.app.post_json("/api/token/node", {"api_key": "node-b1-key"}).json
    headers = {"Authorization": f"Bearer {token['access_token']}"}
    assert names(api.app.get("/api/organization", headers=headers)) == ["a2", "b1"]


def test_without_any_view_rule_the_list_is_forbidden(api, world):
    headers = api.user("nobody", world["a1"])
    response = api.app.get("/api/organization", headers=headers, status=403)
    assert response.json == {"msg": "You lack the permission to do that!"}


def test_anonymous_callers_get_401(api):
    response = api.app.get("/api/organization", status=401)
    assert "Authentication required" in response.json["msg"]


def test_pagination_links_and_limits(api, root, world):
    page = api.app.get("/api/organization?per_page=2&page=2&sort=name", headers=root)
    assert names(page) == ["b1", "lonely"]
    links = page.json["links"]
    assert links["previous"].endswith("page=1") and links["next"].endswith("page=3")
    assert links["last"] == "/api/organization?per_page=2&sort=name&page=3"
    assert 'rel="next"' in page.headers["Link"]
    descending = api.app.get("/api/organization?sort=-name&per_page=1", headers=root)
    assert names(descending) == ["root"]
    beyond = api.app.get("/api/organization?page=99", headers=root)
    assert beyond.json["data"] == []


@pytest.mark.parametrize("page, shown", [(1, 2), (3, 1), (99, 0)])
def test_every_page_tells_the_total_of_the_filtered_list(api, root, world, page, shown):
    """The total comes with the page's rows (a window count), or, past the last page, from a
    count of its own; either way it counts what the filter lets through, not the table."""
    query = f"per_page=2&page={page}&name=%25"  # every name but none excluded
    response = api.app.get(f"/api/organization?{query}", headers=root)
    assert len(response.json["data"]) == shown
    assert response.headers["total-count"] == "5"
    filtered = api.app.get(f"/api/organization?per_page=1&page={page}&name=a%25", headers=root)
    assert filtered.headers["total-count"] == "2"


@pytest.mark.parametrize(
    "query, message",
    [
        ("per_page=100000", "per_page may be at most 500"),
        ("per_page=0", "per_page must be a whole number of at least 1"),
        ("page=-1", "page must be a whole number"),
        ("page=99999999999999999999", "page may be at most"),
        ("sort=password", "cannot sort on 'password'"),
        ("collaboration_id=abc", "collaboration_id must be a whole number"),
        ("collaboration_id=99999999999999999999999", "collaboration_id must be a whole number"),
        ("ids=1&ids=x", "ids must be a whole number"),
    ],
)
def test_bad_query_parameters_are_400(api, root, query, message):
    response = api.app.get(f"/api/organization?{query}", headers=root, status=400)
    assert message in response.json["msg"]


def test_filters(api, root, world):
    get = api.app.get
    assert names(get("/api/organization?name=a%25", headers=root)) == ["a1", "a2"]
    assert names(get("/api/organization?collaboration_id=2", headers=root)) == ["a2", "b1"]
    ids = f"ids={world['a1']}&ids={world['b1']}"
    assert names(get(f"/api/organization?{ids}", headers=root)) == ["a1", "b1"]
    injection = get("/api/organization?name=' OR 1=1 --", headers=root)
    assert injection.json["data"] == []


def test_create_then_duplicate_is_400_and_writes_nothing(api, root):
    body = {"name": "IKNL", "country": "NL", "domain": "iknl.nl"}
    created = api.app.post_json("/api/organization", body, headers=root, status=201).json
    assert created["name"] == "IKNL" and created["country"] == "NL"
    duplicate = api.app.post_json("/api/organization", body, headers=root, status=400)
    assert "name 'IKNL' is already in use" in duplicate.json["msg"]
    total = api.app.get("/api/organization", headers=root).headers["total-count"]
    assert total == "2"


@pytest.mark.parametrize(
    "body, field",
    [
        ({}, "name"),
        ({"name": ""}, "name"),
        ({"name": 12}, "name"),
        ({"name": "x", "public_key": "not base64!"}, "public_key"),
        ({"name": "x", "owner": "me"}, "body"),
    ],
)
def test_create_refuses_bad_bodies(api, root, body, field):
    response = api.app.post_json("/api/organization", body, headers=root, status=400)
    assert field in response.json["msg"]


def test_create_needs_the_global_create_rule(api, world):
    headers = api.user("admin", world["a1"], rules=[("organization", Scope.ORGANIZATION, E)])
    api.app.post_json("/api/organization", {"name": "new"}, headers=headers, status=403)
    allowed = api.user("creator", world["a1"], rules=[("organization", Scope.GLOBAL, C)])
    api.app.post_json("/api/organization", {"name": "new"}, headers=allowed, status=201)


def test_patch_changes_only_what_is_sent(api, root, world):
    url = f"/api/organization/{world['a1']}"
    api.app.patch_json(url, {"country": "NL", "zipcode": "1234"}, headers=root)
    patched = api.app.patch_json(url, {"zipcode": "5678"}, headers=root).json
    assert (patched["country"], patched["zipcode"], patched["name"]) == ("NL", "5678", "a1")


def test_patch_by_scope(api, world):
    headers = api.user(
        "orgadmin",
        world["a1"],
        rules=[("organization", Scope.ORGANIZATION, E), ("organization", Scope.GLOBAL, V)],
    )
    api.app.patch_json(f"/api/organization/{world['a1']}", {"country": "NL"}, headers=headers)
    api.app.patch_json(
        f"/api/organization/{world['a2']}", {"country": "NL"}, headers=headers, status=403
    )


def test_public_key_round_trips_as_base64(api, root, world):
    url = "/api/organization/1"  # root's own: only its own organization's key
    patched = api.app.patch_json(url, {"public_key": "cHVibGljIGtleQ=="}, headers=root).json
    assert patched["public_key"] == "cHVibGljIGtleQ=="


def test_missing_and_malformed_ids_are_404(api, root):
    missing = api.app.get("/api/organization/999", headers=root, status=404)
    assert missing.json == {"msg": "Organization '999' does not exist"}
    for bad in ("abc", "-1", "%C2%B2", "99999999999999999999999", "1.0"):
        api.app.get(f"/api/organization/{bad}", headers=root, status=404)


def test_delete_refuses_organizations_with_users_and_deletes_empty_ones(api, root, world):
    refused = api.app.delete("/api/organization/1", headers=root, status=400)
    assert "still has 1 users" in refused.json["msg"]
    api.app.delete(f"/api/organization/{world['lonely']}", headers=root)
    api.app.get(f"/api/organization/{world['lonely']}", headers=root, status=404)


def test_parameters_come_from_the_query_string_never_from_a_form_body(api, root):
    """Found by the fuzzer: a multipart header without a boundary on a DELETE was a 500 (the
    body was parsed as a form, whose fields counted as parameters)."""
    multipart = {**root, "Content-Type": "multipart/form-data"}
    refused = api.app.delete("/api/organization/1", headers=multipart, status=400)
    assert "still has 1 users" in refused.json["msg"]
    form = {**root, "Content-Type": "application/x-www-form-urlencoded"}
    flag = b"delete_dependents=true"
    api.app.request("/api/organization/1", method="DELETE", body=flag, headers=form, status=400)


def test_a_request_failing_halfway_changes_nothing(api, root, world):
    url = "/api/organization/1"
    body = {"name": "renamed", "public_key": "not base64!"}  # name is applied first
    api.app.patch_json(url, body, headers=root, status=400)
    assert api.app.get(url, headers=root).json["name"] == "root"


def test_nul_characters_are_refused_on_every_backend(api, root):
    body = api.app.post_json("/api/organization", {"name": "a\u0000b"}, headers=root, status=400)
    assert "name" in body.json["errors"]
    query = api.app.get("/api/organization?name=a%00b", headers=root, status=400)
    assert "NUL" in query.json["msg"]


def test_a_query_string_that_is_not_utf8_is_a_400(api, root):
    response = api.app.get("/api/organization?name=%ff", headers=root, status=400)
    assert response.json == {"msg": "The query string is not valid UTF-8"}


def test_bodies_must_be_json(api, root):
    response = api.app.post("/api/organization", "name=x", headers=root, status=415)
    assert "application/json" in response.json["msg"]
    assert api.app.get("/api/organization", headers=root).headers["total-count"] == "1"


def test_null_clears_an_optional_field_and_is_refused_for_a_required_one(api, root, world):
    url = f"/api/organization/{world['a1']}"
    api.app.patch_json(url, {"country": "NL"}, headers=root)
    assert api.app.patch_json(url, {"country": None}, headers=root).json["country"] is None
    refused = api.app.patch_json(url, {"name": None}, headers=root, status=400)
    assert refused.json["errors"]["name"] == ["must not be null"]


@pytest.fixture
def dependents(api, world):
    """a1 with a user, a node, a role (also held by a user of a2), a task with runs at a1 and
    a2 and a subtask by a2; a2 with a task that has a run at a1 and was started by a1's user
    (who used to be at a2)."""
    a1, a2 = world["a1"], world["a2"]
    with api.session() as session:
        collaboration = session.scalars(select(Collaboration.id).filter_by(name="A")).one()
    mover = api.account("mover", organization_id=a1)
    api.node(a1, "A", api_key="key-a1")
    role = api.role("a1 role", a1)
    api.account("other", organization_id=a2)
    with api.session() as session, session.begin():
        other = session.get(User, api.user_id("other"))
        other.roles.append(session.get(Role, role))
    own_task = api.task(collaboration, [a1, a2], init_org=a1, init_user=mover)
    api.task(collaboration, [a2], init_org=a2, parent=own_task)
    api.task(collaboration, [a1, a2], init_org=a2, init_user=mover)
    return world


def census(api) -> dict:
    """How many rows of each kind there are."""
    models = {"users": User, "nodes": Node, "tasks": Task, "runs": Run, "roles": Role}
    with api.session() as session:
        counts = {
            name: session.scalar(select(func.count()).select_from(m)) for name, m in models.items()
        }
        counts["memberships"] = session.scalar(select(func.count()).select_from(member))
    return counts


def test_delete_dependents_removes_everything_of_the_organization(api, root, dependents):
    a1, a2 = dependents["a1"], dependents["a2"]
    response = api.app.delete(f"/api/organization/{a1}?delete_dependents=true", headers=root)
    assert response.json == {"msg": f"Organization {a1} was deleted"}
    with api.session() as session:
        assert session.scalars(select(User.username).order_by(User.username)).all() == [
            "other",
            "root",
        ]
        assert session.scalars(select(Node)).all() == []
        [kept] = session.scalars(select(Task)).all()
        assert (kept.init_org_id, kept.init_user_id) == (a2, None)
        assert [run.organization_id for run in kept.runs] == [a2]
        assert session.scalars(select(Role).filter_by(organization_id=a1)).all() == []
        assert session.get(User, api.user_id("other")).roles == []
        memberships = session.execute(select(member.c.organization_id)).scalars().all()
        assert a1 not in memberships and a2 in memberships


@pytest.mark.parametrize("flag", ["", "?delete_dependents=false", "?delete_dependents=False"])
def test_without_the_flag_dependents_keep_the_organization(api, root, dependents, flag):
    before = census(api)
    refused = api.app.delete(
        f"/api/organization/{dependents['a1']}{flag}", headers=root, status=400
    )
    assert "1 nodes" in refused.json["msg"] and "delete_dependents=true" in refused.json["msg"]
    assert census(api) == before


def test_a_bad_flag_value_is_400(api, root, world):
    url = f"/api/organization/{world['lonely']}?delete_dependents=yes please"
    response = api.app.delete(url, headers=root, status=400)
    assert response.json == {"msg": "delete_dependents must be true or false, not 'yes please'"}


def test_a_delete_with_dependents_failing_at_the_end_deletes_nothing(
    api, root, dependents, monkeypatch
):
    def fail(request, row):
        raise HTTPBadRequest("simulated failure after the dependents were deleted")

    monkeypatch.setattr(organization_api, "flush_or_400", fail)
    before = census(api)
    url = f"/api/organization/{dependents['a1']}?delete_dependents=true"
    api.app.delete(url, headers=root, status=400)
    assert census(api) == before
