"""The role pages in Chromium: root creates, edits and deletes a role by ticking rules in the
matrix (checked through the API), default roles are shown read-only, an organization admin
can tick only the rules they may grant, a viewer is offered no changes, the server's refusals
are shown with its message, the list filters and pages, and the matrix fits a phone."""

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
    default_role_id,
    delete_on_page,
    expect_forms_refused,
    expect_no_changes_offered,
    loading_shown,
    login,
    rule_id,
    signed_in_at,
    viewer,
)

pytestmark = pytest.mark.browser


def box(page, label: str):
    """The matrix's checkbox of a rule, e.g. "view user, organization scope"."""
    return page.get_by_role("checkbox", name=label, exact=True)


def rule(server, resource: str, scope: str, operation: str) -> int:
    return rule_id(server, resource, scope, operation, server.root)


def rules_of(server, role_id: int) -> set[int]:
    found = server.ok("GET", f"/rule?no_pagination=1&role_id={role_id}")["data"]
    return {found_rule["id"] for found_rule in found}


def rows(page):
    return page.locator("table.roles tbody tr")


def test_root_creates_edits_and_deletes_a_role_through_the_matrix(page, server):
    suffix = uuid.uuid4().hex[:6]
    server.ok("POST", "/organization", {"name": f"Elsewhere {suffix}"})  # a choice to make
    signed_in_at(page, "#/roles")
    page.get_by_role("link", name="New role").click()
    expect(page.get_by_role("heading", name="New role")).to_be_visible()
    page.get_by_label("Name", exact=True).fill(f"Auditor {suffix}")
    page.get_by_label("Description").fill("Reads what happens")
    expect(page.get_by_label("Organization", exact=True)).to_have_value(str(server.root_org))
    box(page, "view user, organization scope").check()
    box(page, "create task, collaboration scope").focus()
    page.keyboard.press("Space")  # the matrix works from the keyboard
    expect(box(page, "create task, collaboration scope")).to_be_checked()
    page.get_by_role("button", name="Create role").click()

    expect(page.get_by_role("heading", name=f"Auditor {suffix}")).to_be_visible()
    expect(page.locator(".notice")).to_have_text(f"Role “Auditor {suffix}” was saved.")
    role_id = int(re.search(r"#/roles/(\d+)$", page.url)[1])
    created = server.ok("GET", f"/role/{role_id}")
    assert (created["name"], created["description"], created["organization"]["id"]) == (
        f"Auditor {suffix}",
        "Reads what happens",
        server.root_org,
    )
    assert rules_of(server, role_id) == {
        rule(server, "user", "organization", "view"),
        rule(server, "task", "collaboration", "create"),
    }
    shown = box(page, "view user, organization scope")
    expect(shown).to_be_checked()
    expect(shown).to_be_disabled()  # the role's page only shows its rules
    expect(box(page, "view user, global scope")).not_to_be_checked()

    actions_settled(page).get_by_role("link", name="Edit").click()
    name = page.get_by_label("Name", exact=True)
    expect(name).to_have_value(f"Auditor {suffix}")
    name.fill(f"Senior auditor {suffix}")
    page.get_by_label("Description").fill("")
    box(page, "view user, organization scope").uncheck()
    box(page, "delete node, organization scope").check()
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_role("heading", name=f"Senior auditor {suffix}")).to_be_visible()
    edited = server.ok("GET", f"/role/{role_id}")
    assert (edited["name"], edited["description"]) == (f"Senior auditor {suffix}", None)
    assert rules_of(server, role_id) == {
        rule(server, "task", "collaboration", "create"),
        rule(server, "node", "organization", "delete"),
    }
    expect(box(page, "delete node, organization scope")).to_be_checked()
    matrix = page.get_by_role("region", name=f"Rules of Senior auditor {suffix}")
    widths = matrix.evaluate("element => [element.scrollWidth, element.clientWidth]")
    assert widths[0] <= widths[1]  # at 1280 px every column is in view
    page.screenshot(path=SCREENSHOTS / "role.png", full_page=True)

    delete_on_page(page, server, "role", role_id, f"Senior auditor {suffix}")


