"""End to end with the real Docker engine: a real ``pserve``, node daemons with the Docker
runtime, the demo average image. Root's organization and two others hold slices of one CSV
column; a third organization's node is offline until a test starts it (its subtasks wait,
which keeps a central run going for as long as a test needs).

Skipped without an engine or the image, except in CI (see ``tests/integration/node/conftest``).
"""

from __future__ import annotations

import json
import uuid

import pandas as pd
import pytest

from tests.functional.node.daemons import RestartableServer, Running, eventually, write_ini
from tests.integration.node.support import remove_node
from vantage6.common.encryption import RSACryptor

IMAGE = "harbor2.vantage6.ai/demo/average"
SLICES = {"root": [41, 67, 23], "one": [58, 12], "two": [99, 5, 33, 70], "late": [20, 31]}
DEFAULT_DB = [{"label": "default"}]


def average_of(*names: str) -> float:
    values = [value for name in names for value in SLICES[name]]
    return sum(values) / len(values)


def central(column: str = "age", org_ids=None) -> dict:
    kwargs = {"column_name": column, **({"org_ids": org_ids} if org_ids else {})}
    return {"method": "central_average", "kwargs": kwargs}


class Federation:
    """The server, the organizations by name, and their nodes (started and restarted here)."""

    def __init__(self, server: RestartableServer, folder, engine):
        self.server = server
        self.folder = folder
        self.engine = engine
        self.prefix = f"fed-{uuid.uuid4().hex[:6]}"
        ids = server.collaboration(3)
        self.ids = ids
        self.org = dict(zip(("one", "two", "late"), ids["orgs"], strict=True))
        self.org["root"] = ids["root_org"]
        self.keys = dict(zip(("one", "two", "late"), ids["keys"], strict=True))
        self.keys["root"] = server.root_node_key(ids)
        self.nodes: dict[str, Running] = {}
        self.names: set[str] = set()

    def ini(self, name: str, extra: str = "", collaboration: str = "plain", key=None):
        """The node.ini of ``name``'s node in a collaboration (same file on every start)."""
        folder = self.folder / collaboration / name
        folder.mkdir(parents=True, exist_ok=True)
        pd.DataFrame({"age": SLICES[name]}).to_csv(folder / "ages.csv", index=False)
        node_name = f"{self.prefix}-{collaboration}-{name}"
        self.names.add(node_name)
        return write_ini(
            folder,
            self.server,
            key or self.keys[name],
            f"[databases]\ndefault = csv:ages.csv\n[docker]\npull = never\n{extra}",
            name=node_name,
            runtime="docker",
        )

    def start(self, name: str, **kw) -> Running:
        self.nodes[name] = Running(self.ini(name, **kw)).wait_connected(60)
        return self.nodes[name]

    def stop(self, name: str) -> None:
        self.nodes.pop(name).stop()

    def task(self, input_, orgs=("root",), **extra) -> dict:
        organizations = [self.org[name] for name in orgs]
        return self.server.task(
            self.ids, IMAGE, input_, organizations, databases=DEFAULT_DB, **extra
        )

    def container(self, run_id: int) -> list:
        """The containers of the run (of any node of this test)."""
        labels = [f"vantage6-run={run_id}", "vantage6-type=algorithm"]
        found = self.engine.containers.list(
            all=True, filters={"label": labels}, ignore_removed=True
        )
        return [c for c in found if c.labels.get("vantage6-node", "").startswith(self.prefix)]

    def close(self) -> None:
        for running in self.nodes.values():
            running.stop()
        for name in self.names:
            remove_node(self.engine, name)


@pytest.fixture(scope="module")
def server(node_server):
    return node_server


@pytest.fixture(scope="module")
def federation(engine, server, tmp_path_factory):
    federation = Federation(server, tmp_path_factory.mktemp("nodes"), engine)
    try:
        for name in ("root", "one", "two"):
            federation.start(name)
        yield federation
    finally:
        federation.close()


def subtask_of(server, task: dict) -> dict:
    return eventually(
        lambda: (found := server.ok("GET", f"/task?parent_id={task['id']}")["data"]) and found[0],
        60,
        "the central run's subtask",
    )


def test_the_federated_average_equals_the_pooled_average(federation):
    server = federation.server
    online = [federation.org[name] for name in ("root", "one", "two")]
    task = federation.task(central(org_ids=online))
    run = server.run_reaches(task, "completed", 90)
    assert server.results(task) == [{"average": average_of("root", "one", "two")}]
    assert "calling v6_average.central_average" in run["log"]
    subtask = subtask_of(server, task)
    runs = server.runs(subtask)
    assert sorted(r["organization"]["id"] for r in runs) == sorted(
        federation.org[name] for name in ("root", "one", "two")
    )
    assert {r["status"] for r in runs} == {"completed"}
    eventually(lambda: not federation.container(run["id"]), 10, "the container removed")


