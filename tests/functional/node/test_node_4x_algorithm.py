"""An algorithm package written for the original vantage6 4.x tools (their import paths, their
decorators, ``wrap_algorithm``), unchanged, through a real server and two node daemons on the
process runtime: its central function creates the partial subtasks at both organizations
through the node proxy, waits for them and combines their results into the average.

The package is ``algorithms_4x/v6_average_4x`` next to this file."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from tests.functional.node.daemons import Running, write_ini
from tests.functional.node.test_node_lifecycle import server  # noqa: F401
from vantage6.node.config import load_config
from vantage6.node.runtime.process import ALGORITHMS, ProcessRuntime

IMAGE = "test/average-4x"
PACKAGES = Path(__file__).resolve().parent / "algorithms_4x"
AGES = {"one": [41, 67, 23], "two": [58, 12, 99, 5]}


@pytest.fixture
def federation(server, tmp_path):  # noqa: F811
    """Two organizations with a node each (process runtime, a CSV of ages as ``default``)."""
    ids = server.collaboration(2)
    algorithms = {**ALGORITHMS, IMAGE: ("v6_average_4x", PACKAGES)}
    started = []
    for name, key in zip(AGES, ids["keys"], strict=True):
        folder = tmp_path / name
        folder.mkdir()
        pd.DataFrame({"age": AGES[name]}).to_csv(folder / "ages.csv", index=False)
        ini = write_ini(folder, server, key, "[databases]\ndefault = csv:ages.csv\n")
        config = load_config(ini)
        started.append(Running(config.path, ProcessRuntime(config, algorithms)))
    for running in started:
        running.wait_connected()
    yield ids
    for running in started:
        for run_id in running.runtime.running():
            running.runtime.kill(run_id)
        running.stop()


def test_the_central_function_of_a_4x_package_averages_over_both_nodes(server, federation):  # noqa: F811
    one, two = federation["orgs"]
    central = {
        "method": "central_average",
        "kwargs": {"column_name": "age", "organizations_to_include": [one, two]},
    }
    task = server.task(federation, IMAGE, central, [one], databases=[{"label": "default"}])
    run = server.run_reaches(task, "completed", timeout=90)

    everyone = AGES["one"] + AGES["two"]
    [result] = server.results(task)
    assert result == {"average": pytest.approx(sum(everyone) / len(everyone)), "organizations": 2}
    assert "info > Waiting for the results" in run["log"]  # util.info goes to the run's log
    [subtask] = server.ok("GET", f"/task?parent_id={task['id']}")["data"]
    assert subtask["image"] == IMAGE
    assert subtask["description"] == "Sum and count at each organization"
    partials = {r["organization"]["id"]: r["status"] for r in server.runs(subtask)}
    assert partials == {one: "completed", two: "completed"}