def test_a_default_role_is_shown_read_only_and_the_api_refuses_changing_it(page, server):
    viewer_id = default_role_id(server, "Viewer")
    signed_in_at(page, f"#/roles/{viewer_id}")
    expect(page.get_by_role("heading", name="Viewer")).to_be_visible()
    expect(actions_settled(page)).to_have_text("Default role · read-only")
    matrix = page.get_by_role("table", name="Rules of Viewer")
    expect(matrix.get_by_role("checkbox", checked=True)).to_have_count(
        len(rules_of(server, viewer_id))
    )
    expect(box(page, "view role, organization scope")).to_be_checked()
    expect(box(page, "create role, organization scope")).not_to_be_checked()
    expect(matrix.locator("input:enabled")).to_have_count(0)
    actions = actions_settled(page)
    expect(actions.get_by_role("link", name="Edit")).to_have_count(0)
    expect(actions.get_by_role("button", name="Delete")).to_have_count(0)

    page.goto(f"/#/roles/{viewer_id}/edit")
    expect(page.get_by_text("This is a default role: it cannot be changed.")).to_be_visible()
    expect(page.get_by_role("button", name="Save changes")).to_have_count(0)

    # Even root cannot change it through the API.
    status, answer = server.call("PATCH", f"/role/{viewer_id}", {"rules": []}, server.root)
    assert (status, answer["msg"]) == (
        403,
        f"Role {viewer_id} (Viewer) is a default role; default roles and their rules cannot "
        "be changed or deleted",
    )
    assert server.call("DELETE", f"/role/{viewer_id}", token=server.root)[0] == 403
    assert rules_of(server, viewer_id)


def test_an_organization_admin_can_tick_only_rules_they_may_grant(page, server, browser_problems):
    browser_problems.allow("status of 403")  # root's organization is none of theirs
    admin = viewer(server, roles=())
    organization_admin = default_role_id(server, "Organization Admin")
    server.ok("PATCH", f"/user/{admin['id']}", {"roles": [organization_admin]})
    organization_id = admin["organization_id"]
    signed_in_at(page, "#/roles", admin["username"], PASSWORD)
    actions_settled(page).get_by_role("link", name="New role").click()
    expect(page.get_by_role("heading", name="New role")).to_be_visible()

    # Held at this or a wider scope: grantable in their organization; global: not held.
    for grantable in (
        "view user, organization scope",
        "edit user, own scope",
        "create role, organization scope",
        "view run, organization scope",  # they hold it at collaboration scope
    ):
        expect(box(page, grantable)).to_be_enabled()
    for beyond in (
        "view user, global scope",
        "view run, global scope",
        "create role, global scope",
    ):
        expect(box(page, beyond)).to_be_disabled()
    # Only their own organization to create it for: no choice.
    expect(page.get_by_label("Organization", exact=True)).to_have_count(0)

    suffix = uuid.uuid4().hex[:6]
    page.get_by_label("Name", exact=True).fill(f"Helpdesk {suffix}")
    box(page, "view user, organization scope").check()
    page.get_by_role("button", name="Create role").click()
    expect(page.get_by_role("heading", name=f"Helpdesk {suffix}")).to_be_visible()
    role_id = int(re.search(r"#/roles/(\d+)$", page.url)[1])
    assert server.ok("GET", f"/role/{role_id}")["organization"]["id"] == organization_id
    assert rules_of(server, role_id) == {rule(server, "user", "organization", "view")}

    # A rule root gave a role of theirs stays, shown ticked, while they change the others.
    global_view = rule(server, "user", "global", "view")
    body = {"name": f"Given {suffix}", "organization_id": organization_id, "rules": [global_view]}
    given_id = server.ok("POST", "/role", body)["id"]
    page.goto(f"/#/roles/{given_id}/edit")
    given = box(page, "view user, global scope")
    expect(given).to_be_checked()
    expect(given).to_be_disabled()
    box(page, "view node, organization scope").check()
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_role("heading", name=f"Given {suffix}", exact=True)).to_be_visible()
    node_view = rule(server, "node", "organization", "view")
    assert rules_of(server, given_id) == {global_view, node_view}

    # The rule the page would not let them tick, forged, the API refuses.
    token = login(server, admin["username"], PASSWORD)
    refusal = f"You can only grant or take away rules you hold yourself; not {global_view} "
    refusal += "(user view global)"
    body = {"name": f"Forged {suffix}", "rules": [global_view]}
    assert server.call("POST", "/role", body, token) == (403, {"msg": refusal})
    patch = {"rules": [global_view]}
    assert server.call("PATCH", f"/role/{role_id}", patch, token) == (403, {"msg": refusal})
    assert rules_of(server, role_id) == {rule(server, "user", "organization", "view")}


def test_a_viewer_is_offered_no_changes_and_the_api_refuses_them(page, server):
    user = viewer(server)
    organization_id = user["organization_id"]
    suffix = uuid.uuid4().hex[:6]
    body = {"name": f"Reader {suffix}", "organization_id": organization_id, "rules": []}
    role_id = server.ok("POST", "/role", body)["id"]
    signed_in_at(page, "#/roles", user["username"], PASSWORD)

    expect(rows(page).filter(has_text=f"Reader {suffix}")).to_have_count(1)
    expect(actions_settled(page).get_by_role("link")).to_have_count(0)
    rows(page).get_by_role("link", name=f"Reader {suffix}").click()
    expect(page.get_by_role("heading", name=f"Reader {suffix}")).to_be_visible()
    expect(page.get_by_role("table", name=f"Rules of Reader {suffix}")).to_be_visible()
    expect_no_changes_offered(page)
    expect_forms_refused(page, "role", role_id)

    token = login(server, user["username"], PASSWORD)
    assert server.call("DELETE", f"/role/{role_id}", token=token)[0] == 403
    assert server.call("PATCH", f"/role/{role_id}", {"name": "Renamed"}, token)[0] == 403
    assert server.call("POST", "/role", {"name": f"x-{suffix}"}, token)[0] == 403
    assert server.ok("GET", f"/role/{role_id}")["name"] == f"Reader {suffix}"


