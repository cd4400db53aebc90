"""Every sub-client method for users, organizations, roles, rules, collaborations, nodes and
the utilities, against a real server; ``fields=``/``field=`` and pages."""

from __future__ import annotations

import pytest

from tests.functional.client.conftest import PASSWORD, client_for, login, unique
from vantage6.client import Client, ServerError, UserClient
from vantage6.client.errors import AuthenticationError


def test_user_client_is_the_client_and_help_shows_the_numpy_docstrings():
    assert UserClient is Client
    doc = Client("http://localhost", 7601).task.create.__doc__
    for parameter in ("collaboration : int", "organizations : list", "input : dict"):
        assert parameter in doc
    assert "data_format : str, optional" in doc and "database : str, optional" in doc
    listing = Client("http://localhost", 7601).node.list.__doc__
    assert "per_page : int, optional" in listing and "fields : list of str" in listing
    assert "{" + "paging}" not in listing


def test_the_api_address_is_built_from_url_port_and_path():
    assert Client("http://h/", 7601, "/api/").base_path == "http://h:7601/api"
    assert Client("https://h", 443, "").base_path == "https://h:443"
    assert Client("https://h/v6", None, "api").base_path == "https://h/v6/api"
    with pytest.raises(ValueError, match="http:// or https://"):
        Client("localhost", 7601)


def test_login_sets_whoami(root):
    assert root.whoami.name == "root"
    assert root.whoami.type_ == "user"
    assert root.organization.get()["name"] == root.whoami.organization_name
    assert root.user.get()["username"] == "root"
    assert "root@" in repr(root)


def test_organization_methods(root):
    name = unique("org")
    created = root.organization.create(
        name=name, address1="1 Road", address2="Town", zipcode="1234", country="NL",
        domain="example.org",
    )  # fmt: skip
    assert created["country"] == "NL" and not created["public_key"]
    id_ = created["id"]
    assert root.organization.get(id_)["name"] == name
    assert root.organization.get(id_, fields=["id", "name"]) == {"id": id_, "name": name}
    assert root.organization.list(name=name, field="id") == [id_]
    assert root.organization.list(country="NL", fields=["name"]) >= [{"name": name}]
    changed = root.organization.update(id_, zipcode="9999")
    assert (changed["zipcode"], changed["address1"]) == ("9999", "1 Road")
    assert "deleted" in root.organization.delete(id_)["msg"]
    with pytest.raises(ServerError) as info:
        root.organization.get(id_)
    assert info.value.status == 404


def test_pages_and_fields(root):
    for _ in range(3):
        root.organization.create(name=unique("paged"))
    first = root.organization.list(name="paged-%", per_page=2)
    assert len(first["data"]) == 2 and "next" in first["links"]
    second = root.organization.list(name="paged-%", per_page=2, page=2)
    assert {o["id"] for o in first["data"]}.isdisjoint(o["id"] for o in second["data"])
    names = root.organization.list(name="paged-%", per_page=2, fields=["id", "name"])
    assert all(set(item) == {"id", "name"} for item in names) and len(names) == 2
    with pytest.raises(TypeError, match="not both"):
        root.organization.list(fields=["id"], field="id")
    with pytest.raises(TypeError, match="list of keys"):
        root.organization.list(fields="id")


