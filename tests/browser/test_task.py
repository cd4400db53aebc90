"""The task page in Chromium, with real nodes (in-process daemons; Docker runs the algorithms
where it can, see ``federation``): the demo federated average goes from pending to completed on
the page without a reload, and its partial and central results show decoded, with a chart; a
long-running task is killed from the page and a task deleted (both checked through the API); a
user who may only view tasks is offered neither, and the API refuses them when forged; in an
encrypted collaboration the results are read once the organization's private key is loaded in
the page, and a tampered or legacy result says so."""

from __future__ import annotations

import json
import re
import uuid

import pytest
from playwright.sync_api import expect

from tests.browser.ui import (
    PASSWORD,
    SCREENSHOTS,
    actions_settled,
    login,
    new_user,
    run_statuses,
    signed_in_at,
)
from tests.federation import (
    AVERAGE,
    JSON_IMAGE,
    SLICES,
    SLOW_MS,
    TIME_IMAGE,
    Federation,
)
from tests.functional.node.daemons import eventually
from tests.unit.common.legacy_vectors import legacy_encrypt
from vantage6.common.encryption import RSACryptor

pytestmark = pytest.mark.browser

CENTRAL = {"method": "central_average", "kwargs": {"column_name": "age"}}
SLEEP = {"method": "sleep", "args": [120]}
KILLED = "killed by user"


@pytest.fixture(scope="module")
def federation(server, tmp_path_factory):
    federation = Federation(server, tmp_path_factory.mktemp("nodes"))
    yield federation
    federation.close()


def run_row(page, organization: str):
    return page.locator("table.runs tbody tr", has_text=organization)


def statuses(server, task: dict) -> list[str]:
    return [run["status"] for run in server.runs(task)]


def test_the_federated_average_completes_live_with_its_results_and_chart(page, server, federation):
    task = federation.task(AVERAGE, CENTRAL)
    signed_in_at(page, f"#/tasks/{task['id']}")
    expect(page.get_by_role("heading", name=f"Task {task['id']} “average”")).to_be_visible()
    expect(run_statuses(page)).to_have_text(["pending"])
    expect(page.get_by_text("No results yet.")).to_be_visible()
    expect(page.get_by_text("This task has no subtasks.")).to_be_visible()
    page.evaluate("window.sameDocument = true")  # gone if the page were loaded again

    federation.start()  # the nodes find the open run, the central run makes the partial ones
    expect(run_statuses(page)).to_have_text(["completed"], timeout=SLOW_MS)
    row = run_row(page, federation.names["root"])
    expect(row.locator("td[data-label='Started']")).not_to_be_empty()
    expect(row.locator("td[data-label='Duration']")).to_have_text(re.compile(r"\d+ s|under"))
    row.get_by_text("Show log").click()
    expect(row.locator("pre")).to_contain_text("central_average")

    (subtask,) = server.ok("GET", f"/task?parent_id={task['id']}")["data"]
    tree = page.locator(".subtask-tree")
    expect(tree.get_by_role("link", name=f"Task {task['id']} “average”")).to_have_attribute(
        "aria-current", "page"
    )
    expect(tree.get_by_role("link", name=f"Task {subtask['id']} “partial average”")).to_be_visible()

    central = page.locator(".result-group").first
    expect(central.get_by_role("heading", name="This task")).to_be_visible()
    expect(central.locator(".result")).to_contain_text("average")
    root = federation.names["root"]
    expect(central.get_by_role("listitem", name=f"{root}: 40")).to_be_visible()  # the chart
    partial = page.locator(f".result-group[data-task='{subtask['id']}']")
    for name, ages in SLICES.items():
        organization = federation.names[name]
        result = partial.locator(".result", has_text=organization)
        expect(result).to_contain_text(str(sum(ages)))
        for member, value in (("sum", sum(ages)), ("count", len(ages))):
            chart = partial.get_by_role("list", name=f"{member} by organization")
            expect(chart.get_by_role("listitem", name=f"{organization}: {value}")).to_be_visible()
    assert page.evaluate("window.sameDocument") is True

    assert server.results(task) == [{"average": 40.0}]
    assert statuses(server, subtask) == ["completed"] * 3
    page.screenshot(path=str(SCREENSHOTS / "task.png"), full_page=True)


def test_a_long_task_is_killed_from_the_page(page, server, federation):
    federation.start()
    task = federation.task(TIME_IMAGE, SLEEP, orgs=("one", "two"), name="sleeper")
    eventually(lambda: statuses(server, task) == ["active"] * 2, 60, "both runs active")
    signed_in_at(page, f"#/tasks/{task['id']}")
    expect(run_statuses(page)).to_have_text(["active", "active"])
    actions_settled(page).get_by_role("button", name="Kill").click()
    confirm = page.get_by_role("group", name="Confirm kill")
    expect(confirm).to_contain_text(f"Kill task {task['id']} “sleeper”?")
    confirm.get_by_role("button", name="Yes, kill it").click()
    expect(page.get_by_text(re.compile(r"2 run\(s\) of task \d+ .* killed"))).to_be_visible()
    expect(run_statuses(page)).to_have_text([KILLED, KILLED])
    expect(actions_settled(page).get_by_role("button", name="Kill")).to_have_count(0)
    assert statuses(server, task) == [KILLED, KILLED]
    eventually(
        lambda: not any(node.runtime.running() for node in federation.nodes.values()),
        20,
        "the algorithms stopped",
    )