def test_the_server_refusals_are_shown_with_its_message(page, server, browser_problems):
    browser_problems.allow("status of 400")  # Chromium logs the refused requests
    user = viewer(server)
    suffix = uuid.uuid4().hex[:6]
    body = {"name": f"Taken {suffix}", "organization_id": user["organization_id"]}
    role_id = server.ok("POST", "/role", body)["id"]
    server.ok("PATCH", f"/user/{user['id']}", {"roles": [role_id]})
    signed_in_at(page, "#/roles/new")

    page.get_by_label("Name", exact=True).fill(f"Taken {suffix}")
    page.get_by_label("Organization", exact=True).select_option(str(user["organization_id"]))
    page.get_by_role("button", name="Create role").click()
    status, answer = server.call("POST", "/role", body, server.root)
    assert status == 400
    expect(page.locator("form").get_by_role("alert")).to_have_text(answer["msg"])
    expect(page).to_have_url(re.compile("#/roles/new$"))

    page.goto(f"/#/roles/{role_id}")
    confirm = ask_deletion(page)
    confirm.get_by_role("button", name="Yes, delete").click()
    expect(confirm.get_by_role("alert")).to_have_text(
        f"Role {role_id} still has 1 users; delete those first or add "
        "?delete_dependents=true to delete them along"
    )
    assert server.call("GET", f"/role/{role_id}", token=server.root)[0] == 200


def test_the_list_filters_and_pages_with_progress_and_empty_states(page, server):
    user = viewer(server)
    organization_id = user["organization_id"]
    suffix = uuid.uuid4().hex[:6]
    names = [f"Team {suffix} {number:02}" for number in range(1, 13)]
    for name in names:
        server.ok("POST", "/role", {"name": name, "organization_id": organization_id})
    signed_in_at(page, "#/roles")

    with loading_shown(page, "role"):
        page.get_by_label("Name contains").fill(suffix)
        with page.expect_request("**/api/role?*"):
            page.get_by_role("button", name="Search").click()

    expect(rows(page)).to_have_count(10)
    expect(rows(page).first).to_contain_text(names[0])
    expect(rows(page).first).to_contain_text(user["organization"])
    expect(page.locator(".pager .position")).to_have_text("1–10 of 12 · page 1 of 2")
    page.get_by_role("link", name="Next").click()
    expect(rows(page)).to_have_count(2)
    expect(rows(page).last).to_contain_text(names[-1])

    # Their organization's roles, with the default ones or without.
    page.get_by_label("Name contains").fill("")
    page.get_by_label("Organization", exact=True).select_option(label=user["organization"])
    expect(page).to_have_url(re.compile(f"organization={organization_id}"))
    expect(page.locator(".pager .position")).to_contain_text(" of 19 ")  # 12 and 7 default
    expect(rows(page).filter(has_text="Researcher")).to_contain_text("default")
    page.get_by_label("Default roles").select_option(label="Left out")
    expect(page.locator(".pager .position")).to_contain_text(" of 12 ")
    page.get_by_label("Organization", exact=True).select_option(label="Any organization")
    page.get_by_label("Name contains").fill("Researcher")
    page.get_by_role("button", name="Search").click()
    expect(page.locator(".results")).to_have_text("No role matches these filters.")
    page.get_by_label("Default roles").select_option(label="Included")
    expect(rows(page)).to_have_count(1)
    expect(rows(page)).to_contain_text("none (for everyone)")


def test_the_matrix_scrolls_within_itself_at_phone_width(page, server):
    page.set_viewport_size(PHONE)
    viewer_id = default_role_id(server, "Viewer")
    signed_in_at(page, f"#/roles/{viewer_id}")
    region = page.get_by_role("region", name="Rules of Viewer")
    expect(region).to_be_visible()
    widths = region.evaluate("element => [element.scrollWidth, element.clientWidth]")
    assert widths[0] > widths[1]  # the matrix scrolls, not the page
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    region.focus()  # a keyboard scrolls it; the resources stay in view
    for _ in range(10):
        page.keyboard.press("ArrowRight")
    assert region.evaluate("element => element.scrollLeft") > 0
    resource = region.get_by_role("rowheader", name="user", exact=True)
    box_of_resource = resource.bounding_box()
    assert 0 <= box_of_resource["x"] < PHONE["width"] / 2
    page.screenshot(path=SCREENSHOTS / "role-phone.png")
