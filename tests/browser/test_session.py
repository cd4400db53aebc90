"""Sessions in Chromium with access tokens of three seconds: the page renews them on its own,
and when renewing fails too, the user signs in again and returns to where they were."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.ui import PASSWORD, expect_sign_in_page, login, sign_in, viewer

pytestmark = pytest.mark.browser

ACCESS_SECONDS = 3
SERVER_SETTINGS = {
    "vantage6.jwt.access_expires_seconds": str(ACCESS_SECONDS),
    "vantage6.jwt.refresh_expires_seconds": "600",
}
PAST_EXPIRY_MS = (ACCESS_SECONDS + 0.5) * 1000


def signed_in(page, server, password: str = PASSWORD) -> dict:
    user = viewer(server, password=password)
    page.goto("/")
    sign_in(page, user["username"], password)
    expect(page.locator(".organization-name")).to_have_text(user["organization"])
    return user


def test_an_expired_access_token_is_renewed_without_the_user_noticing(page, server):
    user = signed_in(page, server)
    answers = []
    page.on("response", lambda response: answers.append((response.url, response.status)))
    page.wait_for_timeout(PAST_EXPIRY_MS)

    page.get_by_role("link", name="Account").click()
    expect(page.locator(".details")).to_contain_text(user["organization"])
    expect(page).to_have_url(re.compile("#/account$"))
    assert (f"{server.api}/token/refresh", 200) in answers
    assert all(status < 400 for _url, status in answers), answers


def test_when_renewal_fails_too_the_user_signs_in_again_and_returns(page, server, browser_problems):
    browser_problems.allow("status of 401")  # Chromium logs the refused renewal
    old, new = "Old-password-1!", "New-password-2!"
    user = signed_in(page, server, password=old)
    # Changing the password elsewhere logs every token out, the refresh token too.
    change = {"current_password": old, "new_password": new}
    server.ok("PATCH", "/password/change", change, login(server, user["username"], old))
    page.wait_for_timeout(PAST_EXPIRY_MS)

    page.get_by_role("link", name="Account").click()
    expect_sign_in_page(page)
    expect(page.get_by_role("status")).to_contain_text("Your session has ended")
    sign_in(page, user["username"], new)
    expect(page).to_have_url(re.compile("#/account$"))
    expect(page.locator(".details")).to_contain_text(user["username"])
