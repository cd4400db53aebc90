"""The container entry point: input file in, JSON output file out, one clear log line and exit
status 1 for anything wrong."""

import json
import logging
import os
import re
import subprocess
import sys

import pytest

from tests.unit.algorithm.conftest import ROOT, SAMPLE
from vantage6.algorithm.wrap import wrap_algorithm


@pytest.fixture
def run_files(tmp_path, node_env):
    """A run's files and a CSV database, described in the environment as the node does."""
    database = tmp_path / "data.csv"
    database.write_text("age\n30\n12\n")
    files = {"input": tmp_path / "input", "output": tmp_path / "output"}
    files["output"].write_bytes(b"")
    node_env(
        PKG_NAME=SAMPLE,
        INPUT_FILE=files["input"],
        OUTPUT_FILE=files["output"],
        USER_REQUESTED_DATABASE_LABELS="default",
        DEFAULT_DATABASE_URI=database,
        DEFAULT_DATABASE_TYPE="csv",
    )
    return files


def test_calls_the_method_on_the_data_and_writes_json(run_files):
    run_files["input"].write_text(json.dumps({"method": "column_total", "args": ["age"]}))
    wrap_algorithm()
    assert json.loads(run_files["output"].read_bytes()) == {"total": 42, "rows": 2}


def test_runs_as_the_image_command(run_files):
    """``python -m vantage6.algorithm`` in a fresh interpreter, as in the container."""
    run_files["input"].write_text(
        'json.{"method": "legacy_partial", "master": false, "kwargs": {"column": "age"}}'
    )
    environment = {**os.environ, "PYTHONPATH": f"{ROOT}{os.pathsep}{ROOT / 'src'}"}
    subprocess.run([sys.executable, "-m", "vantage6.algorithm"], env=environment, check=True)
    assert json.loads(run_files["output"].read_bytes()) == {"max": 30}


@pytest.mark.parametrize(
    ("content", "variables", "problem"),
    [
        ('{"kwargs": {}}', {}, "the input names no 'method'"),
        ("{nope", {}, "the input is not JSON"),
        ('{"method": "absent"}', {}, f"algorithm package '{SAMPLE}' has no function 'absent'"),
        ('{"method": "plain", "args": [1]}', {"PKG_NAME": ""}, "PKG_NAME .* is not set"),
        ('{"method": "plain"}', {"PKG_NAME": "no_such_pkg"}, "'no_such_pkg' is not installed"),
        (
            '{"method": "column_total", "args": ["age"]}',
            {"DEFAULT_DATABASE_URI": "/nope.csv"},
            "database 'default' .* file not found",
        ),
    ],
)
def test_bad_input_or_setup_exits_1_with_one_clear_line(
    run_files, node_env, caplog, content, variables, problem
):
    run_files["input"].write_text(content)
    node_env(**variables)
    with caplog.at_level(logging.ERROR), pytest.raises(SystemExit) as exit_:
        wrap_algorithm()
    assert exit_.value.code == 1
    [record] = caplog.records
    assert record.exc_info is None
    assert re.search(problem, record.getMessage())
    assert run_files["output"].read_bytes() == b""


def test_a_missing_input_file_is_a_clear_error(run_files, caplog):
    with pytest.raises(SystemExit):
        wrap_algorithm()
    assert "the input file cannot be read" in caplog.text


def test_an_error_inside_the_algorithm_exits_1_with_its_traceback(run_files, caplog):
    run_files["input"].write_text('{"method": "explode"}')
    with pytest.raises(SystemExit) as exit_:
        wrap_algorithm()
    assert exit_.value.code == 1
    assert "RuntimeError: boom inside the algorithm" in caplog.text
