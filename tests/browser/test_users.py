"""The user pages in Chromium: root creates a user with a role and an extra rule, edits and
deletes them (checked through the API); the list searches, narrows and pages, also at phone
width; an organization admin is offered only the roles and rules they may grant, and a viewer
nothing to change, while the API refuses what either forges; the server's refusals show its
message. Resetting someone's two-factor is in test_user_two_factor.py (it needs a server that
asks for two-factor)."""

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
    default_role_id,
    delete_on_page,
    expect_forms_refused,
    loading_shown,
    login,
    new_user,
    rule_id,
    signed_in_at,
    viewer,
)
from vantage6.server.security.login import PASSWORD_RULES

pytestmark = pytest.mark.browser

COLLABORATION_VIEW = ("collaboration", "global", "view")


def rows(page):
    return page.locator("table.users tbody tr")


def matrix_box(page, operation: str, resource: str, scope: str):
    return page.get_by_role("checkbox", name=f"{operation} {resource}, {scope} scope", exact=True)


def roles_of(server, user_id: int) -> set[str]:
    return {role["name"] for role in server.ok("GET", f"/role?user_id={user_id}")["data"]}


def has_extra_rule(server, user: dict, rule: int) -> bool:
    """Whether ``user`` holds rule ``rule`` itself (the rule_id filter sees extra rules only)."""
    found = server.ok("GET", f"/user?rule_id={rule}&username={user['username']}")["data"]
    return [found_user["id"] for found_user in found] == [user["id"]]


def test_root_creates_edits_and_deletes_a_user(page, server):
    organization = viewer(server)  # a second organization to choose, with someone in it
    username = f"ada-{uuid.uuid4().hex[:6]}"
    signed_in_at(page, "#/users")
    expect(page.get_by_role("link", name="Users", exact=True)).to_have_attribute(
        "aria-current", "page"
    )

    actions_settled(page).get_by_role("link", name="New user").click()
    expect(page.get_by_role("heading", name="New user")).to_be_visible()
    expect(page.get_by_label("Password", exact=True)).to_have_accessible_description(PASSWORD_RULES)
    page.get_by_label("Username", exact=True).fill(username)
    page.get_by_label("Email", exact=True).fill(f"{username}@example.org")
    page.get_by_label("First name").fill("Ada")
    page.get_by_label("Last name").fill("Lovelace")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Organization", exact=True).select_option(label=organization["organization"])
    page.get_by_role("checkbox", name="Researcher", exact=True).check()
    matrix_box(page, "view", "collaboration", "global").check()
    page.get_by_role("button", name="Create user").click()

    expect(page.get_by_role("heading", name=username)).to_be_visible()
    expect(page.locator(".notice")).to_have_text(f"User “{username}” was saved.")
    user_id = int(re.search(r"#/users/(\d+)$", page.url)[1])
    created = server.ok("GET", f"/user/{user_id}")
    assert (created["username"], created["email"], created["organization"]["id"]) == (
        username,
        f"{username}@example.org",
        organization["organization_id"],
    )
    assert (created["firstname"], created["lastname"]) == ("Ada", "Lovelace")
    assert roles_of(server, user_id) == {"Researcher"}
    collaboration_view = rule_id(server, *COLLABORATION_VIEW, server.root)
    assert has_extra_rule(server, created, collaboration_view)
    login(server, username, PASSWORD)

    about = page.locator(".about")
    expect(about).to_contain_text(organization["organization"])
    expect(about).to_contain_text("Lovelace")
    expect(page.get_by_role("region", name="Roles", exact=True)).to_contain_text("Researcher")
    permissions = page.get_by_role("region", name="Effective permissions")
    for held in (("view", "collaboration", "global"), ("create", "task", "collaboration")):
        expect(matrix_box(permissions, *held)).to_be_checked()
        expect(matrix_box(permissions, *held)).to_be_disabled()
    expect(matrix_box(permissions, "delete", "organization", "global")).not_to_be_checked()
    page.screenshot(path=SCREENSHOTS / "user.png", full_page=True)

    actions_settled(page).get_by_role("link", name="Edit").click()
    expect(page.get_by_role("heading", name=f"Edit {username}")).to_be_visible()
    expect(page.get_by_label("Username", exact=True)).to_have_attribute("readonly", "")
    expect(matrix_box(page, "view", "collaboration", "global")).to_be_checked()
    expect(matrix_box(page, "create", "task", "collaboration")).not_to_be_checked()  # a role's
    page.get_by_label("First name").fill("Augusta Ada")
    page.get_by_role("checkbox", name="Researcher", exact=True).uncheck()
    page.get_by_role("checkbox", name="Viewer", exact=True).check()
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_role("heading", name=username, exact=True)).to_be_visible()
    edited = server.ok("GET", f"/user/{user_id}")
    assert (edited["firstname"], edited["lastname"]) == ("Augusta Ada", "Lovelace")
    assert roles_of(server, user_id) == {"Viewer"}
    assert has_extra_rule(server, edited, collaboration_view)  # untouched
    # Researcher's rules went with the role: none stayed behind as an extra rule.
    task_create = rule_id(server, "task", "collaboration", "create", server.root)
    held = server.ok("GET", f"/user/{user_id}?include_permissions=true")["permissions"]["rules"]
    assert task_create not in held

    delete_on_page(page, server, "user", user_id, username)


