"""The node pages in Chromium: root registers a node (its API key shown once, its downloaded
configuration loaded by the node's own reader, the key logging in as that node), renames it,
resets its key and deletes it (all checked through the API); the list shows who is online and
filters; a registration the server refuses shows its message; and a user who may only view
nodes is offered none of this, while the API refuses what they forge."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import expect

from tests.browser.ui import (
    PASSWORD,
    PHONE,
    SCREENSHOTS,
    actions_settled,
    delete_on_page,
    login,
    sign_in,
    signed_in_at,
    viewer,
)
from vantage6.node.config import API_KEY_ENV, load_config

pytestmark = pytest.mark.browser

API_KEY = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$")
NODE_VIEW = ("node", "organization", "view")


def federation(server, members: int = 2, joined=()) -> dict:
    """A new collaboration of ``members`` new organizations and the organizations of ids
    ``joined`` (no nodes yet)."""
    suffix = uuid.uuid4().hex[:6]
    organizations = []
    for number in range(members):
        name = f"Clinic {number} {suffix}"
        organizations.append({"id": server.ok("POST", "/organization", {"name": name})["id"]})
        organizations[-1]["name"] = name
    body = {
        "name": f"Study {suffix}",
        "organization_ids": [organization["id"] for organization in organizations] + [*joined],
        "encrypted": False,
    }
    collaboration = {"id": server.ok("POST", "/collaboration", body)["id"], "name": body["name"]}
    return {"suffix": suffix, "collaboration": collaboration, "organizations": organizations}


def register(server, ids: dict, organization: dict, name: str | None = None) -> dict:
    """A node registered through the API: the answer, with its api_key."""
    body = {"collaboration_id": ids["collaboration"]["id"], "organization_id": organization["id"]}
    if name:
        body["name"] = name
    return server.ok("POST", "/node", body)


def node_login(server, api_key: str):
    """(status, answer) of logging in with a node's API key."""
    return server.call("POST", "/token/node", {"api_key": api_key})


def rows(page):
    return page.locator("table.nodes tbody tr")


def choose_organization(page, ids: dict, organization: dict) -> None:
    page.get_by_label("Collaboration").select_option(label=ids["collaboration"]["name"])
    page.get_by_label("Organization").select_option(label=organization["name"])


def test_root_registers_a_node_whose_key_is_shown_once_with_a_working_configuration(
    page, server, tmp_path, monkeypatch
):
    monkeypatch.delenv(API_KEY_ENV, raising=False)  # it would win over the file's key
    ids = federation(server, members=3)
    first, second, third = ids["organizations"]
    register(server, ids, first)
    signed_in_at(page, "#/nodes")
    actions_settled(page).get_by_role("link", name="Register a node").click()
    expect(page.get_by_role("heading", name="Register a node")).to_be_visible()

    page.get_by_label("Collaboration").select_option(label=ids["collaboration"]["name"])
    # The organization that has a node there already is not offered.
    expect(page.get_by_label("Organization").locator("option")).to_have_text(
        [second["name"], third["name"]]
    )
    page.get_by_label("Organization").select_option(label=third["name"])

    held = []  # the registration, held until the page has shown that it is on its way
    page.route("**/api/node", lambda route: held.append(route))
    page.get_by_role("button", name="Register node").click()
    expect(page.get_by_role("button", name="Registering…")).to_be_disabled()
    held[0].continue_()
    page.unroute("**/api/node")

    key_field = page.get_by_label("API key", exact=True)
    expect(key_field).to_have_value(API_KEY)
    api_key = key_field.input_value()
    expect(page.get_by_text("it is shown only this once")).to_be_visible()
    default_name = f"{third['name']} - {ids['collaboration']['name']} Node"
    expect(page.locator(".notice")).to_contain_text(f"Node “{default_name}” was registered.")
    page.screenshot(path=SCREENSHOTS / "node-registered.png")

    (node,) = server.ok("GET", f"/node?organization_id={third['id']}")["data"]
    assert (node["name"], node["collaboration"]["id"]) == (default_name, ids["collaboration"]["id"])
    status, tokens = node_login(server, api_key)
    assert status == 200 and tokens["node_url"] == f"/api/node/{node['id']}", (status, tokens)

    with page.expect_download() as downloading:
        page.get_by_role("button", name="Download node configuration").click()
    download = downloading.value
    assert download.suggested_filename == f"clinic-2-{ids['suffix']}-study-{ids['suffix']}-node.ini"
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    config = load_config(saved)  # raises ConfigError listing every problem
    assert config.api_key == api_key
    assert config.api_url == server.api
    assert (config.name, config.encryption_enabled, config.databases) == (saved.stem, False, ())

    # Coming back, or loading the page anew, shows the form and never the key again.
    page.get_by_role("link", name="Go to the node").click()
    expect(page.get_by_role("heading", name=default_name)).to_be_visible()
    page.go_back()
    expect(page.get_by_label("Collaboration")).to_have_value("")
    assert api_key not in page.content()
    page.reload()
    sign_in(page, "root", "root")
    expect(page.get_by_label("Collaboration")).to_be_visible()
    assert api_key not in page.content()


