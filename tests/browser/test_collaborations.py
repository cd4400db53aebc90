"""The collaboration pages in Chromium: root creates, edits and deletes a collaboration, adds
and removes organizations (checked through the API), sees which nodes are online, and gets
the server's message when a deletion or a removal would strand nodes; the list searches,
sorts and pages, also at phone width; a viewer is offered no changes and the API refuses
what they forge; a collaboration-scope editor may rename but not change the members or the
encryption."""

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
    ask_deletion,
    delete_on_page,
    expect_deleted,
    expect_forms_refused,
    expect_no_changes_offered,
    loading_shown,
    login,
    search,
    signed_in_at,
    viewer,
)
from tests.functional.node.daemons import eventually

pytestmark = pytest.mark.browser


def members_settled(page):
    """The Organizations panel, once the user's permissions are known."""
    members = page.get_by_role("region", name="Organizations")
    expect(members).not_to_have_attribute("aria-busy", "true")
    return members


def rows(page):
    return page.locator("table.collaborations tbody tr")


def organizations(server, *names: str) -> list[int]:
    return [server.ok("POST", "/organization", {"name": name})["id"] for name in names]


def collaboration(server, name: str, members: list[int], encrypted: bool = False) -> int:
    body = {"name": name, "organization_ids": members, "encrypted": encrypted}
    return server.ok("POST", "/collaboration", body)["id"]


def node(server, collaboration_id: int, organization_id: int) -> dict:
    body = {"collaboration_id": collaboration_id, "organization_id": organization_id}
    return server.ok("POST", "/node", body)


def member_ids(server, collaboration_id: int) -> set[int]:
    query = f"/organization?collaboration_id={collaboration_id}"
    return {organization["id"] for organization in server.ok("GET", query)["data"]}


def test_root_creates_edits_and_deletes_a_collaboration(page, server):
    suffix = uuid.uuid4().hex[:6]
    leiden, oslo, _ = organizations(
        server, f"Leiden {suffix}", f"Oslo {suffix}", f"Bystander {suffix}"
    )
    signed_in_at(page, "#/collaborations")
    expect(page.get_by_role("link", name="Collaborations", exact=True)).to_have_attribute(
        "aria-current", "page"
    )

    actions_settled(page).get_by_role("link", name="New collaboration").click()
    expect(page.get_by_role("heading", name="New collaboration")).to_be_visible()
    page.get_by_label("Name", exact=True).fill(f"Study {suffix}")
    encrypted = page.get_by_label("Encrypted", exact=True)
    expect(encrypted).to_be_checked()  # as the server's default
    encrypted.uncheck()
    chosen = page.get_by_role("group", name="Organizations")
    chosen.get_by_label(f"Leiden {suffix}").check()
    chosen.get_by_label(f"Oslo {suffix}").check()
    page.get_by_role("button", name="Create collaboration").click()

    expect(page.get_by_role("heading", name=f"Study {suffix}")).to_be_visible()
    expect(page.locator(".notice")).to_have_text(f"Collaboration “Study {suffix}” was saved.")
    collaboration_id = int(re.search(r"#/collaborations/(\d+)$", page.url)[1])
    created = server.ok("GET", f"/collaboration/{collaboration_id}")
    assert (created["name"], created["encrypted"]) == (f"Study {suffix}", False)
    assert member_ids(server, collaboration_id) == {leiden, oslo}
    about = page.locator(".about")
    expect(about.locator('dt:text-is("Encrypted") + dd')).to_have_text("No")
    members = members_settled(page)
    expect(members.locator("li")).to_have_count(2)
    expect(members).to_contain_text(f"Leiden {suffix}")
    expect(page.get_by_role("region", name="Nodes")).to_contain_text("No nodes yet.")

    actions_settled(page).get_by_role("link", name="Edit").click()
    name = page.get_by_label("Name", exact=True)
    expect(name).to_have_value(f"Study {suffix}")
    expect(page.get_by_role("group", name="Organizations")).to_have_count(0)
    name.fill(f"Renamed study {suffix}")
    page.get_by_label("Encrypted", exact=True).check()
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_role("heading", name=f"Renamed study {suffix}")).to_be_visible()
    edited = server.ok("GET", f"/collaboration/{collaboration_id}")
    assert (edited["name"], edited["encrypted"]) == (f"Renamed study {suffix}", True)
    assert member_ids(server, collaboration_id) == {leiden, oslo}
    expect(about.locator('dt:text-is("Encrypted") + dd')).to_have_text("Yes")

    delete_on_page(page, server, "collaboration", collaboration_id, f"Renamed study {suffix}")


