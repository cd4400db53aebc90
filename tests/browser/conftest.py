"""Browser tests of the web UI: headless Chromium (Debian's ``chromium``, driven by
Playwright for Python; no browser is downloaded) against a real ``pserve`` on a throwaway
database, one server per test module. As root, the browser runs in a network namespace of its
own (``netns``), out of reach of the network changes algorithm containers make.

A module sets ``SERVER_SETTINGS`` for its server. Every test's page fails the test when the
browser logs a console error or a script error, or asks anything of another host; a test
that provokes an error on purpose (a refused login is logged by Chromium) says so with
``browser_problems.allow(...)``.
"""

from __future__ import annotations

import os
import re
import shutil
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect, sync_playwright

from tests.browser import netns
from tests.browser.ui import DESKTOP

LOCAL_SCHEMES = ("data", "blob", "about")  # what the page makes itself, from no host
# Generous: waits end as soon as the page is ready, and the machine may be busy with more.
TIMEOUT_MS = 15_000
expect.set_options(timeout=TIMEOUT_MS)


def chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def required_in_ci(what: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI must install {what} (scripts/bootstrap-system)")


@pytest.fixture(scope="session")
def browser_network(tmp_path_factory):
    """The browser's own network namespace, where it can be made (else None)."""
    if not netns.possible():
        required_in_ci("iproute2 and socat, and run as root,")
        yield None
        return
    network = netns.BrowserNetwork(tmp_path_factory.mktemp("browser-network"))
    yield network
    network.remove()


@pytest.fixture(scope="session")
def browser(browser_network):
    if chromium() is None:
        required_in_ci("chromium")
        pytest.skip("chromium is not installed")
    executable = browser_network.launcher(chromium()) if browser_network else chromium()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=["--no-sandbox"])
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def server(request, tmp_path_factory, database_factory, browser_network):
    """pserve on a copy of development.ini, with the module's ``SERVER_SETTINGS``; ``url``
    is the UI's address."""
    # Imported here, so that collecting the suite without browser tests does not pay for it.
    from tests.functional.node.daemons import RestartableServer

    settings = getattr(request.module, "SERVER_SETTINGS", {})
    server = RestartableServer(
        tmp_path_factory.mktemp("ui-server"), database_factory.new_url(), **settings
    )
    server.url = f"http://127.0.0.1:{server.port}/"
    server.start()
    if browser_network:
        browser_network.open(server.port)
    yield server
    if browser_network:
        browser_network.close(server.port)
    server.stop()


class Problems:
    """What went wrong in the browser: console errors, script errors, other hosts asked."""

    def __init__(self, origin: str):
        self.origin = origin
        self.found: list[str] = []
        self.allowed: list[re.Pattern] = []

    def allow(self, pattern: str) -> None:
        """Console errors matching ``pattern`` (a regular expression) are expected."""
        self.allowed.append(re.compile(pattern))

    def console(self, message) -> None:
        if message.type == "error":
            self.found.append(f"console error: {message.text}")

    def script_error(self, error) -> None:
        self.found.append(f"script error: {error}")

    def request(self, request) -> None:
        url = urlsplit(request.url)
        if url.scheme not in LOCAL_SCHEMES and f"{url.scheme}://{url.netloc}" != self.origin:
            self.found.append(f"request to another host: {request.url}")

    def unexpected(self) -> list[str]:
        return [
            found
            for found in self.found
            if not any(pattern.search(found) for pattern in self.allowed)
        ]


@pytest.fixture
def browser_problems(server):
    return Problems(server.url.rstrip("/"))


@pytest.fixture
def page(browser, server, browser_problems):
    """A new page (in a browser context of its own: no state from other tests) at desktop
    width; the test fails on what :class:`Problems` finds."""
    context = browser.new_context(viewport=DESKTOP, base_url=server.url)
    context.set_default_timeout(TIMEOUT_MS)
    context.on("request", browser_problems.request)
    page = context.new_page()
    page.on("console", browser_problems.console)
    page.on("pageerror", browser_problems.script_error)
    yield page
    problems = browser_problems.unexpected()  # before closing: that aborts what is in flight
    context.close()
    if problems:
        pytest.fail("the browser saw problems:\n" + "\n".join(problems))
