"""The original 4.x tools' import paths (``vantage6.algorithm.tools.*``): thin modules over ours
that behave as the original's, so that 4.x algorithm source runs unchanged."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys

import pandas as pd
import pytest

from tests.unit.algorithm.conftest import ROOT
from vantage6.algorithm import env
from vantage6.algorithm.errors import AlgorithmError, EnvironmentVariableError, UserInputError
from vantage6.algorithm.mock import MockAlgorithmClient as OurMock
from vantage6.algorithm.tools import decorators, exceptions, util
from vantage6.algorithm.tools.mock_client import MockAlgorithmClient
from vantage6.algorithm.tools.preprocessing import preprocess_data
from vantage6.algorithm.tools.preprocessing.functions import filter_range
from vantage6.algorithm.tools.wrap import wrap_algorithm
from vantage6.algorithm.tools.wrappers import get_column_names, load_data
from vantage6.algorithm.wrap import wrap_algorithm as our_wrap_algorithm

PACKAGES_4X = ROOT / "tests" / "functional" / "node" / "algorithms_4x"
FRAME = pd.DataFrame({"age": [30, 12, 50]})


@pytest.fixture(autouse=True)
def environment_restored():
    """The wrapper decodes the whole environment in place: give the next tests it back."""
    saved = dict(os.environ)
    yield
    os.environ.clear()
    os.environ.update(saved)


def test_the_paths_lead_to_our_implementation():
    assert wrap_algorithm is our_wrap_algorithm
    assert MockAlgorithmClient is OurMock
    assert decorators.MockAlgorithmClient is OurMock
    for name in exceptions.__all__:
        assert issubclass(getattr(exceptions, name), AlgorithmError), name
    assert issubclass(exceptions.PrivacyThresholdViolation, exceptions.PrivacyViolation)
    assert exceptions.DeserializationException is exceptions.DeserializationError


# -- decorators: stacked as the original's, nearest the function first --------------------------


def test_the_decorator_nearest_the_function_gives_the_first_argument():
    client = object()

    @decorators.data(1)
    @decorators.algorithm_client
    def documented(client_, df, column):  # the original documentation's order
        return client_, len(df), column

    @decorators.algorithm_client
    @decorators.data(1)
    def reversed_(df, client_, column):
        return client_, len(df), column

    for function in (documented, reversed_):
        assert function("age", mock_client=client, mock_data=[FRAME]) == (client, 3, "age")
        assert function.wrapped_in_algorithm_client_decorator
        assert function.wrapped_in_data_decorator
        assert function.__name__ in ("documented", "reversed_")


def test_data_gives_the_databases_in_the_requested_order():
    second = pd.DataFrame({"age": [1]})

    @decorators.data(2)
    def both(first_df, second_df):
        return len(first_df), len(second_df)

    assert both(mock_data=[FRAME, second]) == (3, 1)


def test_metadata_comes_from_the_token_and_the_run_files(tmp_path, node_env):
    token = tmp_path / "token"
    subject = {"task_id": 5, "node_id": 3, "collaboration_id": 9, "organization_id": 2}
    token.write_text(f"x.{_b64(json.dumps({'sub': subject}))}.z")
    node_env(
        TOKEN_FILE=token,
        TEMPORARY_FOLDER=tmp_path / "tmp",
        INPUT_FILE=tmp_path / "input",
        OUTPUT_FILE=tmp_path / "output",
    )

    @decorators.data(1)
    @decorators.metadata
    def who(meta, df):
        return meta, len(df)

    meta, rows = who(mock_data=[FRAME])
    assert rows == 3
    assert (meta.task_id, meta.node_id, meta.collaboration_id, meta.organization_id) == (
        5,
        3,
        9,
        2,
    )
    assert meta.temporary_directory == tmp_path / "tmp"
    assert (meta.input_file, meta.output_file, meta.token_file) == (
        tmp_path / "input",
        tmp_path / "output",
        token,
    )


def test_an_omop_connection_fails_clearly_when_called():
    @decorators.database_connection(types=["OMOP"])
    def omop(connection, meta):
        return connection

    with pytest.raises(AlgorithmError, match="OMOP database connections are not supported"):
        omop()


def test_ohdsi_metadata_comes_from_the_node_variables(tmp_path, node_env):
    node_env(
        TEMPORARY_FOLDER=tmp_path,
        OMOP_DB_PARAM_CDM_DATABASE="cdm",
        OMOP_DB_PARAM_CDM_SCHEMA="s",
        OMOP_DB_PARAM_RESULTS_SCHEMA="r",
        OMOP_DB_PARAM_DBMS="postgresql",
    )
    meta = decorators.get_ohdsi_metadata("omop")
    assert (meta.database, meta.cdm_schema, meta.results_schema, meta.dbms) == (
        "cdm",
        "s",
        "r",
        "postgresql",
    )
    assert meta.export_folder == tmp_path / "export"
    with pytest.raises(exceptions.EnvironmentVariableNotFoundError, match="OTHER_DB_PARAM"):
        decorators.get_ohdsi_metadata("other")


# -- util -----------------------------------------------------------------------------------------


def test_info_warn_and_error_print_to_stdout(capsys):
    util.info("reading")
    util.warn("few rows")
    util.error("no column")
    assert capsys.readouterr().out == "info > reading\nwarn > few rows\nerror > no column\n"


def test_get_env_var_decodes_what_the_node_encoded(node_env, monkeypatch):
    node_env(THRESHOLD="5", FLAG="true", OFF="no", WORD="abc")
    monkeypatch.setenv("PLAIN", "/not/encoded")
    monkeypatch.delenv("ABSENT", raising=False)
    assert util.get_env_var("WORD") == "abc"
    assert util.get_env_var("PLAIN") == "/not/encoded"
    assert util.get_env_var("ABSENT") is None
    assert util.get_env_var("ABSENT", default="7", as_type="int") == 7
    assert util.get_env_var("THRESHOLD", as_type="int") == 5
    assert util.get_env_var("FLAG", as_type="bool") is True
    assert util.get_env_var("OFF", as_type="bool") is False
    with pytest.raises(EnvironmentVariableError, match="'WORD' has value 'abc'.*integer"):
        util.get_env_var("WORD", as_type="int")
    with pytest.raises(EnvironmentVariableError, match="boolean"):
        util.get_env_var("THRESHOLD", as_type="bool")
    util.check_envvar_value_positive("THRESHOLD", 0)
    with pytest.raises(EnvironmentVariableError, match="positive"):
        util.check_envvar_value_positive("THRESHOLD", -1)


def test_the_environment_is_decoded_in_place_once(node_env, monkeypatch):
    node_env(SETTING="ABCDEFGH", PATHLIKE="/data/file.csv")
    assert os.environ["SETTING"] != "ABCDEFGH"
    env.decode_environment()
    assert os.environ["SETTING"] == "ABCDEFGH"  # a value that is itself valid base32
    assert os.environ["PATHLIKE"] == "/data/file.csv"
    assert env.get("SETTING") == "ABCDEFGH"  # not decoded a second time
    assert util.get_env_var("SETTING") == "ABCDEFGH"
    monkeypatch.setenv("SETTING", env.encode("later"))  # a new encoded value is decoded
    assert env.get("SETTING") == "later"


# -- wrap -----------------------------------------------------------------------------------------


@pytest.fixture
def run_files(tmp_path, node_env):
    """A run of the 4.x package's partial average on a CSV, as the node describes it."""
    database = tmp_path / "data.csv"
    FRAME.to_csv(database, index=False)
    files = {"input": tmp_path / "input", "output": tmp_path / "output"}
    node_env(
        INPUT_FILE=files["input"],
        OUTPUT_FILE=files["output"],
        USER_REQUESTED_DATABASE_LABELS="default",
        DEFAULT_DATABASE_URI=database,
        DEFAULT_DATABASE_TYPE="csv",
    )
    return files


