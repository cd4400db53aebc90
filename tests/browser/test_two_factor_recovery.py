"""A lost second factor in Chromium, on a server that requires one: the password proves the
account, a real SMTP server receives the reset token, the token in the page shows a new
secret and its QR code, and a code of the new secret signs in where the old one fails."""

from __future__ import annotations

import re

import pyotp
import pytest
from playwright.sync_api import expect

from tests.browser.ui import (
    PASSWORD,
    enrolled,
    expect_sign_in_page,
    login,
    login_status,
    mail_to,
    new_user,
    scanned,
    sign_in,
    smtp_sink,
)
from vantage6.server.api.endpoints.recover import TWO_FACTOR_MAIL_SENT
from vantage6.server.security.login import FAILED

pytestmark = pytest.mark.browser

SERVER_SETTINGS = {"vantage6.two_factor_auth": "true"}


@pytest.fixture(scope="module")
def inbox():
    yield from smtp_sink(SERVER_SETTINGS)


@pytest.fixture(scope="module")
def server(inbox, server):
    """The conftest's server, started once the SMTP server it mails through runs; root signs
    in to it with a second factor (each code works once, so once for the module)."""
    server._root = login(server, "root", "root", enrolled(server, "root", "root").now())
    return server


def enrolled_user(server) -> tuple[str, pyotp.TOTP]:
    """A new user of root's organization, and the second factor they set up."""
    username = new_user(server, server.root_org, roles=("Viewer",))["username"]
    return username, enrolled(server, username, PASSWORD)


def test_a_lost_second_factor_is_replaced_with_the_emailed_token(
    page, server, inbox, browser_problems
):
    browser_problems.allow("status of 401")  # Chromium logs the refused wrong password
    username, lost = enrolled_user(server)
    page.goto("/")
    page.get_by_role("link", name="Lost your two-factor device?").click()
    expect(page.get_by_role("heading", name="Lost your two-factor device?")).to_be_visible()
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("Wrong-password-1!")
    page.get_by_label("Password").press("Enter")
    expect(page.get_by_role("alert")).to_have_text(FAILED)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("Password").press("Enter")
    expect(page.get_by_role("status")).to_have_text(TWO_FACTOR_MAIL_SENT)

    subject = "Reset your vantage6 two-factor authentication"
    token = inbox.token(mail_to(inbox, f"{username}@example.org", subject))
    page.get_by_role("link", name="I have a token").click()
    expect(
        page.get_by_role("heading", name="Set up two-factor authentication again")
    ).to_be_visible()
    page.get_by_label("Token from the email").fill(token)
    page.get_by_role("button", name="Get a new secret").click()

    enrolment = page.get_by_role("region", name="Set up two-factor authentication")
    expect(enrolment).to_be_visible()
    expect(page.get_by_role("heading", name="Your new two-factor secret")).to_be_focused()
    secret = enrolment.locator(".otp-secret").inner_text()
    assert secret != lost.secret
    uri = enrolment.locator(".otp-uri").inner_text()
    assert f"secret={secret}" in uri
    image = enrolment.get_by_role("img", name="QR code")
    expect(image).to_have_attribute("src", re.compile(r"^data:image/svg\+xml[;,]"))
    expect(enrolment.locator("figure")).not_to_have_attribute("aria-busy", "true")
    assert scanned(image) == [uri]
    assert login_status(server, username, PASSWORD, lost.now()) == 401

    page.get_by_role("link", name="Sign in with a code of the new secret").click()
    expect_sign_in_page(page)
    sign_in(page, username, PASSWORD)
    code = page.get_by_label("Two-factor code")
    code.fill(pyotp.TOTP(secret).now())
    code.press("Enter")
    expect(page.get_by_role("heading", name=f"Welcome, {username}")).to_be_visible()