def test_collaboration_methods(root):
    a = root.organization.create(name=unique("a"))["id"]
    b = root.organization.create(name=unique("b"))["id"]
    c = root.organization.create(name=unique("c"))["id"]
    name = unique("collab")
    created = root.collaboration.create(name=name, organizations=[a, b], encrypted=True)
    id_ = created["id"]
    assert created["encrypted"] is True
    seen = root.collaboration.list(organization=a, fields=["id", "name", "organizations"])
    assert [(s["id"], s["name"]) for s in seen] == [(id_, name)]
    assert [o["id"] for o in seen[0]["organizations"]] == [a, b]
    assert root.collaboration.list(scope="global", name=name, field="id") == [id_]
    assert root.collaboration.list(scope="global", encrypted=False, name=name, field="id") == []
    assert root.collaboration.list(name=name)["data"] == []  # root's organization is no member
    with pytest.raises(ValueError, match="scope"):
        root.collaboration.list(scope="everything")
    assert root.collaboration.get(id_, field="encrypted") is True
    assert root.collaboration.update(id_, encrypted=False)["encrypted"] is False
    assert root.collaboration.update(id_, organizations=[a])["id"] == id_
    assert [o["id"] for o in root.collaboration.add_organization(b, id_)] == [a, b]
    root.setup_collaboration(id_)
    assert root.collaboration_id == id_
    assert [o["id"] for o in root.collaboration.add_organization(c)] == [a, b, c]
    assert [o["id"] for o in root.collaboration.remove_organization(c)] == [a, b]

    key = root.node.create(organization=a)  # the collaboration of setup_collaboration
    with pytest.raises(ServerError, match="still has 1 nodes"):
        root.collaboration.remove_organization(a, id_)
    assert [o["id"] for o in root.collaboration.remove_organization(a, id_, True)] == [b]
    assert root.node.list(name=key.node["name"])["data"] == []

    other = root.collaboration.create(unique("other"), [a, b])["id"]
    moved = root.node.create(other, b)
    assert [n["id"] for n in root.collaboration.add_node(moved.node["id"], id_)] == [
        moved.node["id"]
    ]
    assert "removed" in root.collaboration.remove_node(moved.node["id"], id_)["msg"]
    root.node.create(id_, b)
    with pytest.raises(ServerError, match="delete_dependents"):
        root.collaboration.delete(id_)
    assert "deleted" in root.collaboration.delete(id_, delete_dependents=True)["msg"]


def test_setup_collaboration_checks_it_exists(root):
    with pytest.raises(ServerError) as info:
        root.setup_collaboration(10**9)
    assert info.value.status == 404 and root.collaboration_id is None
    with pytest.raises(TypeError, match="setup_collaboration"):
        root.node.create(organization=1)


def test_node_methods(server, root):
    org = root.organization.create(name=unique("n"))["id"]
    collaboration = root.collaboration.create(unique("nc"), [org])["id"]
    api_key = root.node.create(collaboration=collaboration, organization=org, name=unique("nd"))
    print(f"The API key that was generated for this node was {api_key}")
    node = api_key.node
    assert isinstance(api_key, str) and len(api_key) == 36 and "api_key" not in node
    assert server.node_token(api_key)
    assert root.node.get(node["id"])["name"] == node["name"]
    assert root.node.list(organization=org, field="id") == [node["id"]]
    assert root.node.list(collaboration=collaboration, is_online=False, field="id") == [node["id"]]
    assert root.node.list(collaboration=collaboration, is_online=True)["data"] == []
    assert root.node.list(last_seen_till="1999-12-31")["data"] == []  # seen (online) since
    with pytest.raises(ServerError, match="last_seen_from must be a date"):
        root.node.list(last_seen_from="yesterday")
    assert root.node.update(node["id"], ip="10.0.0.5")["ip"] == "10.0.0.5"
    assert root.node.list(ip="10.0.0.5", field="id") == [node["id"]]
    assert root.node.update(node["id"], name="renamed", clear_ip=True)["ip"] is None
    new_key = root.node.reset_api_key(node["id"])
    assert new_key != api_key and server.node_token(new_key)
    assert root.node.kill_tasks(node["id"])["killed"] == []
    assert "deleted" in root.node.delete(node["id"])["msg"]


