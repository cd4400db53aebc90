"""The development runtime runs real ``python -m vantage6.algorithm`` processes."""

from __future__ import annotations

import json
import logging
import os
import queue
import signal
import time
from pathlib import Path

import pandas as pd
import pytest

from vantage6.common.task_status import TaskStatus
from vantage6.node.config import Database, NodeConfig
from vantage6.node.runtime import RunSpec, StartFailed
from vantage6.node.runtime.process import ALGORITHMS, ProcessRuntime

AVERAGE = "harbor2.vantage6.ai/demo/average:latest"
TOOLS = """
import os, time

def nap(seconds):
    time.sleep(seconds)

def environment():
    return sorted(os.environ)
"""


class Endpoints:
    """The node proxy as the runtime sees it (these algorithms never call it)."""

    port = 5999

    def __init__(self):
        self.hosts: list[str] = []

    def listen(self, host: str) -> int:
        self.hosts.append(host)
        return self.port

    def close(self, host: str) -> None:
        self.hosts.remove(host)


class Outcomes:
    def __init__(self):
        self.queue = queue.Queue()

    def __call__(self, outcome):
        self.queue.put(outcome)

    def next(self, timeout: float = 30):
        return self.queue.get(timeout=timeout)


@pytest.fixture
def runtime(tmp_path):
    csv = tmp_path / "ages.csv"
    pd.DataFrame({"age": [41, 67, 23]}).to_csv(csv, index=False)
    (tmp_path / "tools").mkdir()
    (tmp_path / "tools" / "tools.py").write_text(TOOLS)
    config = NodeConfig(
        name="dev",
        path=tmp_path / "node.ini",
        server_url="http://localhost",
        port=None,
        api_path="/api",
        api_key="key",
        task_dir=tmp_path / "tasks",
        databases=(Database("default", "csv", str(csv)),),
    )
    runtime = ProcessRuntime(config, {**ALGORITHMS, "test/tools": ("tools", tmp_path / "tools")})
    runtime.prepare(Endpoints())
    yield runtime
    runtime.close()


def spec(run_id: int, method: str, image: str = AVERAGE, job_id: int = 1, **kwargs) -> RunSpec:
    input_ = json.dumps({"method": method, "kwargs": kwargs}).encode()
    return RunSpec(run_id, 1, job_id, image, input_, "h.e30.s", [{"label": "default"}])


def test_the_demo_average_completes_with_its_output(runtime):
    outcomes = Outcomes()
    runtime.watch(outcomes)
    runtime.start(spec(1, "partial_average", column_name="age"))
    outcome = outcomes.next()
    assert outcome.status is TaskStatus.COMPLETED, outcome.log
    assert json.loads(outcome.output) == {"sum": 131, "count": 3}
    assert "calling v6_average.partial_average" in outcome.log


def test_an_algorithm_error_crashes_the_run_with_the_error_in_its_log(runtime):
    outcomes = Outcomes()
    runtime.watch(outcomes)
    runtime.start(spec(2, "partial_average", column_name="weight"))
    outcome = outcomes.next()
    assert outcome.status is TaskStatus.CRASHED
    assert "ValueError: no column 'weight'; the columns are ['age']" in outcome.log
    assert outcome.log.endswith("[the algorithm exited with code 1]")
    assert outcome.output == b""


def test_an_image_without_a_package_does_not_start(runtime):
    with pytest.raises(StartFailed) as failed:
        runtime.start(spec(3, "x", image="harbor2.vantage6.ai/other/thing:1.0"))
    assert failed.value.status is TaskStatus.NO_DOCKER_IMAGE
    assert "no package for image harbor2.vantage6.ai/other/thing:1.0" in failed.value.log
    assert list(runtime.task_dir.iterdir()) == []


def test_a_killed_run_is_reported_killed(runtime):
    outcomes = Outcomes()
    runtime.watch(outcomes)
    runtime.start(spec(4, "nap", image="test/tools", seconds=60))
    assert runtime.running() == {4}
    assert runtime.kill(4) is True
    outcome = outcomes.next()
    assert (outcome.run_id, outcome.status) == (4, TaskStatus.KILLED)
    assert runtime.running() == set()
    assert runtime.kill(4) is False


def test_runs_that_end_before_anyone_watches_are_reported_once(runtime):
    runtime.start(spec(5, "partial_average", column_name="age"))
    ended, deadline = [], time.monotonic() + 30
    while not ended and time.monotonic() < deadline:
        time.sleep(0.1)
        ended = runtime.exited()
    (outcome,) = ended
    assert (outcome.run_id, outcome.status) == (5, TaskStatus.COMPLETED)
    assert runtime.exited() == []


