"""The home page in Chromium: each collaboration with how many of its nodes are online, the
newest tasks, and for each part its progress, empty and refused states."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.ui import PASSWORD, PHONE, sign_in, viewer

pytestmark = pytest.mark.browser

SHOWN_TASKS = 5  # RECENT_TASKS in home.js
REFUSED = "You lack the permission to do that!"


def own_collaboration(server, user: dict) -> str:
    """The name of a new collaboration of the user's organization alone, without nodes."""
    name = f"Study of {user['organization']}"
    server.ok(
        "POST", "/collaboration", {"name": name, "organization_ids": [user["organization_id"]]}
    )
    return name


def test_home_shows_the_nodes_online_and_the_newest_tasks(page, server):
    ids = server.collaboration(organizations=2)  # root's organization and two, with nodes
    server.root_node_key(ids)
    collaboration = server.ok("GET", f"/collaboration/{ids['collab']}")["name"]
    names = [f"Average {number}" for number in range(SHOWN_TASKS + 1)]
    for name in names:
        server.task(ids, "demo/average", {"method": "average"}, name=name)
    online = server.socket(server.node_token(ids["keys"][0]))
    assert online.event()["event"] == "sync"  # the node is online now
    try:
        page.goto("/")
        sign_in(page, "root", "root")
        row = page.locator(".collaborations li", has_text=collaboration)
        expect(row).to_contain_text("1 of 3 nodes online")

        tasks = page.get_by_role("region", name="Recent tasks")
        shown = tasks.locator("li")
        expect(shown).to_have_count(SHOWN_TASKS)
        newest = list(reversed(names))[:SHOWN_TASKS]
        expect(shown.locator(".task-name")).to_have_text(newest)
        expect(shown.first).to_contain_text(collaboration)
        expect(shown.first).to_contain_text("pending")
        expect(shown.first.locator("time")).to_have_attribute("datetime", re.compile(r"^\d{4}-"))

        page.set_viewport_size(PHONE)
        expect(shown).to_have_count(SHOWN_TASKS)
        fits = page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
        assert fits, "the home page scrolls sideways at phone width"
    finally:
        online.close()


def test_each_part_shows_its_progress_then_its_empty_state(page, server):
    user = viewer(server)
    collaboration = own_collaboration(server, user)
    held = []  # the node counts and the tasks, held until the page has shown it is loading
    page.route(re.compile(r"/api/(node|task)\?"), lambda route: held.append(route))
    page.goto("/")
    sign_in(page, user["username"], PASSWORD)

    tasks = page.get_by_role("region", name="Recent tasks")
    expect(tasks.get_by_role("status")).to_have_text("Loading recent tasks…")
    expect(tasks.locator("[aria-busy=true]")).to_have_count(1)
    row = page.locator(".collaborations li", has_text=collaboration)
    expect(row.get_by_role("status")).to_have_text("Loading nodes…")
    expect(row.locator("[aria-busy=true]")).to_have_count(1)
    for _ in range(50):  # the nodes (one request for every collaboration) and the tasks
        if len(held) == 2:
            break
        page.wait_for_timeout(100)
    assert len(held) == 2, [route.request.url for route in held]
    for route in held:
        route.continue_()

    expect(row).to_contain_text("No nodes yet")
    expect(tasks).to_contain_text("No tasks yet.")
    expect(page.locator("[aria-busy=true]")).to_have_count(0)


def test_a_refused_part_shows_the_servers_message_and_the_others_still_show(
    page, server, browser_problems
):
    browser_problems.allow("status of 403")  # Chromium logs the refused requests
    visible = [
        ("organization", "organization", "view"),
        ("collaboration", "organization", "view"),
    ]
    user = viewer(server, roles=(), rules=visible)  # neither nodes nor tasks
    collaboration = own_collaboration(server, user)
    page.goto("/")
    sign_in(page, user["username"], PASSWORD)

    expect(page.locator(".organization-name")).to_have_text(user["organization"])
    row = page.locator(".collaborations li", has_text=collaboration)
    expect(row.get_by_role("alert")).to_have_text(REFUSED)
    tasks = page.get_by_role("region", name="Recent tasks")
    expect(tasks.get_by_role("alert")).to_have_text(REFUSED)
    expect(page.get_by_role("alert")).to_have_count(2)
