"""The input protocol shared by the wrapper and the mock client: both input shapes, and a
clear error for every kind of bad input."""

import json
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from tests.unit.algorithm import sample_algorithm
from vantage6.algorithm.call import Call, encode_result, invoke, parse_input, resolve
from vantage6.algorithm.errors import AlgorithmError


def test_reads_the_4x_shape():
    raw = json.dumps({"method": "plain", "args": [1], "kwargs": {"b": 2}}).encode()
    assert parse_input(raw) == Call("plain", [1], {"b": 2}, master=None)


def test_reads_the_seeds_3x_shape_with_its_json_prefix():
    raw = b'json.{"method": "master", "kwargs": {"column": "age"}, "master": true}'
    assert parse_input(raw) == Call("master", [], {"column": "age"}, master=True)


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        (b"pickle.\x80\x04K\x01.", "pickled input is refused"),
        (b"{not json", "the input is not JSON"),
        (b"\xff\xfe", "the input is not JSON"),
        (b"[1, 2]", "must be a JSON object"),
        (b'{"kwargs": {}}', "names no 'method'"),
        (b'{"method": ""}', "names no 'method'"),
        (b'{"method": "_private"}', "is not the name of a public function"),
        (b'{"method": "os.system"}', "is not the name of a public function"),
        (b'{"method": "plain", "args": {"a": 1}}', "'args' in the input must be a list"),
        (b'{"method": "plain", "kwargs": [1]}', "'kwargs' in the input must be an object"),
        (b'{"method": "plain", "master": "yes"}', "'master' in the input must be true or false"),
        (b'{"method": "plain", "output_format": "pickle"}', "only json is"),
    ],
)
def test_bad_input_is_a_clear_error(raw, problem):
    with pytest.raises(AlgorithmError, match=problem):
        parse_input(raw)


def test_a_missing_function_is_a_clear_error():
    for method in ("nothing_here", "NOT_CALLABLE"):
        with pytest.raises(AlgorithmError, match=f"has no function '{method}'"):
            resolve(sample_algorithm, Call(method))


def test_3x_partial_call_prefers_the_rpc_function_and_gets_the_data_injected():
    frame = pd.DataFrame({"age": [3, 9, 4]})
    call = Call("legacy_partial", kwargs={"column": "age"}, master=False)
    assert invoke(sample_algorithm, call, mock_data=[frame]) == {"max": 9}


def test_3x_master_call_gets_client_and_data_injected():
    client = SimpleNamespace(organization_id=7)
    frame = pd.DataFrame({"age": [1, 2]})
    call = Call("master", kwargs={"column": "age"}, master=True)
    assert invoke(sample_algorithm, call, mock_client=client, mock_data=[frame]) == {
        "organization": 7,
        "rows": 2,
    }


def test_undecorated_4x_functions_get_no_injection():
    assert invoke(sample_algorithm, Call("plain", [1]), mock_data=[pd.DataFrame()]) == [1, 0]


def test_results_with_numpy_and_pandas_values_are_plain_json():
    result = {"n": np.int64(3), "x": np.float64(0.5), "s": pd.Series([1, 2]), "a": np.array([1])}
    assert json.loads(encode_result(result, "m")) == {"n": 3, "x": 0.5, "s": [1, 2], "a": [1]}


def test_a_data_frame_result_is_its_dict_of_columns_which_makes_the_frame_again():
    frame = pd.DataFrame({"city": ["Cork", "Aalst"], "n": [np.int64(3), 4]}, index=[7, 9])
    result = json.loads(encode_result({"table": frame}, "m"))
    assert result == {"table": {"city": {"7": "Cork", "9": "Aalst"}, "n": {"7": 3, "9": 4}}}
    assert pd.DataFrame(result["table"]).values.tolist() == frame.values.tolist()


@pytest.mark.parametrize(
    "frame, axis",
    [
        (pd.DataFrame({"n": [1, 2]}, index=[0, 0]), "index"),
        (pd.DataFrame([[1, 2]], columns=["n", "n"]), "columns"),
    ],
)
def test_a_data_frame_that_would_lose_rows_or_columns_is_refused(frame, axis):
    with pytest.raises(AlgorithmError, match=f"the DataFrame's {axis} has duplicates"):
        encode_result(frame, "m")


def test_a_result_that_is_not_json_is_a_clear_error():
    with pytest.raises(AlgorithmError, match="the result of 'm' cannot be written as JSON"):
        encode_result({"when": object()}, "m")