def test_the_list_searches_narrows_and_pages_also_at_phone_width(page, server):
    suffix = uuid.uuid4().hex[:6]
    organization = viewer(server)
    made = [
        new_user(server, organization["organization_id"], prefix=f"x{suffix}-{n:02}")
        for n in range(11)
    ]
    signed_in_at(page, "#/users")

    with loading_shown(page, "user"):
        page.get_by_label("Username contains").fill(suffix)
        page.get_by_role("button", name="Search").click()

    expect(rows(page)).to_have_count(10)
    expect(rows(page).first).to_contain_text(made[0]["username"])
    expect(rows(page).first).to_contain_text(organization["organization"])
    expect(page.get_by_role("columnheader", name="Email")).to_be_visible()
    expect(page.locator(".pager .position")).to_have_text("1–10 of 11 · page 1 of 2")
    page.get_by_role("link", name="Next").click()
    expect(rows(page)).to_have_count(1)
    expect(rows(page)).to_contain_text(made[-1]["username"])

    page.get_by_label("Sort").select_option(label="Username, Z to A")
    expect(rows(page).first).to_contain_text(made[-1]["username"])
    expect(page.get_by_label("Username contains")).to_have_value(suffix)

    # The organization filter: the viewer is there too, matching no username search.
    page.get_by_label("Username contains").fill("")
    page.get_by_label("Organization", exact=True).select_option(label=organization["organization"])
    expect(page).to_have_url(re.compile(f"organization={organization['organization_id']}"))
    expect(page.locator(".pager .position")).to_have_text("1–10 of 12 · page 1 of 2")

    page.get_by_label("Username contains").fill(f"nobody-{suffix}")
    page.get_by_role("button", name="Search").click()
    expect(page.locator(".results")).to_have_text("No user matches this search.")

    page.set_viewport_size(PHONE)
    page.goto(f"/#/users?username={suffix}")
    expect(rows(page)).to_have_count(10)
    # Username and organization only: four columns would break words at this width.
    expect(page.get_by_role("columnheader", name="Email")).to_be_hidden()
    expect(rows(page).first.locator("td").nth(2)).to_be_hidden()
    expect(rows(page).first).to_contain_text(organization["organization"])
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the list is {width}px wide at phone width"
    page.screenshot(path=SCREENSHOTS / "users-phone.png", full_page=True)


def test_an_organization_admin_is_offered_only_what_they_may_grant(page, server):
    admin = viewer(server, roles=())
    organization_admin = [default_role_id(server, "Organization Admin")]
    server.ok("PATCH", f"/user/{admin['id']}", {"roles": organization_admin})
    mightier = new_user(server, admin["organization_id"], roles=("Root",), prefix="mightier")
    signed_in_at(page, "#/users/new", admin["username"], PASSWORD)

    # Their own organization only, so no choice; and the roles all of whose rules they hold.
    expect(page.get_by_text(f"Organization: {admin['organization']}")).to_be_visible()
    roles = page.get_by_role("group", name="Roles")
    expect(roles.locator("label")).to_have_text(
        ["Organization Admin", "Viewer", "container", "node"]  # in the server's name order
    )
    expect(roles.get_by_role("checkbox", disabled=False)).to_have_count(4)
    expect(matrix_box(page, "create", "user", "organization")).to_be_enabled()
    expect(matrix_box(page, "create", "user", "collaboration")).to_be_disabled()
    expect(matrix_box(page, "view", "organization", "global")).to_be_disabled()

    username = f"made-by-admin-{uuid.uuid4().hex[:6]}"
    page.get_by_label("Username", exact=True).fill(username)
    page.get_by_label("Email", exact=True).fill(f"{username}@example.org")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    roles.get_by_role("checkbox", name="Viewer", exact=True).check()
    page.get_by_role("button", name="Create user").click()
    expect(page.get_by_role("heading", name=username)).to_be_visible()
    made = server.ok("GET", f"/user?username={username}")["data"][0]
    assert made["organization"]["id"] == admin["organization_id"]
    assert roles_of(server, made["id"]) == {"Viewer"}
    actions = actions_settled(page)
    expect(actions.get_by_role("link", name="Edit")).to_be_visible()
    # This server asks for no second factor, so there is none to reset.
    expect(actions.get_by_role("button", name="Reset two-factor")).to_have_count(0)

    # Someone who holds more than the admin could grant is theirs to see, not to change.
    page.goto(f"/#/users/{mightier['id']}")
    expect(page.get_by_role("heading", name=mightier["username"])).to_be_visible()
    expect(actions_settled(page).get_by_role("link")).to_have_count(0)
    expect(page.locator(".page-actions button")).to_have_count(0)
    page.goto(f"/#/users/{mightier['id']}/edit")
    expect(page.get_by_text("Your rules do not allow editing this user.")).to_be_visible()

    # What the page does not offer, forged with the admin's token, the API refuses.
    token = login(server, admin["username"], PASSWORD)
    root_role = default_role_id(server, "Root")
    body = {
        "username": f"forged-{uuid.uuid4().hex[:6]}",
        "password": PASSWORD,
        "email": "forged@example.org",
        "roles": [root_role],
    }
    assert server.call("POST", "/user", body, token)[0] == 403
    assert server.call("PATCH", f"/user/{made['id']}", {"roles": [root_role]}, token)[0] == 403
    assert server.call("DELETE", f"/user/{mightier['id']}", token=token)[0] == 403
    assert roles_of(server, made["id"]) == {"Viewer"}


