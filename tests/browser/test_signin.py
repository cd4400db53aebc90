"""The web UI in Chromium: served with its security headers beside the API, signing in and
out, the home page, at desktop and phone width and by keyboard alone."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.ui import PASSWORD, PHONE, SCREENSHOTS, expect_sign_in_page, sign_in, viewer
from vantage6.server.security.login import FAILED
from vantage6.server.ui import SECURITY_HEADERS

pytestmark = pytest.mark.browser


def test_the_ui_is_served_with_security_headers_and_the_api_still_answers(page, server):
    responses = []
    page.on("response", lambda response: responses.append(response))
    page.goto("/")
    expect_sign_in_page(page)
    ui = [r for r in responses if not r.url.startswith(server.api)]
    assert {r.url.removeprefix(server.url) for r in ui} >= {"", "assets/main.js", "assets/app.css"}
    for response in ui:
        assert response.status == 200, response.url
        for header, value in SECURITY_HEADERS.items():
            assert response.headers[header.lower()] == value, (response.url, header)
    health = page.request.get("/api/health")
    assert (health.status, health.json()) == (200, {"status": "ok", "database": True})


def test_root_signs_in_and_sees_their_organization_and_collaborations(page, server):
    body = {"name": "Cancer registry study", "organization_ids": [server.root_org]}
    server.ok("POST", "/collaboration", {**body, "encrypted": True})
    page.goto("/")
    expect_sign_in_page(page)
    expect(page.get_by_label("Username")).to_be_focused()
    page.screenshot(path=SCREENSHOTS / "signin.png")

    held = []  # the login request, held until the page has shown that it is signing in
    page.route("**/api/token/user", lambda route: held.append(route))
    sign_in(page, "root", "root")
    signing_in = page.get_by_role("button", name="Signing in…")
    expect(signing_in).to_be_disabled()
    held[0].continue_()
    page.unroute("**/api/token/user")

    expect(page).to_have_url(re.compile("#/home$"))
    expect(page.get_by_role("heading", name="Welcome, root")).to_be_visible()
    expect(page.locator(".organization-name")).to_have_text("root")
    collaboration = page.locator(".collaborations li", has_text="Cancer registry study")
    expect(collaboration).to_contain_text("encrypted")
    expect(page.get_by_role("banner")).to_contain_text("Signed in as root")
    page.screenshot(path=SCREENSHOTS / "home.png")


def test_a_wrong_password_shows_the_servers_message_and_stays_on_sign_in(
    page, server, browser_problems
):
    browser_problems.allow("status of 401")  # Chromium logs the refused login
    user = viewer(server)
    page.goto("/")
    sign_in(page, user["username"], "not-the-password")
    expect(page.get_by_role("alert")).to_have_text(FAILED)
    expect_sign_in_page(page)
    expect(page.get_by_label("Password")).to_be_focused()


def test_signing_out_forgets_the_session_and_protected_pages_then_ask_to_sign_in(page, server):
    user = viewer(server)
    page.goto("/#/home")  # a protected page: sign in first, then back here
    expect_sign_in_page(page)
    sign_in(page, user["username"], PASSWORD)
    expect(page).to_have_url(re.compile("#/home$"))
    expect(page.locator(".organization-name")).to_have_text(user["organization"])
    expect(page.get_by_text("takes part in no collaboration yet")).to_be_visible()
    # The tokens live in the page's memory only.
    stored = page.evaluate("() => [localStorage.length, sessionStorage.length, document.cookie]")
    assert stored == [0, 0, ""]

    page.get_by_role("button", name="Sign out").click()
    expect_sign_in_page(page)
    page.goto("/#/home")
    expect_sign_in_page(page)
    expect(page).to_have_url(re.compile(re.escape("#/signin?next=%23%2Fhome")))
    expect(page.get_by_role("banner")).not_to_contain_text("Sign out")


def test_what_the_server_refuses_is_shown_with_its_message(page, server, browser_problems):
    browser_problems.allow("status of 403")  # Chromium logs the refused requests
    user = viewer(server, roles=())  # may see their own account, not their organization
    held = []  # the organization's request, held until the page has shown it is loading
    page.route("**/api/organization/*", lambda route: held.append(route))
    page.goto("/")
    sign_in(page, user["username"], PASSWORD)
    expect(page.get_by_role("heading", name=f"Welcome, {user['username']}")).to_be_visible()
    organization = page.get_by_role("region", name="Your organization")
    expect(organization.get_by_role("status")).to_have_text("Loading your organization…")
    expect(organization.locator("[aria-busy=true]")).to_have_count(1)
    held[0].continue_()
    page.unroute("**/api/organization/*")
    expect(organization.get_by_role("alert")).to_have_text("You lack the permission to do that!")


def test_a_page_that_does_not_exist_says_so(page):
    page.goto("/#/no-such-page")
    expect(page.get_by_role("heading", name="Page not found")).to_be_visible()


def test_at_phone_width_by_keyboard_alone(page, server):
    page.set_viewport_size(PHONE)
    page.goto("/")
    expect(page.get_by_label("Username")).to_be_focused()
    page.keyboard.type("root")
    page.keyboard.press("Tab")
    page.keyboard.type("root")
    page.keyboard.press("Enter")
    expect(page.locator(".organization-name")).to_have_text("root")
    fits = page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    assert fits, "the page scrolls sideways at phone width"
    page.screenshot(path=SCREENSHOTS / "home-phone.png", full_page=True)

    account = page.get_by_role("link", name="Account")
    for _ in range(10):  # from the page's heading, through the header, to the link
        page.keyboard.press("Shift+Tab")
        if account.evaluate("link => link === document.activeElement"):
            break
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Your account")).to_be_focused()
    expect(page.locator(".details")).to_contain_text("root")
