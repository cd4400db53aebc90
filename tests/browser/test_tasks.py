"""The task list in Chromium: its filters (collaboration, status, who started a task, name)
show what the API answers for the same query; statuses that a real node reports, or that a
node's report through the API makes, show without reloading, over the event socket or, while
the socket is down (as the badge says), by polling; "New task" is offered to whoever may
create tasks and the API refuses those who may not; and a user without task view rules gets
the server's message."""

from __future__ import annotations

import re
import uuid
from urllib.parse import urlencode

import pytest
from playwright.sync_api import expect

from tests.browser.ui import (
    PASSWORD,
    SCREENSHOTS,
    actions_settled,
    login,
    new_user,
    search,
    signed_in_at,
    viewer,
)
from tests.federation import JSON_IMAGE, remove_containers, start_node, write_node_ini
from tests.functional.node.daemons import plain

pytestmark = pytest.mark.browser

ANSWER = {"method": "loads", "args": ['{"answer": 42}']}
POLL_SECONDS = 5  # core/live.js's default interval


def start_task(server, ids: dict, organization: int, name: str, token: str | None = None):
    """A task for ``organization`` in the collaboration of ``ids`` (as made by
    ``server.collaboration``), started by root or by the user of ``token``."""
    body = {
        "name": name,
        "image": JSON_IMAGE,
        "collaboration_id": ids["collab"],
        "organizations": [{"id": organization, "input": plain(ANSWER)}],
    }
    return server.ok("POST", "/task", body, token)


def report(server, api_key: str, task: dict, status: str) -> None:
    """What a node does when its run of ``task`` moves on: PATCH the run as the node."""
    (run,) = server.ok("GET", f"/run?task_id={task['id']}")["data"]
    server.ok("PATCH", f"/run/{run['id']}", {"status": status}, server.node_token(api_key))


def api_names(server, **query) -> list[str]:
    """The names of the tasks GET /task answers for ``query``, newest first (as the list)."""
    data = server.ok("GET", f"/task?{urlencode({**query, 'sort': '-id'})}")["data"]
    return [task["name"] for task in data]


def names_listed(page):
    return page.locator("table.tasks tbody tr td:first-child")


def row_of(page, name: str):
    return page.locator("table.tasks tbody tr").filter(has=page.get_by_role("link", name=name))


def status_of(page, name: str):
    return row_of(page, name).locator(".tag.status")


def badge(page):
    return page.locator(".page-head").get_by_role("status")


def test_the_filters_show_what_the_api_answers(page, server):
    ids = server.collaboration(2)
    elsewhere = server.collaboration(1)
    suffix = uuid.uuid4().hex[:6]
    first, second = ids["orgs"]
    analyst = new_user(server, first, roles=("Researcher",), prefix="analyst")
    token = login(server, analyst["username"], PASSWORD)
    alpha = start_task(server, ids, first, f"alpha {suffix}")
    beta = start_task(server, ids, second, f"beta {suffix}")
    start_task(server, ids, first, f"gamma {suffix}", token)
    start_task(server, elsewhere, elsewhere["orgs"][0], f"delta {suffix}")
    report(server, ids["keys"][1], beta, "active")
    report(server, ids["keys"][0], alpha, "completed")

    signed_in_at(page, "#/tasks")
    links = page.get_by_role("navigation", name="Main").get_by_role("link")
    expect(links).to_contain_text(["Nodes", "Tasks", "Users"])
    expect(page.get_by_role("link", name="Tasks")).to_have_attribute("aria-current", "page")
    search(page, suffix)
    expect(names_listed(page)).to_have_text(api_names(server, name=f"%{suffix}%"))
    expect(names_listed(page)).to_have_text(
        [f"{n} {suffix}" for n in "delta gamma beta alpha".split()]
    )
    gamma = row_of(page, f"gamma {suffix}").locator("td")
    collaboration = server.ok("GET", f"/collaboration/{ids['collab']}")["name"]
    organization = server.ok("GET", f"/organization/{first}")["name"]
    expect(gamma).to_have_text(
        [
            f"gamma {suffix}",
            collaboration,
            "pending",
            f"{analyst['username']}, {organization}",
            re.compile(r"\d"),
        ]
    )
    expect(status_of(page, f"beta {suffix}")).to_have_text("active")
    expect(status_of(page, f"alpha {suffix}")).to_have_text("completed")
    expect(badge(page)).to_have_text("Live")
    page.screenshot(path=SCREENSHOTS / "tasks.png")

    page.get_by_label("Collaboration").select_option(label=collaboration)
    expect(page).to_have_url(re.compile(f"collaboration={ids['collab']}"))
    in_collaboration = api_names(server, name=f"%{suffix}%", collaboration_id=ids["collab"])
    assert len(in_collaboration) == 3
    expect(names_listed(page)).to_have_text(in_collaboration)

    page.get_by_label("Status").select_option(label="active")
    expect(page).to_have_url(re.compile("status=active"))
    active = api_names(server, name=f"%{suffix}%", collaboration_id=ids["collab"], status="active")
    assert active == [f"beta {suffix}"]
    expect(names_listed(page)).to_have_text(active)

    page.get_by_label("Status").select_option(label="Any")
    page.get_by_label("Initiating user").select_option(label=analyst["username"])
    expect(page).to_have_url(re.compile(f"user={analyst['id']}"))
    theirs = api_names(server, name=f"%{suffix}%", init_user_id=analyst["id"])
    assert theirs == [f"gamma {suffix}"]
    expect(names_listed(page)).to_have_text(theirs)

    page.get_by_label("Initiating user").select_option(label="Anyone")
    page.get_by_label("Initiating organization").select_option(label=organization)
    expect(page).to_have_url(re.compile(f"organization={first}"))
    expect(names_listed(page)).to_have_text(api_names(server, init_org_id=first))
    expect(names_listed(page)).to_have_text([f"gamma {suffix}"])

    page.get_by_label("Initiating organization").select_option(label="Any")
    page.get_by_label("Status").select_option(label="crashed")
    expect(page.locator(".results")).to_have_text("No task matches these filters.")
    assert api_names(server, name=f"%{suffix}%", status="crashed") == []