def test_a_registration_the_server_refuses_shows_its_message(page, server, browser_problems):
    browser_problems.allow("status of 400")  # Chromium logs the refused registration
    ids = federation(server, members=1)
    (organization,) = ids["organizations"]
    signed_in_at(page, "#/nodes/new")
    choose_organization(page, ids, organization)
    existing = register(server, ids, organization)  # meanwhile, someone else registers one

    page.get_by_role("button", name="Register node").click()
    expect(page.locator(".node-form").get_by_role("alert")).to_have_text(
        f"Organization {organization['id']} already has node {existing['id']} in collaboration "
        f"{ids['collaboration']['id']}"
    )
    expect(page.get_by_label("API key", exact=True)).to_have_count(0)
    assert len(server.ok("GET", f"/node?organization_id={organization['id']}")["data"]) == 1


def test_root_renames_resets_the_key_of_and_deletes_a_node(page, server, tmp_path):
    ids = federation(server, members=1)
    (organization,) = ids["organizations"]
    node = register(server, ids, organization, name=f"Node {ids['suffix']}")
    node_id, old_key = node["id"], node["api_key"]
    signed_in_at(page, f"#/nodes/{node_id}")
    expect(page.get_by_role("heading", name=node["name"])).to_be_visible()
    about = page.locator(".about")
    expect(about).to_contain_text("offline")
    expect(about).to_contain_text(organization["name"])
    expect(about).to_contain_text(ids["collaboration"]["name"])

    actions_settled(page).get_by_role("button", name="Rename").click()
    new_name = page.get_by_label("New name")
    expect(new_name).to_have_value(node["name"])
    new_name.fill(f"Renamed {ids['suffix']}")
    page.get_by_role("button", name="Save name").click()
    expect(page.get_by_role("heading", name=f"Renamed {ids['suffix']}")).to_be_visible()
    expect(page.locator("main .message")).to_have_text(
        f"The node was renamed to “Renamed {ids['suffix']}”."
    )
    assert server.ok("GET", f"/node/{node_id}")["name"] == f"Renamed {ids['suffix']}"

    page.get_by_role("button", name="Reset API key").click()
    confirm = page.get_by_role("group", name="Confirm key reset")
    confirm.get_by_role("button", name="Cancel").click()
    expect(confirm).to_have_count(0)
    assert node_login(server, old_key)[0] == 200
    page.get_by_role("button", name="Reset API key").click()
    confirm.get_by_role("button", name="Yes, reset the API key").click()
    key_field = page.get_by_label("API key", exact=True)
    expect(key_field).to_have_value(API_KEY)
    new_key = key_field.input_value()
    assert new_key != old_key
    assert node_login(server, new_key)[0] == 200
    assert node_login(server, old_key)[0] == 401
    with page.expect_download() as downloading:
        page.get_by_role("button", name="Download node configuration").click()
    saved = tmp_path / downloading.value.suggested_filename
    downloading.value.save_as(saved)
    assert saved.name == f"renamed-{ids['suffix']}.ini"
    assert load_config(saved).api_key == new_key

    page.get_by_role("link", name="All nodes").click()
    page.go_back()
    expect(page.get_by_role("heading", name=f"Renamed {ids['suffix']}")).to_be_visible()
    expect(page.get_by_label("API key", exact=True)).to_have_count(0)
    assert new_key not in page.content()

    delete_on_page(page, server, "node", node_id, f"Renamed {ids['suffix']}")
    assert node_login(server, new_key)[0] == 401