def test_root_adds_and_removes_organizations_and_sees_which_nodes_are_online(
    page, server, browser_problems
):
    browser_problems.allow("status of 400")  # Chromium logs the refused removal
    suffix = uuid.uuid4().hex[:6]
    online_org, offline_org, newcomer = organizations(
        server, f"Amsterdam {suffix}", f"Bergen {suffix}", f"Cork {suffix}"
    )
    collaboration_id = collaboration(server, f"Trial {suffix}", [online_org, offline_org])
    online = node(server, collaboration_id, online_org)
    offline = node(server, collaboration_id, offline_org)
    # A node is online while its socket is open, as a running node keeps it.
    socket = server.socket(server.node_token(online["api_key"]))
    try:
        eventually(
            lambda: server.ok("GET", f"/node/{online['id']}")["status"] == "online",
            what="the node online",
        )
        signed_in_at(page, f"#/collaborations/{collaboration_id}")

        nodes = page.get_by_role("region", name="Nodes")
        expect(nodes.locator("li", has_text=online["name"]).locator(".tag")).to_have_text("online")
        expect(nodes.locator("li", has_text=offline["name"]).locator(".tag")).to_have_text(
            "offline"
        )
        members = members_settled(page)
        expect(members.locator("li")).to_have_count(2)

        members.get_by_label("Organization to add").select_option(label=f"Cork {suffix}")
        members.get_by_role("button", name="Add organization").click()
        expect(members.get_by_role("status")).to_have_text(f"Cork {suffix} was added.")
        expect(members.locator("li")).to_have_count(3)
        assert member_ids(server, collaboration_id) == {online_org, offline_org, newcomer}
        # What is a member already is not offered again.
        options = members.get_by_label("Organization to add").locator("option")
        expect(options.filter(has_text=f"Cork {suffix}")).to_have_count(0)
        page.screenshot(path=SCREENSHOTS / "collaboration.png", full_page=True)

        members.get_by_role("button", name=f"Remove Cork {suffix}").click()
        expect(members.get_by_role("status")).to_have_text(f"Cork {suffix} was removed.")
        expect(members.locator("li")).to_have_count(2)
        assert member_ids(server, collaboration_id) == {online_org, offline_org}

        members.get_by_role("button", name=f"Remove Bergen {suffix}").click()
        expect(members.get_by_role("alert")).to_have_text(
            f"Organization {offline_org} in collaboration {collaboration_id} still has 1 nodes; "
            "delete those first or add ?delete_dependents=true to delete them along"
        )
        assert member_ids(server, collaboration_id) == {online_org, offline_org}
        members.get_by_role("button", name="and delete what it still has here").click()
        expect(members.get_by_role("status")).to_have_text(f"Bergen {suffix} was removed.")
        expect(members.locator("li")).to_have_count(1)
        assert member_ids(server, collaboration_id) == {online_org}
        assert server.call("GET", f"/node/{offline['id']}", token=server.root)[0] == 404
        expect(nodes.locator("li")).to_have_count(1)
        expect(nodes).to_contain_text(online["name"])
    finally:
        socket.close()


def test_the_list_searches_sorts_and_pages_also_at_phone_width(page, server):
    suffix = uuid.uuid4().hex[:6]
    member, partner = organizations(server, f"Member {suffix}", f"Partner {suffix}")
    names = [f"Project {suffix} {number:02}" for number in range(1, 13)]
    for number, name in enumerate(names):
        members = [member, partner] if number % 2 else [member]
        collaboration(server, name, members, encrypted=number % 3 == 0)
    signed_in_at(page, "#/collaborations")

    with loading_shown(page, "collaboration"):
        search(page, suffix)

    expect(rows(page)).to_have_count(10)
    expect(rows(page).first).to_contain_text(names[0])
    expect(rows(page).first.locator("td").nth(1)).to_have_text("Encrypted")
    expect(rows(page).nth(1).locator("td").nth(1)).to_have_text("Not encrypted")
    expect(rows(page).first).to_contain_text(f"Member {suffix}")
    expect(rows(page).nth(1)).to_contain_text(f"Member {suffix}, Partner {suffix}")
    expect(page.locator(".pager .position")).to_have_text("1–10 of 12 · page 1 of 2")
    page.screenshot(path=SCREENSHOTS / "collaborations.png")
    page.get_by_role("link", name="Next").click()
    expect(rows(page)).to_have_count(2)
    expect(rows(page).last).to_contain_text(names[-1])

    page.get_by_label("Sort").select_option(label="Name, Z to A")
    expect(page).to_have_url(re.compile("sort=-name"))
    expect(rows(page).first).to_contain_text(names[-1])

    page.set_viewport_size(PHONE)
    expect(rows(page).first.get_by_role("link", name=names[-1])).to_be_in_viewport()
    fits = "document.documentElement.scrollWidth <= window.innerWidth"
    assert page.evaluate(fits), "the list is wider than a phone"
    page.get_by_label("Name contains").press("Tab")  # the form is reachable by keyboard
    expect(page.get_by_label("Sort")).to_be_focused()

    search(page, f"nothing-{suffix}")
    expect(page.locator(".results")).to_have_text(
        f"No collaboration has a name containing “nothing-{suffix}”."
    )


