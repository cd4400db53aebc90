"""The demo average image runs in the real Docker engine as a node would start it: the run's
folder with its input and output files, the database mounted read-only, no network, the
node's base32-encoded environment. Skipped when no engine or image is there, except in CI
(env CI set), where it is required; ``scripts/build-images`` provides both."""

from __future__ import annotations

import json
import os

import docker
import pandas as pd
import pytest

from vantage6.algorithm import env

IMAGE = "harbor2.vantage6.ai/demo/average:latest"
AGES = [41, 67, 23, 58]


def unavailable(reason: str):
    if os.environ.get("CI"):
        pytest.fail(f"required in CI: {reason}")
    pytest.skip(reason)


def engine_with(*images: str) -> docker.DockerClient:
    """The Docker engine, holding ``images`` (``scripts/build-images`` provides both);
    unavailable() when it does not."""
    try:
        client = docker.from_env()
        client.ping()
    except docker.errors.DockerException as exc:
        unavailable(f"no Docker engine reachable ({exc}); scripts/build-images starts one")
    for image in images:
        try:
            client.images.get(image)
        except docker.errors.ImageNotFound:
            unavailable(f"image {image} is missing; scripts/build-images builds it")
    return client


@pytest.fixture(scope="module")
def engine():
    client = engine_with(IMAGE)
    yield client
    client.close()


def run_algorithm(engine, tmp_path, input_: dict, db_type: str = "csv") -> tuple[int, str, bytes]:
    """Start the image on a database of AGES; its exit code, its log and its output file."""
    database = tmp_path / f"database.{db_type}"
    frame = pd.DataFrame({"age": AGES})
    if db_type == "csv":
        frame.to_csv(database, index=False)
    else:
        frame.to_parquet(database)
    run_folder = tmp_path / "task-000000001"
    run_folder.mkdir()
    (run_folder / "input").write_text(json.dumps(input_))
    (run_folder / "output").write_bytes(b"")
    variables = {
        "INPUT_FILE": "/mnt/data/task-000000001/input",
        "OUTPUT_FILE": "/mnt/data/task-000000001/output",
        "USER_REQUESTED_DATABASE_LABELS": "default",
        "DEFAULT_DATABASE_URI": f"/mnt/database.{db_type}",
        "DEFAULT_DATABASE_TYPE": db_type,
    }
    container = engine.containers.run(
        IMAGE,
        detach=True,
        network_disabled=True,
        environment={name: env.encode(value) for name, value in variables.items()},
        volumes={
            str(run_folder): {"bind": "/mnt/data/task-000000001", "mode": "rw"},
            str(database): {"bind": f"/mnt/database.{db_type}", "mode": "ro"},
        },
    )
    try:
        exit_code = container.wait(timeout=60)["StatusCode"]
        log = container.logs().decode()
    finally:
        container.remove(force=True)
    return exit_code, log, (run_folder / "output").read_bytes()


@pytest.mark.parametrize("db_type", ["csv", "parquet"])
def test_the_seeds_partial_call_writes_sum_and_count(engine, tmp_path, db_type):
    input_ = {"method": "average_partial", "kwargs": {"column_name": "age"}, "master": False}
    exit_code, log, output = run_algorithm(engine, tmp_path, input_, db_type)
    assert exit_code == 0, log
    assert json.loads(output) == {"sum": sum(AGES), "count": len(AGES)}


def test_an_algorithm_error_exits_1_with_the_cause_in_the_log(engine, tmp_path):
    input_ = {"method": "partial_average", "kwargs": {"column_name": "weight"}}
    exit_code, log, output = run_algorithm(engine, tmp_path, input_)
    assert exit_code == 1
    assert "ValueError: no column 'weight'; the columns are ['age']" in log
    assert output == b""
