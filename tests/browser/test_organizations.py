"""The organization pages in Chromium: root creates, edits, finds and deletes an organization
(checked through the API), the list searches, sorts and pages, a deletion the server refuses
shows its message, and a user who may only view their own organization is offered nothing
more, while the API refuses what they forge."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import expect

from tests.browser.ui import (
    PASSWORD,
    SCREENSHOTS,
    actions_settled,
    ask_deletion,
    expect_deleted,
    expect_forms_refused,
    expect_no_changes_offered,
    loading_shown,
    login,
    search,
    signed_in_at,
    viewer,
)

pytestmark = pytest.mark.browser

# A request the page never offers, sent through its own API module (and so its token):
# [status, message] of the refusal, or "sent" if the server allowed it.
FORGED_FROM_THE_PAGE = """async ([method, path]) => {
    const api = await import("./assets/core/api.js");
    try {
        await api.request(method, path);
        return "sent";
    } catch (error) {
        return [error.status, error.message];
    }
}"""
ORGANIZATION_VIEW = ("organization", "organization", "view")


def signed_in_at_organizations(page, username: str = "root", password: str = "root") -> None:
    signed_in_at(page, "#/organizations", username, password)
    expect(page.get_by_role("heading", name="Organizations")).to_be_visible()


def rows(page):
    return page.locator("table.organizations tbody tr")


def test_root_creates_edits_finds_and_deletes_an_organization(page, server):
    suffix = uuid.uuid4().hex[:6]
    signed_in_at_organizations(page)
    expect(page.get_by_role("link", name="Organizations", exact=True)).to_have_attribute(
        "aria-current", "page"
    )

    page.get_by_role("link", name="New organization").click()
    expect(page.get_by_role("heading", name="New organization")).to_be_visible()
    page.get_by_label("Name", exact=True).fill(f"Leiden {suffix}")
    page.get_by_label("Domain").fill("leiden.example.org")
    page.get_by_label("Country").fill("Netherlands")
    page.get_by_role("button", name="Create organization").click()
    expect(page.get_by_role("heading", name=f"Leiden {suffix}")).to_be_visible()
    expect(page.locator(".notice")).to_have_text(f"Organization “Leiden {suffix}” was saved.")
    organization_id = int(re.search(r"#/organizations/(\d+)$", page.url)[1])
    created = server.ok("GET", f"/organization/{organization_id}")
    assert (created["name"], created["domain"], created["country"]) == (
        f"Leiden {suffix}",
        "leiden.example.org",
        "Netherlands",
    )
    about = page.locator(".about")
    expect(about).to_contain_text("leiden.example.org")
    expect(about).to_contain_text("not set")  # the public key
    expect(page.get_by_role("region", name="Users")).to_contain_text("No users yet.")

    page.get_by_role("link", name="Edit").click()
    name = page.get_by_label("Name", exact=True)
    expect(name).to_have_value(f"Leiden {suffix}")
    name.fill(f"Leiden University {suffix}")
    page.get_by_label("Domain").fill("")
    page.get_by_label("Address", exact=True).fill("Rapenburg 70")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_role("heading", name=f"Leiden University {suffix}")).to_be_visible()
    edited = server.ok("GET", f"/organization/{organization_id}")
    assert (edited["name"], edited["domain"], edited["address1"], edited["country"]) == (
        f"Leiden University {suffix}",
        None,
        "Rapenburg 70",
        "Netherlands",
    )
    page.screenshot(path=SCREENSHOTS / "organization.png")

    page.get_by_role("link", name="Organizations", exact=True).click()
    search(page, f"University {suffix}")
    expect(rows(page)).to_have_count(1)
    page.screenshot(path=SCREENSHOTS / "organizations.png")
    rows(page).get_by_role("link", name=f"Leiden University {suffix}").click()
    expect(page).to_have_url(re.compile(f"#/organizations/{organization_id}$"))

    confirm = ask_deletion(page)
    expect(confirm).to_contain_text(f"Delete organization “Leiden University {suffix}”?")
    confirm.get_by_role("button", name="Cancel").click()
    expect(confirm).to_have_count(0)
    page.get_by_role("button", name="Delete").click()
    confirm.get_by_role("button", name="Yes, delete").click()
    expect_deleted(page, server, "organization", organization_id)


def test_the_list_searches_sorts_and_pages_with_progress_and_empty_states(page, server):
    suffix = uuid.uuid4().hex[:6]
    names = [f"Clinic {suffix} {number:02}" for number in range(1, 13)]
    for name in names:
        server.ok("POST", "/organization", {"name": name, "country": "Norway"})
    signed_in_at_organizations(page)

    with loading_shown(page, "organization"):
        search(page, suffix)

    expect(rows(page)).to_have_count(10)
    expect(rows(page).first).to_contain_text(names[0])
    expect(rows(page).first).to_contain_text("Norway")
    expect(page.locator(".pager .position")).to_have_text("1–10 of 12 · page 1 of 2")
    page.get_by_role("link", name="Next").click()
    expect(rows(page)).to_have_count(2)
    expect(rows(page).last).to_contain_text(names[-1])
    expect(page.locator(".pager .position")).to_have_text("11–12 of 12 · page 2 of 2")

    page.get_by_label("Sort").select_option(label="Name, Z to A")
    expect(page).to_have_url(re.compile("sort=-name"))
    expect(rows(page).first).to_contain_text(names[-1])  # and back on the first page
    expect(page.get_by_label("Name contains")).to_have_value(suffix)
    page.go_back()
    expect(page.locator(".pager .position")).to_have_text("11–12 of 12 · page 2 of 2")

    search(page, f"nothing-{suffix}")
    expect(page.locator(".results")).to_have_text(
        f"No organization has a name containing “nothing-{suffix}”."
    )


def test_a_deletion_the_server_refuses_shows_its_message_then_deletes_along_on_request(
    page, server, browser_problems
):
    browser_problems.allow("status of 400")  # Chromium logs the refused deletion
    user = viewer(server)
    organization_id = user["organization_id"]
    signed_in_at_organizations(page)
    page.goto(f"/#/organizations/{organization_id}")
    expect(page.get_by_role("heading", name=user["organization"])).to_be_visible()
    expect(page.get_by_role("region", name="Users")).to_contain_text(user["username"])

    confirm = ask_deletion(page)
    confirm.get_by_role("button", name="Yes, delete").click()
    expect(confirm.get_by_role("alert")).to_have_text(
        f"Organization {organization_id} still has 1 users; delete those first or add "
        "?delete_dependents=true to delete them along"
    )
    expect(confirm.get_by_role("button", name="Yes, delete")).to_be_hidden()
    assert server.call("GET", f"/organization/{organization_id}", token=server.root)[0] == 200

    confirm.get_by_role("button", name="and everything it still has").click()
    expect_deleted(page, server, "organization", organization_id)
    assert server.call("GET", f"/user/{user['id']}", token=server.root)[0] == 404


def test_a_user_who_may_view_their_organization_only_is_offered_no_changes(
    page, server, browser_problems
):
    browser_problems.allow("status of 403")  # their nodes and collaborations are refused
    user = viewer(server, roles=(), rules=[ORGANIZATION_VIEW])
    organization_id = user["organization_id"]
    signed_in_at_organizations(page, user["username"], PASSWORD)

    expect(rows(page)).to_have_count(1)
    expect(rows(page)).to_contain_text(user["organization"])
    expect(page.locator(".pager .position")).to_have_text("1–1 of 1 · page 1 of 1")
    expect(actions_settled(page).get_by_role("link")).to_have_count(0)

    rows(page).get_by_role("link", name=user["organization"]).click()
    expect(page.get_by_role("heading", name=user["organization"])).to_be_visible()
    expect(page.get_by_role("region", name="Users")).to_contain_text(user["username"])
    nodes = page.get_by_role("region", name="Nodes")
    expect(nodes.get_by_role("alert")).to_have_text("You lack the permission to do that!")
    expect_no_changes_offered(page)
    expect_forms_refused(page, "organization", organization_id)

    # What the page does not offer, forged with the same user's token, the API refuses.
    token = login(server, user["username"], PASSWORD)
    path = f"/organization/{organization_id}"
    assert server.call("DELETE", path, token=token)[0] == 403
    assert server.call("DELETE", f"{path}?delete_dependents=true", token=token)[0] == 403
    assert server.call("PATCH", path, {"name": "Renamed"}, token=token)[0] == 403
    assert server.call("POST", "/organization", {"name": f"x-{uuid.uuid4()}"}, token)[0] == 403
    # And sent from the page itself, with the session's own token.
    refused = page.evaluate(FORGED_FROM_THE_PAGE, ["DELETE", f"{path}?delete_dependents=true"])
    assert refused == [403, "You lack the permission to do that!"]
    assert server.ok("GET", path)["name"] == user["organization"]
