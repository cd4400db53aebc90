"""Two-factor sign-in in Chromium: the first sign-in shows the new secret (as text and as a
QR code that a scanner reads), a code from it signs in, and later sign-ins ask for a code."""

from __future__ import annotations

import re
import time

import pyotp
import pytest
from playwright.sync_api import expect

from tests.browser.ui import expect_sign_in_page, scanned, sign_in
from vantage6.server.api.endpoints.token import CODE_MISSING
from vantage6.server.security.login import BAD_CODE

pytestmark = pytest.mark.browser

SERVER_SETTINGS = {"vantage6.two_factor_auth": "true"}


def test_the_first_sign_in_enrols_and_a_code_from_the_secret_signs_in(page, browser_problems):
    browser_problems.allow("status of 401")  # Chromium logs the refused wrong code
    page.goto("/")
    sign_in(page, "root", "root")  # nobody has a second factor yet on this server

    enrolment = page.get_by_role("region", name="Set up two-factor authentication")
    expect(enrolment).to_be_visible()
    secret = enrolment.locator(".otp-secret").inner_text()
    uri = enrolment.locator(".otp-uri").inner_text()
    assert uri.startswith("otpauth://totp/") and f"secret={secret}" in uri
    image = enrolment.get_by_role("img", name="QR code")
    expect(image).to_have_attribute("src", re.compile(r"^data:image/svg\+xml[;,]"))
    expect(enrolment.locator("figure")).not_to_have_attribute("aria-busy", "true")
    assert scanned(image) == [uri]

    totp = pyotp.TOTP(secret)
    code = page.get_by_label("Two-factor code")
    expect(code).to_be_focused()
    code.fill(totp.now())
    code.press("Enter")
    expect(page.locator(".organization-name")).to_have_text("root")

    page.get_by_role("button", name="Sign out").click()
    expect_sign_in_page(page)
    sign_in(page, "root", "root")
    expect(page.get_by_role("status")).to_have_text(CODE_MISSING)
    expect(page.get_by_role("region", name="Set up two-factor authentication")).to_have_count(0)
    code.fill("000000" if totp.now() != "000000" else "111111")
    code.press("Enter")
    expect(page.get_by_role("alert")).to_have_text(BAD_CODE)
    # Each code signs in once: the next time step's code, which the server accepts early.
    code.fill(totp.at(time.time() + totp.interval))
    code.press("Enter")
    expect(page.locator(".organization-name")).to_have_text("root")