def test_a_status_a_real_node_reports_shows_without_reloading_and_keeps_the_focus(
    page, server, tmp_path
):
    ids = server.collaboration(1)
    name = f"live {uuid.uuid4().hex[:6]}"
    task = start_task(server, ids, ids["orgs"][0], name)
    signed_in_at(page, f"#/tasks?name={name.split()[1]}")
    expect(badge(page)).to_have_text("Live")
    expect(status_of(page, name)).to_have_text("pending")
    page.evaluate("window.sameDocument = true")  # gone if the page were loaded anew
    page.get_by_role("link", name=name).focus()  # a keyboard user on the task's row

    node = start_node(write_node_ini(tmp_path / "node", server, ids["keys"][0]))
    try:
        expect(status_of(page, name)).to_have_text("completed")
    finally:
        remove_containers(node)
    assert server.ok("GET", f"/task/{task['id']}")["status"] == "completed"
    assert page.evaluate("window.sameDocument") is True
    expect(page.get_by_role("link", name=name)).to_be_focused()  # the list drawn again kept it


def test_with_the_socket_down_the_badge_says_so_and_the_list_is_polled(page, server):
    blocked = True

    def event_socket(socket):
        if blocked:
            socket.close()
        else:
            socket.connect_to_server()

    page.route_web_socket(re.compile(r"/api/ws$"), event_socket)
    ids = server.collaboration(1)
    name = f"polled {uuid.uuid4().hex[:6]}"
    task = start_task(server, ids, ids["orgs"][0], name)
    signed_in_at(page, f"#/tasks?name={name.split()[1]}")
    expect(badge(page)).to_have_text(f"Updating every {POLL_SECONDS} s")
    expect(status_of(page, name)).to_have_text("pending")
    page.evaluate("window.sameDocument = true")

    report(server, ids["keys"][0], task, "active")
    expect(status_of(page, name)).to_have_text("active", timeout=(POLL_SECONDS + 5) * 1000)
    assert server.ok("GET", f"/task/{task['id']}")["status"] == "active"

    # Back: live again (the retries wait longer and longer, up to 10 s by now), and then
    # changes arrive as events, sooner than the next poll would have come.
    blocked = False
    expect(badge(page)).to_have_text("Live", timeout=30_000)
    report(server, ids["keys"][0], task, "completed")
    expect(status_of(page, name)).to_have_text("completed", timeout=(POLL_SECONDS - 1) * 1000)
    assert page.evaluate("window.sameDocument") is True


def test_new_task_is_offered_to_whoever_may_create_tasks(page, server):
    ids = server.collaboration(1)
    name = f"seen {uuid.uuid4().hex[:6]}"
    start_task(server, ids, ids["orgs"][0], name)
    signed_in_at(page, "#/tasks")
    new = actions_settled(page).get_by_role("link", name="New task")
    expect(new).to_have_attribute("href", "#/tasks/new")

    # A viewer of the collaboration sees its tasks, but is offered no new one.
    onlooker = new_user(server, ids["orgs"][0], roles=("Viewer",), prefix="onlooker")
    page.get_by_role("button", name="Sign out").click()
    signed_in_at(page, f"#/tasks?name={name.split()[1]}", onlooker["username"], PASSWORD)
    expect(names_listed(page)).to_have_text([name])
    expect(actions_settled(page).get_by_role("link")).to_have_count(0)
    token = login(server, onlooker["username"], PASSWORD)
    body = {
        "name": "forged",
        "image": JSON_IMAGE,
        "collaboration_id": ids["collab"],
        "organizations": [{"id": ids["orgs"][0], "input": plain(ANSWER)}],
    }
    assert server.call("POST", "/task", body, token=token)[0] == 403
    assert api_names(server, name="forged", collaboration_id=ids["collab"]) == []


def test_who_may_not_view_tasks_gets_the_servers_message(page, server, browser_problems):
    browser_problems.allow("status of 403")  # Chromium logs the refused list
    user = viewer(server, roles=(), rules=[("organization", "organization", "view")])
    status, answer = server.call("GET", "/task", token=login(server, user["username"], PASSWORD))
    assert status == 403 and answer["msg"], (status, answer)

    signed_in_at(page, "#/tasks", user["username"], PASSWORD)
    expect(page.locator(".results").get_by_role("alert")).to_have_text(answer["msg"])
    expect(actions_settled(page).get_by_role("link")).to_have_count(0)
    expect(badge(page)).to_have_count(0)