def test_an_rpc_only_task_returns_sum_and_count_per_node(federation):
    server = federation.server
    partial = {"method": "partial_average", "kwargs": {"column_name": "age"}}
    task = federation.task(partial, orgs=("root", "one", "two"))
    eventually(
        lambda: {r["status"] for r in server.runs(task)} == {"completed"}, 60, "all completed"
    )
    organizations = [run["organization"]["id"] for run in server.runs(task)]
    results = dict(zip(organizations, server.results(task), strict=True))
    for name in ("root", "one", "two"):
        assert results[federation.org[name]] == {
            "sum": sum(SLICES[name]),
            "count": len(SLICES[name]),
        }


def test_a_crash_reports_the_algorithms_real_error(federation):
    server = federation.server
    task = federation.task({"method": "partial_average", "kwargs": {"column_name": "height"}})
    run = server.run_reaches(task, "crashed", 60)
    assert "no column 'height'" in run["log"]
    assert "ValueError" in run["log"]


def test_a_killed_task_stops_its_containers(federation):
    server = federation.server
    task = federation.task(central(org_ids=[federation.org["late"]]))  # waits for "late"
    run = server.run_reaches(task, "active", 60)
    subtask = subtask_of(server, task)
    assert federation.container(run["id"])[0].status == "running"
    server.ok("POST", "/kill/task", {"id": task["id"]})
    eventually(lambda: not federation.container(run["id"]), 20, "the container gone")
    assert server.run_of(task)["status"] == "killed by user"
    assert server.run_of(subtask)["status"] == "killed by user"


def waiting_central(federation) -> tuple[dict, dict, object]:
    """A central run at root waiting for 'late' (offline): its task, run and paused container
    (paused, it makes no calls, so it cannot notice anything the test does meanwhile)."""
    task = federation.task(central(org_ids=[federation.org["one"], federation.org["late"]]))
    run = federation.server.run_reaches(task, "active", 60)
    subtask_of(federation.server, task)
    container = federation.container(run["id"])[0]
    container.pause()
    return task, run, container


def finish_with_late(federation, task, container) -> None:
    container.unpause()
    federation.start("late")
    try:
        done = federation.server.run_reaches(task, "completed", 90)
        assert federation.server.results(task) == [{"average": average_of("one", "late")}]
        assert done["started_at"]
    finally:
        federation.stop("late")


def test_a_node_restart_mid_run_loses_nothing_and_runs_nothing_twice(federation):
    task, run, container = waiting_central(federation)
    federation.stop("root")
    assert container.id == federation.container(run["id"])[0].id  # it kept running
    federation.start("root")
    eventually(lambda: run["id"] in federation.nodes["root"].runtime.running(), 10)
    again = federation.container(run["id"])
    assert [c.id for c in again] == [container.id]  # re-attached, not started again
    assert federation.server.run_of(task)["started_at"] == run["started_at"]
    finish_with_late(federation, task, container)


def test_a_server_restart_mid_run_loses_nothing(federation):
    server = federation.server
    task, run, container = waiting_central(federation)
    server.crash()
    server.start()
    for running in federation.nodes.values():
        eventually(lambda r=running: r.node.events.connected.is_set(), 30, "reconnected")
    assert [c.id for c in federation.container(run["id"])] == [container.id]
    finish_with_late(federation, task, container)


def test_an_encrypted_collaboration_end_to_end(federation, tmp_path):
    server = federation.server
    ids = server.collaboration(1, encrypted=True)
    keys = {}
    for name in ("root", "one"):
        RSACryptor.create_new_rsa_key(tmp_path / f"{name}.pem", key_size=2048)
        keys[name] = RSACryptor(tmp_path / f"{name}.pem")
    node_keys = {"root": server.root_node_key(ids), "one": ids["keys"][0]}
    orgs = {"root": ids["root_org"], "one": ids["orgs"][0]}
    started = []
    try:
        for name in ("root", "one"):
            extra = f"[encryption]\nenabled = true\nprivate_key = {tmp_path / f'{name}.pem'}\n"
            path = federation.ini(name, extra, collaboration="secret", key=node_keys[name])
            started.append(Running(path).wait_connected(60))
        # the nodes uploaded their organizations' public keys; the researcher encrypts with them
        public_key = server.ok("GET", f"/organization/{orgs['root']}")["public_key"]
        assert keys["root"].verify_public_key(public_key)
        body = central(org_ids=[orgs["root"], orgs["one"]])
        secret = keys["root"].encrypt_bytes_to_str(json.dumps(body).encode(), public_key)
        task = server.task(ids, IMAGE, secret, [orgs["root"]], databases=DEFAULT_DB)
        run = server.run_reaches(task, "completed", 90)
        result = server.ok("GET", f"/result/{run['id']}")["result"]
        assert "$" in result  # stored encrypted
        plain = json.loads(keys["root"].decrypt_str_to_bytes(result))
        assert plain == {"average": average_of("root", "one")}
        subtask = subtask_of(server, task)
        for run in server.runs(subtask):
            assert run["input"] and "$" in run["input"]
    finally:
        for running in started:
            running.stop()