def test_a_viewer_is_offered_no_changes(page, server):
    user = viewer(server)
    colleague = new_user(server, user["organization_id"], roles=("Viewer",))
    signed_in_at(page, "#/users", user["username"], PASSWORD)

    expect(rows(page)).to_have_count(2)
    expect(actions_settled(page).get_by_role("link")).to_have_count(0)
    rows(page).get_by_role("link", name=colleague["username"]).click()
    expect(page.get_by_role("heading", name=colleague["username"])).to_be_visible()
    expect(page.get_by_role("region", name="Roles", exact=True)).to_contain_text("Viewer")
    actions = actions_settled(page)
    expect(actions.get_by_role("link", name="Edit")).to_have_count(0)
    expect(actions.get_by_role("button")).to_have_count(0)  # no Delete, no Reset two-factor

    expect_forms_refused(page, "user", colleague["id"])

    token = login(server, user["username"], PASSWORD)
    path = f"/user/{colleague['id']}"
    assert server.call("PATCH", path, {"firstname": "Forged"}, token)[0] == 403
    assert server.call("DELETE", path, token=token)[0] == 403
    assert server.call("POST", f"{path}/2fa/reset", token=token)[0] == 403
    assert server.ok("GET", path)["firstname"] is None


def test_the_servers_refusals_show_its_message(page, server, browser_problems):
    browser_problems.allow("status of 400")  # Chromium logs the refused requests
    taken = new_user(server, server.root_org)
    signed_in_at(page, "#/users/new")
    page.get_by_label("Username", exact=True).fill(taken["username"])
    page.get_by_label("Email", exact=True).fill(f"other-{taken['email']}")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    # What the API answers to the same request, asked first: not alongside the page's own.
    body = {"username": taken["username"], "email": f"other-{taken['email']}", "password": PASSWORD}
    status, answer = server.call("POST", "/user", body, server.root)
    assert status == 400
    page.get_by_role("button", name="Create user").click()
    expect(page.get_by_role("alert")).to_have_text(answer["msg"])

    page.get_by_label("Username", exact=True).fill(f"weak-{uuid.uuid4().hex[:6]}")
    page.get_by_label("Password", exact=True).fill("longbutweak")
    page.get_by_role("button", name="Create user").click()
    expect(page.get_by_role("alert")).to_contain_text(PASSWORD_RULES)
    expect(page).to_have_url(re.compile("#/users/new$"))


def test_editing_ones_own_name_shows_in_the_header_at_once(page, server):
    """The header greets by the kept record of the signed-in user; saving one's own record
    must renew it, not wait for the next session."""
    me = viewer(server, roles=("Organization Admin",))
    signed_in_at(page, f"#/users/{me['id']}/edit", me["username"], PASSWORD)
    banner = page.get_by_role("banner")
    expect(banner).to_contain_text(f"Signed in as {me['username']}")
    page.get_by_label("First name").fill("Grace")
    page.get_by_label("Last name").fill("Hopper")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_role("heading", name=me["username"], exact=True)).to_be_visible()
    expect(banner).to_contain_text("Signed in as Grace Hopper")
    assert server.ok("GET", f"/user/{me['id']}")["firstname"] == "Grace"