def test_the_algorithm_does_not_inherit_the_nodes_environment(runtime, monkeypatch):
    monkeypatch.setenv("VANTAGE6_NODE_API_KEY", "secret")
    outcomes = Outcomes()
    runtime.watch(outcomes)
    runtime.start(spec(6, "environment", image="test/tools"))
    names = json.loads(outcomes.next().output)
    assert "VANTAGE6_NODE_API_KEY" not in names
    assert {"INPUT_FILE", "TOKEN_FILE", "HOST", "PORT", "PKG_NAME"} <= set(names)


def test_discard_removes_the_run_and_its_jobs_folder_with_the_last_run(runtime):
    outcomes = Outcomes()
    runtime.watch(outcomes)
    runtime.start(spec(7, "partial_average", job_id=3, column_name="age"))
    runtime.start(spec(8, "partial_average", job_id=3, column_name="age"))
    outcomes.next(), outcomes.next()
    tasks: Path = runtime.task_dir
    assert {p.name for p in tasks.iterdir()} == {"run-000000007", "run-000000008", "job-3-tmp"}
    runtime.discard(7)
    assert {p.name for p in tasks.iterdir()} == {"run-000000008", "job-3-tmp"}
    runtime.discard(8)
    assert list(tasks.iterdir()) == []


def test_prepare_warns_loudly_that_nothing_is_isolated(runtime, caplog):
    caplog.set_level(logging.WARNING)
    endpoints = Endpoints()
    runtime.prepare(endpoints)
    assert endpoints.hosts == ["127.0.0.1"]  # algorithms reach the proxy on the loopback
    assert "WITHOUT ANY ISOLATION" in caplog.text


def eventually(check, seconds: float = 30):
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, "not within time"
        time.sleep(0.05)


def test_runs_outlive_the_runtime_and_the_next_one_finds_them(runtime):
    runtime.start(spec(10, "nap", image="test/tools", seconds=60))  # still going
    runtime.start(spec(11, "partial_average", column_name="age"))  # ends meanwhile
    runtime.start(spec(12, "nap", image="test/tools", seconds=60))  # killed before the restart
    eventually(lambda: runtime.running() == {10, 12})
    assert runtime.kill(12) is True
    runtime.close()
    eventually(lambda: runtime.running() == {10})

    second = ProcessRuntime(runtime.config, runtime.algorithms)  # the node restarted
    assert second.running() == {10}
    assert second.known() == {10, 11, 12}
    ended = {outcome.run_id: outcome for outcome in second.exited()}
    assert {run_id: outcome.status for run_id, outcome in ended.items()} == {
        11: TaskStatus.COMPLETED,
        12: TaskStatus.KILLED,
    }
    assert json.loads(ended[11].output) == {"sum": 131, "count": 3}
    assert second.exited() == []  # each outcome is handed out once
    outcomes = Outcomes()
    second.prepare(Endpoints())
    second.watch(outcomes)
    assert second.kill(10) is True
    outcome = outcomes.next()
    assert (outcome.run_id, outcome.status) == (10, TaskStatus.KILLED)
    assert outcomes.queue.empty()
    second.close()


def test_a_run_whose_supervisor_died_without_an_exit_code_left_no_end(runtime):
    """As when its machine went down: the daemon takes the run as interrupted."""
    runtime.start(spec(13, "nap", image="test/tools", seconds=60))
    folder = runtime.task_dir / "run-000000013"
    pid = json.loads((folder / "supervisor").read_text())["pid"]
    os.killpg(pid, signal.SIGKILL)  # supervisor and algorithm, not through the runtime
    eventually(lambda: runtime.running() == set())
    second = ProcessRuntime(runtime.config, runtime.algorithms)
    assert second.known() == set()
    assert second.exited() == []
    assert (folder / "exit-code").exists() is False


def test_the_supervisor_records_the_exit_code_and_holds_the_lock_while_it_runs(runtime):
    runtime.start(spec(14, "nap", image="test/tools", seconds=0.5))
    folder = runtime.task_dir / "run-000000014"
    assert runtime.running() == {14}
    eventually(lambda: (folder / "exit-code").exists())
    assert (folder / "exit-code").read_text() == "0\n"
    eventually(lambda: runtime.running() == set())
