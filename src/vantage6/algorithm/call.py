"""The algorithm's input: which method to call with which arguments, and how the result is
written. Shared by the container wrapper and the mock client so both behave alike.

Results are JSON. numpy values and pandas Series become plain values and lists, and a pandas
DataFrame becomes ``df.to_dict()`` (``{column: {index: value}}``), which ``pd.DataFrame(result)``
turns back into a frame (its index as text) and the web UI shows as a table. The original's
tools refuse a DataFrame; a frame whose index or columns repeat is refused here too, as the
dict would silently keep only the last of each.

Accepted input (JSON only; pickle was removed in 4.0 for safety, CVE-2023-23930):
- 4.x: ``{"method": "partial_average", "args": [], "kwargs": {...}}``
- 3.x (the seeds): the same plus ``"master": true|false``, optionally ``"output_format":
  "json"``, optionally prefixed with ``json.``. A ``master: false`` call prefers
  ``RPC_<method>``; undecorated 3.x functions get the data (and, for master, the client)
  injected as the 3.x wrapper did.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from types import ModuleType

from vantage6.algorithm.decorators import algorithm_client, data, is_decorated
from vantage6.algorithm.errors import AlgorithmError

JSON_PREFIX = b"json."
PICKLE_PREFIX = b"pickle."


@dataclass(frozen=True)
class Call:
    method: str
    args: list = field(default_factory=list)
    kwargs: dict = field(default_factory=dict)
    master: bool | None = None  # only set by the 3.x input shape


def parse_input(raw: bytes) -> Call:
    if raw.startswith(PICKLE_PREFIX):
        raise AlgorithmError("pickled input is refused (unsafe since vantage6 4.0); send JSON")
    if raw.startswith(JSON_PREFIX):
        raw = raw[len(JSON_PREFIX) :]
    try:
        document = json.loads(raw)
    except ValueError as exc:
        raise AlgorithmError(f"the input is not JSON ({exc})")
    if not isinstance(document, dict):
        raise AlgorithmError("the input must be a JSON object with a 'method'")
    _check_output_format(document.get("output_format"))
    return Call(
        method=_method(document.get("method")),
        args=_typed(document, "args", list, "a list"),
        kwargs=_typed(document, "kwargs", dict, "an object"),
        master=_master(document),
    )


def _method(method) -> str:
    if not isinstance(method, str) or not method:
        raise AlgorithmError("the input names no 'method' to call")
    if method.startswith("_") or not method.isidentifier():
        raise AlgorithmError(f"{method!r} is not the name of a public function")
    return method


def _typed(document: dict, key: str, kind: type, description: str):
    value = document.get(key)
    if value is None:
        return kind()
    if not isinstance(value, kind):
        raise AlgorithmError(f"'{key}' in the input must be {description}")
    return value


def _check_output_format(output_format) -> None:
    if output_format is not None and str(output_format).lower() != "json":
        raise AlgorithmError(f"output_format {output_format!r} is not supported; only json is")


def _master(document: dict) -> bool | None:
    master = document.get("master")
    if master is not None and not isinstance(master, bool):
        raise AlgorithmError("'master' in the input must be true or false")
    return master


def resolve(module: ModuleType, call: Call):
    """The function the call names, adapted to the 3.x conventions when the input is 3.x."""
    names = [f"RPC_{call.method}", call.method] if call.master is False else [call.method]
    function = next((getattr(module, n) for n in names if callable(getattr(module, n, None))), None)
    if function is None:
        raise AlgorithmError(
            f"algorithm package {module.__name__!r} has no function {call.method!r}"
        )
    if call.master is not None and not is_decorated(function):
        function = data(1)(function)
        if call.master:
            function = algorithm_client(function)
    return function


def invoke(module: ModuleType, call: Call, **mocks):
    """Call the method; ``mocks`` (mock_data=, mock_client=) reach decorated functions only."""
    function = resolve(module, call)
    if not is_decorated(function):
        mocks = {}
    return function(*call.args, **call.kwargs, **mocks)


def encode_result(result, method: str) -> bytes:
    """JSON bytes of what the method returned; numpy and pandas values become plain ones."""
    try:
        return json.dumps(result, default=_plain).encode()
    except (TypeError, ValueError) as exc:
        raise AlgorithmError(f"the result of {method!r} cannot be written as JSON ({exc})")


def _plain(value):
    # pandas is loaded only with data (see .databases): without it, no value is a DataFrame.
    pandas = sys.modules.get("pandas")
    if pandas is not None and isinstance(value, pandas.DataFrame):
        for axis in ("index", "columns"):
            if not getattr(value, axis).is_unique:
                raise ValueError(f"the DataFrame's {axis} has duplicates; make it unique first")
        return value.to_dict()
    if callable(getattr(value, "tolist", None)):  # numpy scalars and arrays, pandas series
        return value.tolist()
    raise TypeError(f"{type(value).__name__} is not JSON serializable")
