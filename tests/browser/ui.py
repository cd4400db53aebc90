"""What the browser tests do often: arrange users through the API, sign in through the page,
wait for a page's actions, check what it offers, delete through it."""

from __future__ import annotations

import base64
import re
import tempfile
import uuid
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlencode

import pyotp
from playwright.sync_api import Page, expect

from tests.support import POSTGRES_URL

PASSWORD = "Browser-Test-1!"
# The documentation's pictures come from the SQLite pass; the PostgreSQL pass, which
# scripts/test runs beside it, puts its own aside, so that no picture is written twice at once.
SCREENSHOTS = (
    Path(tempfile.mkdtemp(prefix="vantage6-screenshots-"))
    if POSTGRES_URL
    else Path(__file__).resolve().parents[2] / "docs" / "screenshots"
)
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
# An image as a scanner sees it: drawn on a canvas, its grey levels (base64, row by row).
QR_SIZE = 360
PIXELS = """(image, size) => {
    const canvas = document.createElement("canvas");
    canvas.width = canvas.height = size;
    const context = canvas.getContext("2d");
    context.drawImage(image, 0, 0, size, size);
    const rgba = context.getImageData(0, 0, size, size).data;
    let grey = "";
    for (let i = 0; i < rgba.length; i += 4) grey += String.fromCharCode(rgba[i]);
    return btoa(grey);
}"""


def viewer(server, password: str = PASSWORD, roles=("Viewer",), rules=()) -> dict:
    """A user with ``roles`` and ``rules`` (as :func:`new_user`) in a new organization of no
    collaboration: ``{"id", "username", "organization", "organization_id"}``."""
    root = login(server, "root", "root")  # anew: servers of short-lived tokens are tested
    organization = f"Hospital {uuid.uuid4().hex[:6]}"
    organization_id = server.ok("POST", "/organization", {"name": organization}, root)["id"]
    user = new_user(server, organization_id, roles, rules, "viewer", password, root)
    return {
        "id": user["id"],
        "username": user["username"],
        "organization": organization,
        "organization_id": organization_id,
    }


def new_user(
    server,
    organization_id: int,
    roles=(),
    rules=(),
    prefix: str = "user",
    password: str = PASSWORD,
    token: str | None = None,
) -> dict:
    """A user ``<prefix>-<random>`` of ``organization_id`` with ``roles`` (default roles, by
    name) and ``rules`` (``(resource, scope, operation)`` triples such as ``("organization",
    "organization", "view")``), made by ``token`` (root's by default): the server's answer."""
    token = token or server.root
    username = f"{prefix}-{uuid.uuid4().hex[:6]}"
    body = {
        "username": username,
        "password": password,
        "email": f"{username}@example.org",
        "organization_id": organization_id,
        "roles": [default_role_id(server, name, token) for name in roles],
        "rules": [rule_id(server, *rule, token) for rule in rules],
    }
    return server.ok("POST", "/user", body, token)


def default_role_id(server, name: str, token: str | None = None) -> int:
    """The id of the role called ``name`` (that root sees, by default)."""
    return server.ok("GET", f"/role?{urlencode({'name': name})}", token=token)["data"][0]["id"]


def rule_id(server, resource: str, scope: str, operation: str, token: str) -> int:
    """The id of rule (resource, scope, operation), e.g. ("organization", "global", "view")."""
    query = f"/rule?name={resource}&scope={scope}&operation={operation}"
    (rule,) = server.ok("GET", query, token=token)["data"]
    return rule["id"]


def login(server, username: str, password: str, code: str | None = None) -> str:
    """An access token, through the API; ``code`` is the second factor, where one is asked."""
    status, answer = server.call("POST", "/token/user", credentials(username, password, code))
    assert status == 200 and "access_token" in answer, (status, answer)
    return answer["access_token"]


def login_status(server, username: str, password: str, code: str | None = None) -> int:
    """The status of logging in through the API."""
    return server.call("POST", "/token/user", credentials(username, password, code))[0]


def credentials(username: str, password: str, code: str | None = None) -> dict:
    body = {"username": username, "password": password}
    if code is not None:
        body["mfa_code"] = code
    return body


def enrolled(server, username: str, password: str) -> pyotp.TOTP:
    """Enrol through the API, as a first login does: the second factor set up."""
    status, answer = server.call("POST", "/token/user", credentials(username, password))
    assert status == 200 and "otp_secret" in answer, (status, answer)
    return pyotp.TOTP(answer["otp_secret"])


def sign_in(page: Page, username: str, password: str) -> None:
    """Type the credentials into the sign-in page on screen and press Enter."""
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_label("Password").press("Enter")


def expect_sign_in_page(page: Page) -> None:
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    expect(page).to_have_url(re.compile("#/signin"))


