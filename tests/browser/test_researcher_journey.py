"""The issue's researcher, end to end through the page alone: a user with the Researcher role
signs in, opens Tasks, chooses New task, picks an encrypted collaboration, loads their
organization's private key file in the page, fills in the demo federated average and creates
it; the task page follows it to completed without a reload and shows the central result and
the charts of the organizations' partial results, whose numbers are those of the nodes' data.
The nodes are the task page tests' (in-process daemons, Docker or the process runtime). Writes
docs/screenshots/federated-average.png for the README."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.ui import (
    PASSWORD,
    SCREENSHOTS,
    create_task,
    fill_argument,
    new_user,
    run_statuses,
    sign_in,
)
from tests.federation import AVERAGE, SLICES, SLOW_MS, Federation

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def federation(server, tmp_path_factory):
    """The three organizations' nodes, running, in an encrypted collaboration."""
    federation = Federation(server, tmp_path_factory.mktemp("nodes"), encrypted=True)
    federation.start()
    yield federation
    federation.close()


def test_a_researcher_runs_the_encrypted_federated_average_and_reads_its_chart(
    page, server, federation
):
    researcher = new_user(server, federation.org["root"], roles=("Researcher",))
    collaboration = server.ok("GET", f"/collaboration/{federation.ids['collab']}")["name"]
    root = federation.names["root"]

    page.goto("/")
    sign_in(page, researcher["username"], PASSWORD)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Tasks").click()
    page.get_by_role("link", name="New task").click()
    page.get_by_label("Collaboration").select_option(label=f"{collaboration} (encrypted)")
    page.get_by_label("Your organization's private key").set_input_files(
        federation.key_file("root")
    )
    expect(page.get_by_text("Your organization's private key is loaded")).to_be_visible()
    page.get_by_label("Name", exact=True).fill("average age")
    page.get_by_label(root, exact=True).check()  # where the central part runs
    page.get_by_label("Image").fill(AVERAGE)
    page.get_by_label("Method").fill("central_average")
    fill_argument(page, "Keyword argument", "Text", "age", name="column_name")
    task_id = create_task(page)

    expect(page.get_by_role("heading", name=f"Task {task_id} “average age”")).to_be_visible()
    # Four algorithm runs start one after another: the page shows the run before it ends.
    expect(run_statuses(page)).to_have_text([re.compile("pending|initializing|active")])
    page.evaluate("window.sameDocument = true")  # gone if the page were loaded again
    expect(run_statuses(page)).to_have_text(["completed"], timeout=SLOW_MS)

    every_age = [age for ages in SLICES.values() for age in ages]
    average = sum(every_age) / len(every_age)
    central = page.locator(f".result-group[data-task='{task_id}']")
    expect(central.get_by_role("heading", name="This task")).to_be_visible()
    expect(central.locator(".result")).to_contain_text("average")
    expect(central.get_by_role("listitem", name=f"{root}: {average:g}")).to_be_visible()
    partial = page.locator(".result-group").nth(1)
    for member, value in (("sum", sum), ("count", len)):
        chart = partial.get_by_role("list", name=f"{member} by organization")
        expect(chart.get_by_role("listitem")).to_have_count(len(SLICES))
        for name, ages in SLICES.items():
            item = f"{federation.names[name]}: {value(ages)}"
            expect(chart.get_by_role("listitem", name=item)).to_be_visible()
    assert page.evaluate("window.sameDocument") is True
    # What the page did, as the server has it: the researcher's task, its input encrypted.
    assert server.ok("GET", f"/task/{task_id}")["init_user"]["id"] == researcher["id"]
    (run,) = server.ok("GET", f"/run?task_id={task_id}")["data"]
    assert run["input"].startswith("v6e1$")
    page.screenshot(path=str(SCREENSHOTS / "federated-average.png"), full_page=True)
