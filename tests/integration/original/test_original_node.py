"""A mixed fleet on our server: the original vantage6 4.15.2 node (from PyPI, over socket.io)
and client beside ours, running the demo federated average in Docker.

- the original node takes up a task made while it was offline (``sync``) and one made while it
  is online (``new_task``), central and partial runs alike, its central run reading its
  subtasks' results through its own proxy;
- a task killed on our server is stopped by the original node;
- in one collaboration of an original node and two of ours, the average over all three comes
  out exact whether the central run is at ours or at the original, and whether our client or
  the original client made the task.
"""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from tests.functional.node.daemons import (
    RestartableServer,
    Running,
    eventually,
    unplain,
    write_ini,
)
from tests.integration.node.support import remove_node
from tests.integration.original.original import (
    OriginalNode,
    docker_engine,
    original_client,
    required,
)
from vantage6.client import Client
from vantage6.client.errors import ClientError
from vantage6.common.encryption import RSACryptor

IMAGE = "harbor2.vantage6.ai/demo/average"
AGES = {"root": [41, 67, 23], "one": [58, 12], "two": [99, 5, 33, 70]}
SLOW = 180  # seconds: four containers one after another on a shared machine
DEFAULT_DB = [{"label": "default"}]


def mean(*names: str) -> float:
    values = [age for name in names for age in AGES[name]]
    return sum(values) / len(values)


@pytest.fixture(scope="module")
def engine():
    required()
    engine = docker_engine()
    engine.images.get(IMAGE)  # scripts/build-images
    return engine


@pytest.fixture(scope="module")
def server(tmp_path_factory, database_factory):
    server = RestartableServer(tmp_path_factory.mktemp("server"), database_factory.new_url())
    server.start()
    yield server
    server.stop()


@pytest.fixture
def originals(engine, server, tmp_path):
    """Original nodes, started by the test and stopped (and cleaned up) after it."""
    started = []

    def start(api_key: str, ages: list, **config) -> OriginalNode:
        folder = tmp_path / f"original-{len(started)}"
        started.append(OriginalNode(folder, server, api_key, ages, engine, **config))
        return started[-1].start()

    yield start
    for node in started:
        node.stop()


def average(organization_ids: list[int]) -> dict:
    kwargs = {"column_name": "age", "org_ids": organization_ids}
    return {"method": "central_average", "kwargs": kwargs}


def central_result(server, task: dict, timeout: float = SLOW) -> dict:
    """The result of ``task``'s (only) run once the task completed."""

    def finished() -> str | None:
        status = server.ok("GET", f"/task/{task['id']}")["status"]
        return status if status in ("completed", "failed", "crashed") else None

    status = eventually(finished, timeout, f"task {task['id']} finished")
    runs = server.ok("GET", f"/run?task_id={task['id']}")["data"]
    assert status == "completed", [(run["status"], run["log"]) for run in runs]
    (result,) = server.ok("GET", f"/result?task_id={task['id']}")["data"]
    return unplain(result["result"])


def test_the_original_node_runs_tasks_made_before_and_after_it_connected(server, originals):
    ids = server.collaboration(1)
    (organization,) = ids["orgs"]
    before = server.task(ids, IMAGE, average([organization]), [organization], databases=DEFAULT_DB)

    node = originals(ids["keys"][0], AGES["one"])
    assert central_result(server, before) == {"average": mean("one")}  # found by sync
    after = server.task(ids, IMAGE, average([organization]), [organization], databases=DEFAULT_DB)
    assert central_result(server, after) == {"average": mean("one")}  # told by new_task
    (shown,) = server.ok("GET", f"/node?collaboration_id={ids['collab']}")["data"]
    assert {"key": "database_labels", "value": "default"} in shown["config"]  # node_info_update
    assert "Traceback" not in node.log()


def test_a_task_killed_on_our_server_is_stopped_by_the_original_node(server, engine, originals):
    """Its central run waits for a subtask at an organization without a node: until killed."""
    ids = server.collaboration(2)
    one, lonely = ids["orgs"]
    node = originals(ids["keys"][0], AGES["one"])
    task = server.task(ids, IMAGE, average([one, lonely]), [one], databases=DEFAULT_DB)

    def running() -> list:
        return [c for c in engine.containers.list() if node.name in c.name]

    def waiting() -> list:
        """The run of the subtask at the organization without a node, once there."""
        runs = server.ok("GET", f"/run?job_id={task['job_id']}")["data"]
        return [run for run in runs if run["organization"]["id"] == lonely]

    eventually(waiting, 90, "the central run's subtask")
    assert running()
    server.ok("POST", "/kill/task", {"id": task["id"]})
    eventually(lambda: not running(), 60, "the original node stopped the container")
    (central,) = server.ok("GET", f"/run?task_id={task['id']}")["data"]
    assert central["status"] == "killed by user"
    assert [run["status"] for run in waiting()] == ["killed by user"]


