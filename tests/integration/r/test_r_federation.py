"""The R client (``R/vtg``) and an R algorithm (``R/vtg.coxph``) with a real server and real
nodes: the testthat files of ``R/vtg/tests/server`` run by ``Rscript`` against them, told where
by ``VTG_TEST_*`` variables, and the Python client running the R algorithm.

Three nodes (root's organization, "one", "two") hold a split of the bundled survival data; the
node of "two" also runs R's serialize format (``allow_rds = true``), the others refuse it. Their
runtime is Docker with the images of ``scripts/build-images`` (the R algorithm in its R base
image), or, without them outside CI, the process runtime (``Rscript`` with the packages
installed into a library of the node's).
"""

from __future__ import annotations

import pandas as pd
import pytest

from tests.federation import AVERAGE, COXPH, TIME_IMAGE, Federation
from tests.integration.r.conftest import DATA, PACKAGES, run_testthat
from vantage6.client import Client

SPLITS = {"root": "coxph-node1.csv", "one": "coxph-node2.csv", "two": "coxph-node3.csv"}
RDS_ALLOWED = {"two": "[policies]\nallow_rds = true\n"}


def federation(server, folder, encrypted: bool) -> Federation:
    datasets = {name: pd.read_csv(DATA / split) for name, split in SPLITS.items()}
    started = Federation(server, folder, encrypted, datasets=datasets, sections=RDS_ALLOWED)
    started.start()
    return started


@pytest.fixture(scope="module")
def plain(node_server, tmp_path_factory):
    started = federation(node_server, tmp_path_factory.mktemp("plain"), encrypted=False)
    yield started
    started.close()


@pytest.fixture(scope="module")
def encrypted(node_server, tmp_path_factory):
    started = federation(node_server, tmp_path_factory.mktemp("encrypted"), encrypted=True)
    yield started
    started.close()


def test_the_r_client_with_a_real_server_and_nodes(node_server, plain, encrypted, library):
    variables = {
        "VTG_TEST_HOST": f"http://127.0.0.1:{node_server.port}",
        "VTG_TEST_API_PATH": "/api",
        "VTG_TEST_USERNAME": "root",
        "VTG_TEST_PASSWORD": "root",
        "VTG_TEST_COLLABORATION": str(plain.ids["collab"]),
        "VTG_TEST_ENCRYPTED_COLLABORATION": str(encrypted.ids["collab"]),
        "VTG_TEST_PRIVATE_KEY": str(encrypted.key_file("root")),
        "VTG_TEST_ORGANIZATIONS": ",".join(str(plain.org[name]) for name in SPLITS),
        "VTG_TEST_RDS_ORGANIZATION": str(plain.org["two"]),
        "VTG_TEST_AVERAGE_IMAGE": AVERAGE,
        "VTG_TEST_COXPH_IMAGE": COXPH,
        "VTG_TEST_SLEEP_IMAGE": TIME_IMAGE,
        "VTG_TEST_POOLED_DATA": str(DATA / "coxph-all.csv"),
    }
    run_testthat(PACKAGES / "vtg" / "tests" / "server", library, variables)

    # The task the R client made, read from Python.
    client = signed_in(node_server)
    (task,) = client.task.list(name="made in R", collaboration=plain.ids["collab"])["data"]
    results = [record["result"] for record in client.result.from_task(task["id"])["data"]]
    pooled = pd.read_csv(DATA / "coxph-all.csv")
    assert sum(result["count"] for result in results) == len(pooled)
    assert sum(result["sum"] for result in results) == pooled["Age"].sum()


def signed_in(server) -> Client:
    client = Client("http://127.0.0.1", server.port, "/api")
    client.authenticate("root", "root")
    return client


def test_a_task_from_python_is_run_by_the_r_algorithm(node_server, plain):
    client = signed_in(node_server)
    task = client.task.create(
        collaboration=plain.ids["collab"],
        organizations=[plain.org["one"]],
        name="unique event times",
        image=COXPH,
        description="",
        input_={
            "method": "get_unique_event_times_and_counts",
            "kwargs": {"time_col": "Time", "censor_col": "Censor", "expl_vars": ["Age"]},
        },
        databases=[{"label": "default"}],
    )
    (record,) = client.wait_for_results(task["id"])["data"]
    result = record["result"]  # the R list, as the JSON object it became
    data = pd.read_csv(DATA / SPLITS["one"])
    assert (result["n_rows"], result["n_events"]) == (len(data), int(data["Censor"].sum()))
    assert sum(result["counts"]) == result["n_events"]