def run_4x_image_command(extra_env: dict | None = None):
    """The command of an image built for the original base, with PKG_NAME set plainly as its
    Dockerfile does (not encoded)."""
    paths = [str(PACKAGES_4X), str(ROOT / "src")]
    environment = {
        **os.environ,
        "PKG_NAME": "v6_average_4x",
        "PYTHONPATH": os.pathsep.join(paths),
        **(extra_env or {}),
    }
    command = "from vantage6.algorithm.tools.wrap import wrap_algorithm; wrap_algorithm()"
    return subprocess.run(
        [sys.executable, "-c", command], env=environment, capture_output=True, text=True
    )


def test_an_image_of_the_original_base_runs_its_command(run_files):
    run_files["input"].write_text(
        json.dumps({"method": "partial_average", "kwargs": {"column_name": "age"}})
    )
    done = run_4x_image_command()
    assert done.returncode == 0, done.stderr
    assert json.loads(run_files["output"].read_bytes()) == {"sum": 92.0, "count": 3}
    assert "info > Computing the sum and count" in done.stdout


def test_an_algorithm_error_is_one_line_and_exit_status_1(run_files):
    run_files["input"].write_text(
        json.dumps({"method": "partial_average", "kwargs": {"column_name": "age"}})
    )
    done = run_4x_image_command({"AVERAGE_MINIMUM_ROWS": env.encode("10")})
    assert done.returncode == 1
    assert "Fewer than 10 values" in done.stderr
    assert "Traceback" not in done.stderr


def test_without_log_traceback_an_error_shows_no_traceback(run_files, monkeypatch, caplog):
    run_files["input"].write_text(json.dumps({"method": "partial_average", "args": [1, 2, 3]}))
    monkeypatch.syspath_prepend(str(PACKAGES_4X))
    monkeypatch.setenv("PKG_NAME", "v6_average_4x")
    with pytest.raises(SystemExit) as ended:
        wrap_algorithm(log_traceback=False)
    assert ended.value.code == 1
    assert "the algorithm failed: TypeError" in caplog.text
    assert "Traceback" not in caplog.text


# -- data loading and preprocessing ---------------------------------------------------------------


def test_wrappers_load_data_as_ours(tmp_path):
    database = tmp_path / "data.csv"
    FRAME.to_csv(database, index=False)
    assert list(load_data(str(database), "csv")["age"]) == [30, 12, 50]
    assert get_column_names(str(database), "csv") == ["age"]
    with pytest.raises(AlgorithmError, match="type 'nope' is unknown"):
        load_data(str(database), "nope")


def test_preprocessing_as_the_original_defines_it():
    kept = filter_range(FRAME, "age", min_=12, max_=50, include_min=True)
    assert list(kept["age"]) == [30, 12]
    steps = [{"function": "filter_range", "parameters": {"column": "age", "min_": 20}}]
    assert list(preprocess_data(FRAME, steps)["age"]) == [30, 50]
    with pytest.raises(UserInputError, match="unknown preprocessing function 'nope'"):
        preprocess_data(FRAME, [{"function": "nope"}])
    with pytest.raises(UserInputError, match=r"missing parameter\(s\) \['column'\]"):
        preprocess_data(FRAME, [{"function": "filter_range", "parameters": {"min_": 1}}])


def _b64(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")