class Mixed:
    """A collaboration of root's organization and "one" with our nodes (Docker runtime), and
    "two" with the original node; when ``encrypted``, each organization has a key
    (``key_file``), ours read the legacy format too, and the original uploads its key."""

    def __init__(self, server, engine, originals, folder: Path, encrypted: bool):
        self.engine = engine
        self.folder = folder
        self.ids = ids = server.collaboration(2, encrypted)
        self.org = {"root": ids["root_org"], "one": ids["orgs"][0], "two": ids["orgs"][1]}
        keys = {"root": server.root_node_key(ids), "one": ids["keys"][0]}
        self.ours = []
        for name in ("root", "one"):
            extra = f"[databases]\ndefault = csv:{self.ages(name)}\n[docker]\npull = never\n"
            if encrypted:
                extra += f"[encryption]\nenabled = true\nprivate_key = {self.key_file(name)}\n"
                extra += "allow_legacy = true\n"
            unique = f"ours-{name}-{uuid.uuid4().hex[:6]}"
            config = write_ini(
                folder / name, server, keys[name], extra, name=unique, runtime="docker"
            )
            self.ours.append(Running(config))
        for running in self.ours:
            running.wait_connected(60)
        encryption = {"enabled": encrypted, "private_key": str(self.key_file("two"))}
        originals(ids["keys"][1], AGES["two"], encryption=encryption)

    def ages(self, name: str) -> Path:
        path = self.folder / name / "ages.csv"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text("age\n" + "".join(f"{age}\n" for age in AGES[name]))
        return path

    def key_file(self, name: str) -> Path:
        path = self.folder / "keys" / f"{name}.pem"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            RSACryptor.create_new_rsa_key(path, key_size=2048)
        return path

    def everyone(self) -> list[int]:
        return [self.org["root"], self.org["one"], self.org["two"]]

    def stop(self) -> None:
        for running in self.ours:
            running.stop()
            remove_node(self.engine, running.config.name)


@pytest.fixture
def mixed(server, engine, originals, tmp_path):
    mixed = Mixed(server, engine, originals, tmp_path, encrypted=False)
    yield mixed.ids, mixed.org
    mixed.stop()


@pytest.fixture
def encrypted_mixed(server, engine, originals, tmp_path):
    mixed = Mixed(server, engine, originals, tmp_path, encrypted=True)
    yield mixed
    mixed.stop()


@pytest.mark.parametrize("central_at", ["root", "two"])
def test_a_mixed_collaboration_averages_over_all_nodes_from_our_client(server, mixed, central_at):
    ids, org = mixed
    everyone = [org["root"], org["one"], org["two"]]
    task = server.task(ids, IMAGE, average(everyone), [org[central_at]], databases=DEFAULT_DB)
    result = central_result(server, task)
    assert result["average"] == pytest.approx(mean("root", "one", "two"))


ORIGINAL_CLIENT = """
from vantage6.client import Client
client = Client(ARGS["host"], ARGS["port"], "/api", log_level="warning")
client.authenticate("root", "root")
client.setup_encryption(ARGS.get("key"))
task = client.task.create(
    collaboration=ARGS["collaboration"],
    organizations=[ARGS["central"]],
    name=ARGS["name"],
    image=ARGS["image"],
    description="from the original client",
    input_={"method": "central_average", "kwargs": {"column_name": "age", "org_ids": ARGS["all"]}},
    databases=[{"label": "default"}],
)
results = client.wait_for_results(task["id"])
print(json.dumps([json.loads(run["result"]) for run in results["data"]]))  # 4.x: JSON text
"""


def test_a_mixed_collaboration_averages_over_all_nodes_from_the_original_client(server, mixed):
    ids, org = mixed
    everyone = [org["root"], org["one"], org["two"]]
    results = original_client(
        ORIGINAL_CLIENT,
        host="http://127.0.0.1",
        port=server.port,
        collaboration=ids["collab"],
        central=org["two"],
        all=everyone,
        name=f"original-{uuid.uuid4().hex[:6]}",
        image=IMAGE,
    )
    assert len(results) == 1
    assert results[0]["average"] == pytest.approx(mean("root", "one", "two"))


def test_an_encrypted_mixed_collaboration_from_the_original_client(server, encrypted_mixed):
    """The 4.x client writes the legacy format for everyone; the central run at the original
    node asks our nodes for partial averages in it too, and ours answer in kind."""
    mixed = encrypted_mixed
    results = original_client(
        ORIGINAL_CLIENT,
        host="http://127.0.0.1",
        port=server.port,
        key=str(mixed.key_file("root")),
        collaboration=mixed.ids["collab"],
        central=mixed.org["two"],
        all=mixed.everyone(),
        name=f"sealed-{uuid.uuid4().hex[:6]}",
        image=IMAGE,
    )
    assert [result["average"] for result in results] == [pytest.approx(mean("root", "one", "two"))]


@pytest.mark.parametrize("central_at", ["two", "root"])
def test_an_encrypted_mixed_collaboration_from_our_client(server, encrypted_mixed, central_at):
    """Our client, and our node's proxy for a central run's subtasks, write the legacy format
    for the original node only when allowed to, and read its legacy results."""
    mixed = encrypted_mixed
    client = Client("http://127.0.0.1", server.port, "/api")
    client.authenticate("root", "root")
    task = {
        "collaboration": mixed.ids["collab"],
        "organizations": [mixed.org[central_at]],
        "name": f"sealed-{uuid.uuid4().hex[:6]}",
        "image": IMAGE,
        "description": "",
        "input_": average(mixed.everyone()),
        "databases": DEFAULT_DB,
    }
    client.setup_encryption(str(mixed.key_file("root")))
    if central_at == "two":
        with pytest.raises(ClientError, match="is a vantage6 4.x node, which reads only the"):
            client.task.create(**task)

    client.setup_encryption(str(mixed.key_file("root")), allow_legacy=True)
    created = client.task.create(**task)
    (run,) = client.wait_for_results(created["id"], timeout=SLOW)["data"]
    assert run["result"]["average"] == pytest.approx(mean("root", "one", "two"))