def test_user_methods(server, root):
    org = root.organization.create(name=unique("u"))["id"]
    viewer = root.role.list(name="Viewer", field="id")[0]
    rule = root.rule.list(name="task", operation="view", scope="organization", field="id")[0]
    username = unique("ann")
    created = root.user.create(
        username, "Ann", "Smith", PASSWORD, f"{username}@example.org", org, [viewer], [rule]
    )
    id_ = created["id"]
    assert root.user.get(id_, fields=["username", "firstname"]) == {
        "username": username, "firstname": "Ann",
    }  # fmt: skip
    permissions = root.user.get(id_, include_permissions=True)["permissions"]
    assert permissions["roles"] == [viewer] and rule in permissions["rules"]
    assert root.user.list(organization=org, field="id") == [id_]
    assert root.user.list(username=username, role=viewer, rule=rule, field="id") == [id_]
    assert root.user.list(firstname="Ann", lastname="Smith", email=f"{username}%", field="id")
    assert root.user.list(last_seen_from="2999-01-01")["data"] == []
    changed = root.user.update(id_, lastname="Jones", rules=[])
    assert changed["lastname"] == "Jones"
    assert rule not in root.user.get(id_, include_permissions=True)["permissions"]["rules"]

    ann = login(server, username, PASSWORD)
    assert ann.user.get()["id"] == id_
    assert ann.user.update(firstname="Annie")["firstname"] == "Annie"
    assert "deleted" in root.user.delete(id_)["msg"]
    with pytest.raises(AuthenticationError, match="ended"):
        ann.connection._refresh_at = 0  # the next request refreshes, which a deleted user can't
        ann.user.get()


def test_role_and_rule_methods(root):
    org = root.organization.create(name=unique("r"))["id"]
    rules = root.rule.list(name="task", per_page=100)["data"]
    view, create = (
        next(r["id"] for r in rules if r["operation"] == op and r["scope"] == "COLLABORATION")
        for op in ("VIEW", "CREATE")
    )
    assert root.rule.get(view, field="name") == "task"
    assert root.rule.list(name="task", operation="view", scope="collaboration", field="id") == [
        view
    ]
    name = unique("role")
    role = root.role.create(name, "can view tasks", [view], organization=org)
    assert root.role.get(role["id"], field="description") == "can view tasks"
    assert root.role.list(organization=org, field="id") == [role["id"]]
    assert root.role.list(name=name, rule=view, field="id") == [role["id"]]
    with_defaults = root.role.list(organization=org, include_root=True, per_page=50, field="name")
    assert name in with_defaults and "Researcher" in with_defaults
    assert root.role.update(role["id"], description="more")["description"] == "more"
    assert [r["id"] for r in root.role.add_rule(role["id"], create)] == sorted([view, create])
    assert [r["id"] for r in root.role.remove_rule(role["id"], view)] == [create]
    assert root.rule.list(role=role["id"], field="id") == [create]
    username = unique("holder")
    holder = root.user.create(
        username, None, None, PASSWORD, f"{username}@x.org", org, [role["id"]]
    )
    assert root.role.list(user=holder["id"], field="id") == [role["id"]]
    assert create in root.rule.list(user=holder["id"], field="id")
    assert root.role.update(role["id"], rules=[view])["id"] == role["id"]
    with pytest.raises(ServerError, match="delete_dependents"):
        root.role.delete(role["id"])
    assert "deleted" in root.role.delete(role["id"], delete_dependents=True)["msg"]


def test_util_methods(server, root):
    assert "version" in root.util.get_server_version()
    assert client_for(server).util.get_server_health() == {"status": "ok", "database": True}
    org = root.organization.create(name=unique("p"))["id"]
    username = unique("pw")
    root.user.create(username, None, None, PASSWORD, f"{username}@x.org", org)
    user = login(server, username, PASSWORD)
    assert "changed" in user.util.change_my_password(PASSWORD, "Other-pass-2")["msg"]
    assert login(server, username, "Other-pass-2").whoami.name == username
    # Without an SMTP server, the answer is the same as with one (emails: test_two_factor.py).
    assert "reset token" in user.util.reset_my_password(username=username)["msg"]
    with pytest.raises(TypeError, match="email or your username"):
        user.util.reset_my_password()
    with pytest.raises(ServerError, match="reset token is not valid") as info:
        user.util.set_my_password("not-a-token", "Third-pass-3")
    assert info.value.status == 400
