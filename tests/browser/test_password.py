"""Changing one's own password in Chromium: the page checks that the new password was typed
twice alike, shows the server's refusal of a wrong current password, and afterwards signs
out (the server ended every session) and asks to sign in with the new password."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.ui import PASSWORD, PHONE, expect_sign_in_page, login_status, sign_in, viewer
from vantage6.server.api.endpoints.password import WRONG_PASSWORD

pytestmark = pytest.mark.browser

NEW_PASSWORD = "Changed-password-2!"


def fill_new_password(page, first: str, second: str) -> None:
    page.get_by_label("New password", exact=True).fill(first)
    page.get_by_label("New password again").fill(second)
    page.get_by_label("New password again").press("Enter")


def test_a_user_changes_their_password_and_signs_in_with_the_new_one(
    page, server, browser_problems
):
    browser_problems.allow("status of 401")  # Chromium logs the refused current password
    user = viewer(server)
    page.goto("/")
    sign_in(page, user["username"], PASSWORD)
    page.get_by_role("link", name="Account").click()
    page.get_by_role("link", name="Change your password").click()
    expect(page).to_have_url(re.compile("#/account/password$"))
    expect(page.get_by_label("Current password")).to_be_focused()

    page.get_by_label("Current password").fill("Not-the-password-1!")
    fill_new_password(page, NEW_PASSWORD, NEW_PASSWORD)
    expect(page.get_by_role("alert")).to_have_text(WRONG_PASSWORD)

    page.get_by_label("Current password").fill(PASSWORD)
    fill_new_password(page, NEW_PASSWORD, "Changed-password-3!")
    expect(page.get_by_role("alert")).to_contain_text("The two new passwords differ")
    expect(page.get_by_label("New password again")).to_be_focused()

    held = []  # the change, held until the page has shown that it is on its way
    page.route("**/api/password/change", lambda route: held.append(route))
    fill_new_password(page, NEW_PASSWORD, NEW_PASSWORD)
    expect(page.get_by_role("button", name="Changing the password…")).to_be_disabled()
    held[0].continue_()
    page.unroute("**/api/password/change")

    expect_sign_in_page(page)
    expect(page.get_by_role("status")).to_have_text(
        "Your password has been changed, and you were signed out: sign in with the new password."
    )
    expect(page.get_by_role("banner")).not_to_contain_text("Sign out")
    assert login_status(server, user["username"], PASSWORD) == 401
    sign_in(page, user["username"], NEW_PASSWORD)
    expect(page.locator(".organization-name")).to_have_text(user["organization"])


def test_at_phone_width_by_keyboard_alone(page, server):
    user = viewer(server)
    page.set_viewport_size(PHONE)
    page.goto("/")
    sign_in(page, user["username"], PASSWORD)
    expect(page.locator(".organization-name")).to_have_text(user["organization"])
    page.goto("/#/account/password")
    expect(page.get_by_label("Current password")).to_be_focused()
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Tab")
    page.keyboard.type(NEW_PASSWORD)
    page.keyboard.press("Tab")
    page.keyboard.type(NEW_PASSWORD)
    page.keyboard.press("Enter")
    expect_sign_in_page(page)
    fits = page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    assert fits, "the page scrolls sideways at phone width"
    assert login_status(server, user["username"], NEW_PASSWORD) == 200
