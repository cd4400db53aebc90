"""Resetting another user's two-factor authentication from their page, on a server that asks
for two-factor: after the reset, their next login sets it up again (checked through the
API). Nobody is offered a reset of their own, and the API refuses it."""

from __future__ import annotations

import time
import uuid

import pytest
from playwright.sync_api import expect

from tests.browser.ui import PASSWORD, actions_settled, enrolled, login, sign_in
from vantage6.server.api.endpoints.token import CODE_MISSING

pytestmark = pytest.mark.browser

SERVER_SETTINGS = {"vantage6.two_factor_auth": "true"}


def first_login(server, username: str) -> dict:
    """What a login with the right password (and no code) answers."""
    return server.call("POST", "/token/user", {"username": username, "password": PASSWORD})[1]


def test_an_admin_resets_someones_two_factor_and_their_next_login_enrols_again(page, server):
    root_codes = enrolled(server, "root", "root")
    root = login(server, "root", "root", root_codes.now())
    root_id = server.ok("GET", "/user?username=root", token=root)["data"][0]["id"]
    username = f"lost-phone-{uuid.uuid4().hex[:6]}"
    body = {"username": username, "password": PASSWORD, "email": f"{username}@example.org"}
    user_id = server.ok("POST", "/user", body, root)["id"]
    codes = enrolled(server, username, PASSWORD)
    login(server, username, PASSWORD, codes.now())
    assert first_login(server, username) == {"msg": CODE_MISSING}

    page.goto(f"/#/users/{root_id}")
    sign_in(page, "root", "root")
    code = page.get_by_label("Two-factor code")
    # The API login used this time step's code; each code signs in once.
    code.fill(root_codes.at(time.time() + root_codes.interval))
    code.press("Enter")
    expect(page.get_by_role("heading", name="root")).to_be_visible()
    actions = actions_settled(page)
    expect(actions.get_by_role("link", name="Edit")).to_be_visible()
    expect(actions.get_by_role("button", name="Reset two-factor")).to_have_count(0)

    page.goto(f"/#/users/{user_id}")
    expect(page.get_by_role("heading", name=username)).to_be_visible()
    actions.get_by_role("button", name="Reset two-factor").click()
    confirm = page.get_by_role("group", name="Confirm two-factor reset")
    expect(confirm).to_contain_text(f"Reset the two-factor authentication of “{username}”?")
    confirm.get_by_role("button", name="Cancel").click()
    expect(confirm).to_have_count(0)
    assert first_login(server, username) == {"msg": CODE_MISSING}

    actions.get_by_role("button", name="Reset two-factor").click()
    confirm.get_by_role("button", name="Yes, reset two-factor").click()
    expect(actions.get_by_role("status")).to_have_text(
        f"The two-factor authentication of user {user_id} was reset: they set it up again at "
        "their next login"
    )
    again = first_login(server, username)
    assert "otp_secret" in again and again["otp_secret"] != codes.secret, again

    assert server.call("POST", f"/user/{root_id}/2fa/reset", token=root)[0] == 403