def signed_in_at(page: Page, address: str, username: str = "root", password: str = "root"):
    """Open the page at ``address`` (a hash, "#/users"), signing in on the way."""
    page.goto(f"/{address}")
    sign_in(page, username, password)
    expect(page).to_have_url(re.compile(f"{re.escape(address)}$"))


def search(page: Page, text: str) -> None:
    """Search a list by name."""
    page.get_by_label("Name contains").fill(text)
    page.get_by_role("button", name="Search").click()


@contextmanager
def loading_shown(page: Page, resource: str):
    """Hold the request to /api/<resource> that the block sends (a search) until the list has
    shown that it is loading."""
    pattern = f"**/api/{resource}?*"
    held = []
    page.route(pattern, lambda route: held.append(route))
    yield
    expect(page.get_by_role("status")).to_have_text(f"Loading {resource}s…")
    expect(page.locator(".results")).to_have_attribute("aria-busy", "true")
    held[0].continue_()
    page.unroute(pattern)


def actions_settled(page: Page):
    """The page's actions, once the user's permissions are known."""
    actions = page.locator(".page-actions")
    expect(actions).not_to_have_attribute("aria-busy", "true")
    return actions


def expect_no_changes_offered(page: Page) -> None:
    """A record's page offers neither Edit nor Delete."""
    actions = actions_settled(page)
    expect(actions.get_by_role("link", name="Edit")).to_have_count(0)
    expect(actions.get_by_role("button", name="Delete")).to_have_count(0)


def expect_forms_refused(page: Page, kind: str, record_id: int) -> None:
    """The pages that create a ``kind`` ("role") and edit record ``record_id`` say that the
    user's rules allow neither, and offer no form."""
    page.goto(f"/#/{kind}s/new")
    expect(page.get_by_text(f"Your rules do not allow creating {kind}s.")).to_be_visible()
    expect(page.get_by_role("button", name=f"Create {kind}")).to_have_count(0)
    page.goto(f"/#/{kind}s/{record_id}/edit")
    expect(page.get_by_text(f"Your rules do not allow editing this {kind}.")).to_be_visible()


def fill_argument(page: Page, label: str, type_: str, value: str, name: str | None = None):
    """In the task form, add an argument (``label`` "Argument", or "Keyword argument" with
    ``name``) and fill its row, the last."""
    page.get_by_role("button", name=f"Add {label.lower()}", exact=True).click()
    legend = "Keyword arguments" if name is not None else "Positional arguments"
    rows = page.get_by_role("group", name=re.compile(f"^{legend}")).locator("li.argument")
    prefix = f"{label} {rows.count()}"
    if name is not None:
        page.get_by_label(f"{prefix} name", exact=True).fill(name)
    page.get_by_label(f"{prefix} type", exact=True).select_option(label=type_)
    page.get_by_label(f"{prefix} value", exact=True).fill(value)


def create_task(page: Page) -> int:
    """Press the task form's Create task: the new task's id, from the task's page that
    follows."""
    page.get_by_role("button", name="Create task").click()
    expect(page).to_have_url(re.compile(r"#/tasks/\d+$"))
    return int(page.url.rsplit("/", 1)[1])


def run_statuses(page: Page):
    """The statuses in the task page's table of runs."""
    return page.locator("table.runs tbody td[data-label='Status']")


def ask_deletion(page: Page):
    """Press the record page's Delete: the confirmation it asks for."""
    actions_settled(page).get_by_role("button", name="Delete").click()
    return page.get_by_role("group", name="Confirm deletion")


def delete_on_page(page: Page, server, kind: str, record_id: int, name: str) -> None:
    """Delete the ``kind`` ("role") called ``name`` whose page is shown, as confirmed."""
    confirm = ask_deletion(page)
    expect(confirm).to_contain_text(f"Delete {kind} “{name}”?")
    confirm.get_by_role("button", name="Yes, delete").click()
    expect_deleted(page, server, kind, record_id)


def expect_deleted(page: Page, server, kind: str, record_id: int) -> None:
    """The list of ``kind`` ("role") follows a deletion, saying so, and the API finds the
    record no more."""
    expect(page).to_have_url(re.compile(f"#/{kind}s$"))
    expect(page.locator(".notice")).to_have_text(f"{kind.capitalize()} {record_id} was deleted")
    assert server.call("GET", f"/{kind}/{record_id}", token=server.root)[0] == 404


def scanned(image) -> list[str]:
    """What a scanner reads in ``image`` (a locator of an img) drawn on a canvas."""
    # Imported here: only the two-factor tests read QR codes.
    import numpy as np
    import zxingcpp

    grey = base64.b64decode(image.evaluate(PIXELS, QR_SIZE))
    pixels = np.frombuffer(grey, dtype=np.uint8).reshape(QR_SIZE, QR_SIZE)
    return [result.text for result in zxingcpp.read_barcodes(pixels)]


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