def test_the_list_shows_who_is_online_and_filters(page, server):
    ids = federation(server, members=3)
    nodes = [register(server, ids, organization) for organization in ids["organizations"]]
    online = server.socket(server.node_token(nodes[1]["api_key"]))
    try:
        assert online.event()["event"] == "sync"
        signed_in_at(page, "#/nodes")
        expect(page.locator(".results")).not_to_have_attribute("aria-busy", "true")
        held = []  # the search's request, held until the page has shown that it is loading
        page.route("**/api/node?*", lambda route: held.append(route))
        page.get_by_label("Name contains").fill(ids["suffix"])
        page.get_by_role("button", name="Search").click()
        expect(page.locator(".results").get_by_role("status")).to_have_text("Loading nodes…")
        expect(page.locator(".results")).to_have_attribute("aria-busy", "true")
        held[0].continue_()
        page.unroute("**/api/node?*")

        expect(rows(page)).to_have_count(3)
        expect(rows(page).nth(1)).to_contain_text("online")
        expect(rows(page).nth(1)).to_contain_text(ids["organizations"][1]["name"])
        expect(rows(page).nth(1)).to_contain_text(ids["collaboration"]["name"])
        expect(rows(page).nth(0)).to_contain_text("offline")
        expect(rows(page).nth(0)).to_contain_text("never")
        page.screenshot(path=SCREENSHOTS / "nodes.png")

        page.get_by_label("Status").select_option(label="Online")
        expect(page).to_have_url(re.compile("status=online"))
        expect(rows(page)).to_have_count(1)
        expect(rows(page)).to_contain_text(nodes[1]["name"])
        page.get_by_label("Status").select_option(label="Any")
        expect(page).not_to_have_url(re.compile("status="))
        page.get_by_label("Organization").select_option(label=ids["organizations"][2]["name"])
        expect(page).to_have_url(re.compile(f"organization={ids['organizations'][2]['id']}"))
        expect(rows(page)).to_have_count(1)
        expect(rows(page)).to_contain_text(nodes[2]["name"])
        expect(page.get_by_label("Name contains")).to_have_value(ids["suffix"])
        page.get_by_label("Organization").select_option(label="Any")
        expect(page).not_to_have_url(re.compile("organization="))
        page.get_by_label("Collaboration").select_option(label=ids["collaboration"]["name"])
        page.get_by_label("Name contains").fill("")
        page.get_by_role("button", name="Search").click()
        expect(rows(page)).to_have_count(3)

        page.get_by_label("Name contains").fill(f"nothing-{ids['suffix']}")
        page.get_by_role("button", name="Search").click()
        expect(page.locator(".results")).to_have_text("No node matches these filters.")
    finally:
        online.close()

    page.set_viewport_size(PHONE)
    page.goto(f"/#/nodes?name={ids['suffix']}")
    expect(rows(page)).to_have_count(3)
    expect(page.get_by_role("link", name=nodes[0]["name"])).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    # Each node is a block of lines, not a row of columns too narrow to read.
    name, status = (rows(page).first.locator("td").nth(i).bounding_box() for i in (0, 1))
    assert status["y"] >= name["y"] + name["height"], (name, status)


def test_a_user_who_may_only_view_nodes_is_offered_no_changes(page, server):
    user = viewer(server, roles=(), rules=[NODE_VIEW])
    ids = federation(server, members=1, joined=[user["organization_id"]])
    node = register(server, ids, {"id": user["organization_id"]})
    signed_in_at(page, "#/nodes", user["username"], PASSWORD)

    expect(rows(page)).to_have_count(1)
    expect(rows(page)).to_contain_text(node["name"])
    expect(actions_settled(page).get_by_role("link")).to_have_count(0)
    rows(page).get_by_role("link", name=node["name"]).click()
    expect(page.get_by_role("heading", name=node["name"])).to_be_visible()
    expect(actions_settled(page).get_by_role("button")).to_have_count(0)

    page.goto("/#/nodes/new")
    expect(page.get_by_text("Your rules do not allow registering nodes.")).to_be_visible()
    expect(page.get_by_role("button", name="Register node")).to_have_count(0)

    # What the pages do not offer, forged with the same user's token, the API refuses.
    token = login(server, user["username"], PASSWORD)
    path = f"/node/{node['id']}"
    assert server.call("PATCH", path, {"name": "Renamed"}, token=token)[0] == 403
    assert server.call("POST", "/recover/node", {"id": node["id"]}, token=token)[0] == 403
    assert server.call("DELETE", path, token=token)[0] == 403
    body = {"collaboration_id": ids["collaboration"]["id"]}
    assert server.call("POST", "/node", body, token=token)[0] == 403
    assert server.ok("GET", path)["name"] == node["name"]
    assert node_login(server, node["api_key"])[0] == 200


def test_a_user_who_may_register_nodes_in_their_collaborations_is_offered_their_own(page, server):
    rules = [
        NODE_VIEW,
        ("node", "collaboration", "create"),
        ("collaboration", "organization", "view"),
        ("organization", "global", "view"),
    ]
    user = viewer(server, roles=(), rules=rules)
    ids = federation(server, members=1, joined=[user["organization_id"]])
    (other,) = ids["organizations"]
    signed_in_at(page, "#/nodes", user["username"], PASSWORD)
    actions_settled(page).get_by_role("link", name="Register a node").click()

    page.get_by_label("Collaboration").select_option(label=ids["collaboration"]["name"])
    # The other organization's node would speak for it: that takes the global rule.
    expect(page.get_by_label("Organization").locator("option")).to_have_text([user["organization"]])
    page.get_by_role("button", name="Register node").click()
    expect(page.get_by_label("API key", exact=True)).to_have_value(API_KEY)
    (node,) = server.ok("GET", f"/node?organization_id={user['organization_id']}")["data"]
    assert node["collaboration"]["id"] == ids["collaboration"]["id"]

    token = login(server, user["username"], PASSWORD)
    body = {"collaboration_id": ids["collaboration"]["id"], "organization_id": other["id"]}
    assert server.call("POST", "/node", body, token=token)[0] == 403