def test_a_task_is_deleted_from_the_page(page, server, federation):
    task = federation.task(JSON_IMAGE, {"method": "loads", "args": ["1"]}, name="doomed")
    signed_in_at(page, f"#/tasks/{task['id']}")
    repeat = actions_settled(page).get_by_role("link", name="Repeat task")
    expect(repeat).to_have_attribute("href", f"#/tasks/new?repeat={task['id']}")
    actions_settled(page).get_by_role("button", name="Delete").click()
    confirm = page.get_by_role("group", name="Confirm deletion")
    expect(confirm).to_contain_text("Delete task “doomed”?")
    confirm.get_by_role("button", name="Yes, delete").click()
    expect(page).to_have_url(re.compile("#/tasks$"))
    assert server.call("GET", f"/task/{task['id']}", token=server.root)[0] == 404
    assert server.ok("GET", f"/run?task_id={task['id']}")["data"] == []


def test_a_viewer_is_offered_neither_kill_nor_delete_and_forging_them_is_refused(
    page, server, federation
):
    rules = [
        ("task", "organization", "view"),
        ("collaboration", "organization", "view"),
        ("organization", "organization", "view"),
    ]
    user = new_user(server, federation.org["root"], rules=rules, prefix="watcher")
    task = federation.task(TIME_IMAGE, SLEEP, orgs=("two",), name="watched")
    signed_in_at(page, f"#/tasks/{task['id']}", user["username"], PASSWORD)
    expect(page.get_by_role("heading", name=f"Task {task['id']} “watched”")).to_be_visible()
    actions = actions_settled(page)
    for action in ("Kill", "Delete"):
        expect(actions.get_by_role("button", name=action)).to_have_count(0)
    expect(actions.get_by_role("link", name="Repeat task")).to_have_count(0)
    token = login(server, user["username"], PASSWORD)
    assert server.call("POST", "/kill/task", {"id": task["id"]}, token)[0] == 403
    assert server.call("DELETE", f"/task/{task['id']}", token=token)[0] == 403
    assert server.ok("GET", f"/task/{task['id']}")["id"] == task["id"]
    server.ok("POST", "/kill/task", {"id": task["id"]})


def test_encrypted_results_are_read_with_the_private_key_loaded_in_the_page(page, server, tmp_path):
    """The nodes' reports are made here, as a node makes them (RSACryptor), so that one of
    them can be tampered with and one be in the legacy format."""
    ids = server.collaboration(3, encrypted=True)
    key_file = tmp_path / "root.pem"
    RSACryptor.create_new_rsa_key(key_file, key_size=2048)
    cryptor = RSACryptor(key_file)
    server.ok("PATCH", f"/organization/{ids['root_org']}", {"public_key": cryptor.public_key_str})
    sealed = cryptor.encrypt_bytes_to_str(b"{}", cryptor.public_key_str)
    task = server.task(ids, JSON_IMAGE, sealed, ids["orgs"], name=f"secret {uuid.uuid4().hex[:4]}")
    good = cryptor.encrypt_bytes_to_str(json.dumps({"answer": 42}).encode(), cryptor.public_key_str)
    prefix, ciphertext = good.rsplit("$", 1)
    tampered = f"{prefix}${ciphertext[:-8]}{'A' if ciphertext[-8] != 'A' else 'B'}{ciphertext[-7:]}"
    legacy = legacy_encrypt(b'{"answer": 7}', cryptor.private_key.public_key())
    keys = dict(zip(ids["orgs"], ids["keys"], strict=True))
    names = []
    for run, result in zip(server.runs(task), (good, tampered, legacy), strict=True):
        organization = run["organization"]["id"]
        report = {"status": "completed", "result": result}
        server.ok("PATCH", f"/run/{run['id']}", report, server.node_token(keys[organization]))
        names.append(server.ok("GET", f"/organization/{organization}")["name"])

    signed_in_at(page, f"#/tasks/{task['id']}")
    results = page.locator(".result-group .result")
    expect(results).to_have_count(3)
    expect(results.first).to_contain_text("load your organization's private key to read it")
    other_key = tmp_path / "other.pem"
    RSACryptor.create_new_rsa_key(other_key, key_size=2048)
    page.get_by_label("Your organization's private key").set_input_files(other_key)
    expect(page.get_by_role("alert")).to_contain_text(
        "That key cannot be used: it is not your organization's key"
    )
    expect(results.first).to_contain_text("load your organization's private key to read it")
    page.get_by_label("Your organization's private key").set_input_files(key_file)
    expect(page.get_by_text("Your organization's private key is loaded")).to_be_visible()
    good_view, tampered_view, legacy_view = (
        page.locator(".result", has_text=name) for name in names
    )
    expect(good_view).to_contain_text("42")
    expect(tampered_view.get_by_role("alert")).to_contain_text("tampered with")
    expect(legacy_view.get_by_role("alert")).to_contain_text("legacy encryption format")
    assert page.locator("input[type=file]").input_value() == ""  # the file is not kept