def test_a_deletion_the_server_refuses_shows_its_message_then_deletes_along_on_request(
    page, server, browser_problems
):
    browser_problems.allow("status of 400")  # Chromium logs the refused deletion
    suffix = uuid.uuid4().hex[:6]
    (member,) = organizations(server, f"Utrecht {suffix}")
    collaboration_id = collaboration(server, f"Cohort {suffix}", [member])
    stranded = node(server, collaboration_id, member)
    signed_in_at(page, f"#/collaborations/{collaboration_id}")

    confirm = ask_deletion(page)
    confirm.get_by_role("button", name="Yes, delete").click()
    expect(confirm.get_by_role("alert")).to_have_text(
        f"Collaboration {collaboration_id} still has 1 nodes; delete those first or add "
        "?delete_dependents=true to delete them along"
    )
    assert server.call("GET", f"/collaboration/{collaboration_id}", token=server.root)[0] == 200

    confirm.get_by_role("button", name="and everything it still has").click()
    expect_deleted(page, server, "collaboration", collaboration_id)
    assert server.call("GET", f"/node/{stranded['id']}", token=server.root)[0] == 404


def test_a_viewer_is_offered_no_changes_and_the_api_refuses_them(page, server):
    user = viewer(server)  # the default Viewer role: collaborations of their organization
    suffix = uuid.uuid4().hex[:6]
    (partner,) = organizations(server, f"Partner {suffix}")
    own = user["organization_id"]
    collaboration_id = collaboration(server, f"Shared {suffix}", [own, partner])
    watched = node(server, collaboration_id, own)
    signed_in_at(page, "#/collaborations", user["username"], PASSWORD)

    expect(rows(page)).to_have_count(1)
    expect(rows(page)).to_contain_text(f"Shared {suffix}")
    expect(actions_settled(page).get_by_role("link")).to_have_count(0)

    rows(page).get_by_role("link", name=f"Shared {suffix}").click()
    expect(page.get_by_role("heading", name=f"Shared {suffix}")).to_be_visible()
    members = members_settled(page)
    expect(members.locator("li")).to_have_count(2)
    expect(members.get_by_role("button")).to_have_count(0)
    expect(members.get_by_label("Organization to add")).to_have_count(0)
    expect(page.get_by_role("region", name="Nodes")).to_contain_text(watched["name"])
    expect_no_changes_offered(page)
    expect_forms_refused(page, "collaboration", collaboration_id)

    # What the page does not offer, forged with the same user's token, the API refuses.
    token = login(server, user["username"], PASSWORD)
    path = f"/collaboration/{collaboration_id}"
    assert server.call("DELETE", f"{path}?delete_dependents=true", token=token)[0] == 403
    assert server.call("PATCH", path, {"name": "Renamed"}, token=token)[0] == 403
    assert server.call("POST", f"{path}/organization", {"id": own}, token)[0] == 403
    assert server.call("DELETE", f"{path}/organization", {"id": partner}, token)[0] == 403
    body = {"name": f"x-{suffix}", "organization_ids": [own]}
    assert server.call("POST", "/collaboration", body, token)[0] == 403
    assert server.ok("GET", path)["name"] == f"Shared {suffix}"
    assert member_ids(server, collaboration_id) == {own, partner}


def test_a_collaboration_scope_editor_renames_but_changes_no_members_or_encryption(page, server):
    user = viewer(server, rules=[("collaboration", "collaboration", "edit")])
    suffix = uuid.uuid4().hex[:6]
    (partner,) = organizations(server, f"Partner {suffix}")
    own = user["organization_id"]
    theirs = collaboration(server, f"Theirs {suffix}", [own, partner], encrypted=True)
    signed_in_at(page, f"#/collaborations/{theirs}", user["username"], PASSWORD)

    expect(page.get_by_role("heading", name=f"Theirs {suffix}")).to_be_visible()
    expect(members_settled(page).get_by_role("button")).to_have_count(0)
    actions = actions_settled(page)
    expect(actions.get_by_role("button", name="Delete")).to_have_count(0)
    actions.get_by_role("link", name="Edit").click()
    expect(page.get_by_label("Encrypted", exact=True)).to_be_disabled()
    expect(page.get_by_text("Only holders of the global collaboration edit rule")).to_be_visible()
    page.get_by_label("Name", exact=True).fill(f"Ours {suffix}")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_role("heading", name=f"Ours {suffix}")).to_be_visible()
    edited = server.ok("GET", f"/collaboration/{theirs}")
    assert (edited["name"], edited["encrypted"]) == (f"Ours {suffix}", True)

    # The members and the encryption stay the global rule's, as the API says too.
    token = login(server, user["username"], PASSWORD)
    path = f"/collaboration/{theirs}"
    assert server.call("PATCH", path, {"encrypted": False}, token=token)[0] == 403
    assert server.call("DELETE", f"{path}/organization", {"id": partner}, token)[0] == 403
    assert member_ids(server, theirs) == {own, partner}
