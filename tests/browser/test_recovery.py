"""Getting back into an account in Chromium: a forgotten password is reset with the token a
real SMTP server receives, and after too many wrong passwords the sign-in page shows the
server's refusal even for the right one."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.ui import (
    PASSWORD,
    PHONE,
    expect_sign_in_page,
    login_status,
    mail_to,
    sign_in,
    smtp_sink,
    viewer,
)
from vantage6.server.api.endpoints.recover import PASSWORD_MAIL_SENT
from vantage6.server.security.login import FAILED

pytestmark = pytest.mark.browser

MAX_FAILED_ATTEMPTS = 3
SERVER_SETTINGS = {"vantage6.login.max_failed_attempts": str(MAX_FAILED_ATTEMPTS)}
NEW_PASSWORD = "Recovered-password-2!"


@pytest.fixture(scope="module")
def inbox():
    yield from smtp_sink(SERVER_SETTINGS)


@pytest.fixture(scope="module")
def server(inbox, server):
    """The conftest's server, started once the SMTP server it mails through runs."""
    return server


def test_a_forgotten_password_is_reset_with_the_emailed_token(page, server, inbox):
    user = viewer(server)
    address = f"{user['username']}@example.org"
    page.goto("/")
    page.get_by_role("link", name="Forgot your password?").click()
    expect(page.get_by_role("heading", name="Forgot your password?")).to_be_visible()
    expect(page.get_by_label("Username or email")).to_be_focused()

    held = []  # the request, held until the page has shown that it is on its way
    page.route("**/api/recover/lost", lambda route: held.append(route))
    page.get_by_label("Username or email").fill(address)
    page.get_by_label("Username or email").press("Enter")
    expect(page.get_by_role("button", name="Sending…")).to_be_disabled()
    held[0].continue_()
    page.unroute("**/api/recover/lost")
    expect(page.get_by_role("status")).to_have_text(PASSWORD_MAIL_SENT)

    token = inbox.token(mail_to(inbox, address, "Reset your vantage6 password"))
    page.get_by_role("link", name="I have a token").click()
    expect(page.get_by_role("heading", name="Choose a new password")).to_be_visible()
    page.get_by_label("Token from the email").fill(token)
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("New password again").fill(NEW_PASSWORD + "x")
    page.get_by_role("button", name="Set the new password").click()
    expect(page.get_by_role("alert")).to_contain_text("The two new passwords differ")
    assert login_status(server, user["username"], PASSWORD) == 200  # nothing was sent

    page.get_by_label("New password again").fill(NEW_PASSWORD)
    page.get_by_label("New password again").press("Enter")
    expect_sign_in_page(page)
    notice = "Your password has been reset: sign in with your new password."
    expect(page.get_by_role("status")).to_have_text(notice)
    assert login_status(server, user["username"], PASSWORD) == 401
    assert login_status(server, user["username"], NEW_PASSWORD) == 200
    sign_in(page, user["username"], NEW_PASSWORD)
    expect(page.locator(".organization-name")).to_have_text(user["organization"])


def test_a_used_token_in_the_link_is_refused_with_the_servers_message(
    page, server, inbox, browser_problems
):
    browser_problems.allow("status of 400")  # Chromium logs the refused token
    user = viewer(server)
    server.call("POST", "/recover/lost", {"username": user["username"]})
    address = f"{user['username']}@example.org"
    token = inbox.token(mail_to(inbox, address, "Reset your vantage6 password"))
    server.ok("POST", "/recover/reset", {"reset_token": token, "password": NEW_PASSWORD})

    page.goto(f"/#/reset-password?token={token}")
    expect(page.get_by_label("Token from the email")).to_have_value(token)
    expect(page.get_by_label("New password", exact=True)).to_be_focused()
    page.get_by_label("New password", exact=True).fill("Another-password-3!")
    page.get_by_label("New password again").fill("Another-password-3!")
    page.get_by_label("New password again").press("Enter")
    expect(page.get_by_role("alert")).to_have_text(re.compile("^The reset token is not valid"))
    expect(page.get_by_role("heading", name="Choose a new password")).to_be_visible()
    assert login_status(server, user["username"], NEW_PASSWORD) == 200


def test_after_too_many_wrong_passwords_the_right_one_is_refused_too(
    page, server, inbox, browser_problems
):
    browser_problems.allow("status of 401")  # Chromium logs the refused logins
    user = viewer(server)
    page.goto("/")
    for _ in range(MAX_FAILED_ATTEMPTS):
        with page.expect_response("**/api/token/user") as refused:
            sign_in(page, user["username"], "Wrong-password-1!")
        assert refused.value.status == 401
        expect(page.get_by_role("alert")).to_have_text(FAILED)

    with page.expect_response("**/api/token/user") as refused:
        sign_in(page, user["username"], PASSWORD)
    assert refused.value.status == 401
    expect(page.get_by_role("alert")).to_have_text(FAILED)
    expect_sign_in_page(page)
    assert login_status(server, user["username"], PASSWORD) == 401
    address = f"{user['username']}@example.org"
    lockout = mail_to(inbox, address, "Failed login attempts on your vantage6 account")
    assert "logging in is blocked until" in " ".join(lockout.get_content().split())


def test_asking_for_a_token_at_phone_width_by_keyboard_alone(page, server, inbox):
    user = viewer(server)
    page.set_viewport_size(PHONE)
    page.goto("/")
    expect(page.get_by_label("Username")).to_be_focused()
    forgot = page.get_by_role("link", name="Forgot your password?")
    for _ in range(5):  # past the password field and the button to the link
        page.keyboard.press("Tab")
        if forgot.evaluate("link => link === document.activeElement"):
            break
    page.keyboard.press("Enter")
    expect(page.get_by_label("Username or email")).to_be_focused()
    page.keyboard.type(user["username"])
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_have_text(PASSWORD_MAIL_SENT)
    fits = page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    assert fits, "the page scrolls sideways at phone width"
    mail_to(inbox, f"{user['username']}@example.org", "Reset your vantage6 password")
