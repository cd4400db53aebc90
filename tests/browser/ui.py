"""What the browser tests do often: arrange users through the API, sign in through the page."""

from __future__ import annotations

import re
import uuid
from pathlib import Path
from urllib.parse import quote

from playwright.sync_api import Page, expect

PASSWORD = "Browser-Test-1!"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


def viewer(server, password: str = PASSWORD, roles=("Viewer",), rules=()) -> dict:
    """A user with ``roles`` (default roles, by name) and ``rules`` (``(resource, scope,
    operation)`` triples such as ``("organization", "organization", "view")``) in a new
    organization of no collaboration: ``{"id", "username", "organization",
    "organization_id"}``."""
    root = login(server, "root", "root")  # anew: servers of short-lived tokens are tested
    suffix = uuid.uuid4().hex[:6]
    organization = f"Hospital {suffix}"
    organization_id = server.ok("POST", "/organization", {"name": organization}, root)["id"]
    role_ids = [
        server.ok("GET", f"/role?name={quote(name)}", token=root)["data"][0]["id"] for name in roles
    ]
    rule_ids = [rule_id(server, *rule, root) for rule in rules]
    username = f"viewer-{suffix}"
    body = {
        "username": username,
        "password": password,
        "email": f"{username}@example.org",
        "organization_id": organization_id,
        "roles": role_ids,
        "rules": rule_ids,
    }
    user_id = server.ok("POST", "/user", body, root)["id"]
    return {
        "id": user_id,
        "username": username,
        "organization": organization,
        "organization_id": organization_id,
    }


def rule_id(server, resource: str, scope: str, operation: str, token: str) -> int:
    """The id of rule (resource, scope, operation), e.g. ("organization", "global", "view")."""
    query = f"/rule?name={resource}&scope={scope}&operation={operation}"
    (rule,) = server.ok("GET", query, token=token)["data"]
    return rule["id"]


def login(server, username: str, password: str) -> str:
    """An access token, through the API."""
    status, answer = server.call(
        "POST", "/token/user", {"username": username, "password": password}
    )
    assert status == 200 and "access_token" in answer, (status, answer)
    return answer["access_token"]


def sign_in(page: Page, username: str, password: str) -> None:
    """Type the credentials into the sign-in page on screen and press Enter."""
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_label("Password").press("Enter")


def expect_sign_in_page(page: Page) -> None:
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    expect(page).to_have_url(re.compile("#/signin"))


def smtp_sink(settings: dict):
    """For a module-scoped fixture: a local SMTP server, whose settings join ``settings`` (the
    module's ``SERVER_SETTINGS``) so that the module's server, started after it, mails there.
    Yields the server's inbox."""
    from tests.smtp_server import running_smtp_server

    with running_smtp_server() as inbox:
        settings.update(inbox.settings())
        yield inbox


def mail_to(inbox, address: str, subject: str, timeout: float = 15):
    """The message to ``address`` about ``subject``, once it arrives (the server sends its
    email in the background, after answering)."""
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for message in inbox.messages:
            if message["To"] == address and message["Subject"] == subject:
                return message
        time.sleep(0.1)
    raise AssertionError(f"no email {subject!r} to {address} within {timeout} s")
