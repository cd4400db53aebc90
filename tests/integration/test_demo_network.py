"""The README's main job end to end: a demo network of a server and three organizations' Docker
nodes, the federated average through ``vdev run-demo``, then the seed's own client walk-through
against the same network, with the numbers its text shows; and the seed's R example, the
federated Cox regression, on the network's survival collaboration."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from importlib import resources
from pathlib import Path

import pytest

from tests.functional.node.daemons import REPOSITORY
from tests.functional.test_serve import free_port
from tests.integration.r import conftest as r_packages
from vantage6.client import Client
from vantage6.dev.demo import docker_ready
from vantage6.dev.network import DemoNetwork

VDEV = str(Path(sys.executable).with_name("vdev"))
library = r_packages.library  # the fixture: vtg and vtg.coxph installed
SEED_EXAMPLE = REPOSITORY / "R" / "vtg.coxph" / "inst" / "examples" / "seed-example.R"

if not docker_ready():
    if os.environ.get("CI") == "true":
        pytest.fail("CI needs a Docker engine with the demo image (scripts/build-images)")
    pytest.skip("no Docker engine with the demo image", allow_module_level=True)


@pytest.fixture(scope="module")
def network(tmp_path_factory):
    directory = tmp_path_factory.mktemp("demo")
    port = free_port()
    done = subprocess.run(
        [VDEV, "run-demo", "--directory", str(directory), "--server-port", str(port), "--keep"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    network = DemoNetwork(directory)
    try:
        assert done.returncode == 0, done.stdout + done.stderr
        yield network, done.stdout
    finally:
        network.stop()


def test_run_demo_prints_the_federated_average_equal_to_the_pooled_one(network):
    _, output = network
    federated = next(line for line in output.splitlines() if line.startswith("federated"))
    pooled = next(line for line in output.splitlines() if line.startswith("pooled"))
    assert federated.split(":")[1].strip() == pooled.split(":")[1].strip() == "53.25"


def _seed_client(network: DemoNetwork) -> Client:
    credentials = network.credentials()
    client = Client(credentials.url, credentials.port, "/api")
    username, password = next(iter(credentials.users.items()))  # a researcher of org 2
    client.authenticate(username, password)
    client.setup_encryption(None)
    return client


def _seed_task(client: Client, input_: dict) -> list:
    """The seed's task creation and waiting loop, as its text writes them."""
    average_task = client.task.create(
        collaboration=1,
        organizations=[2, 3],
        name="an-awesome-task",
        image="harbor2.vantage6.ai/demo/average",
        description="",
        input=input_,
        data_format="json",
    )
    task_id = average_task["id"]
    task_info = client.task.get(task_id)
    deadline = time.monotonic() + 120
    while not task_info.get("complete"):
        assert time.monotonic() < deadline, task_info
        task_info = client.task.get(task_id, include_results=True)
        time.sleep(1)
    result_info = client.result.list(task=task_info["id"])
    return [item["result"] for item in result_info["data"]]


def test_the_seeds_master_example_gives_its_documented_average(network):
    client = _seed_client(network[0])
    input_ = {"method": "master", "kwargs": {"column_name": "age"}, "master": True}
    assert _seed_task(client, input_)[0] == {"average": 53.25}


def test_the_seeds_rpc_example_gives_its_documented_sums(network):
    client = _seed_client(network[0])
    input_ = {"method": "average_partial", "kwargs": {"column_name": "age"}, "master": False}
    results = _seed_task(client, input_)
    assert sorted(results, key=lambda r: -r["sum"]) == [
        {"sum": 253, "count": 4},
        {"sum": 173, "count": 4},
    ]


def test_the_seeds_r_cox_example_matches_the_pooled_fit(network, library, tmp_path):
    """The README's R command: the documentation's example as a script, on collaboration 2."""
    credentials = network[0].credentials()
    username, password = next(iter(credentials.users.items()))
    table = tmp_path / "dcoxph.csv"
    command = [f"{credentials.url}:{credentials.port}", "/api", username, password, "2", table]
    done = subprocess.run(
        ["Rscript", str(SEED_EXAMPLE), *map(str, command)],
        env={**os.environ, "R_LIBS": str(library)},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "example_survival" in done.stdout
    pooled = resources.files("vantage6.dev").joinpath("data", "survival.csv")
    compare = (
        f"fit <- read.csv({str(table)!r}, row.names = 1, check.names = FALSE); "
        f"d <- read.csv({str(pooled)!r}); "
        "ref <- survival::coxph(survival::Surv(Time, Censor) ~ ., data = d, ties = 'breslow'); "
        "cat(max(abs(fit[names(coef(ref)), 'coef'] - coef(ref))))"
    )
    difference = subprocess.run(
        ["Rscript", "-e", compare], capture_output=True, text=True, check=True
    ).stdout
    assert float(difference) < 1e-6


def test_the_networks_secrets_are_readable_by_their_owner_only(network):
    demo = network[0]
    secrets = [demo.server_ini, demo.credentials_file, demo.directory / "import.yaml"]
    secrets += [folder / "api_key" for folder in demo.node_dirs()]
    assert len(secrets) == 3 + 2 * 3  # two collaborations of three organizations
    assert {path.stat().st_mode & 0o777 for path in secrets} == {0o600}
