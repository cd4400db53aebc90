"""Preprocessing steps on a database's DataFrame before the algorithm gets it, as the original
4.x tools define them: a list of ``{"function": <name>, "parameters": {...}}``, applied in order
with the functions in :data:`FUNCTIONS`.

The mock client applies the steps a mock dataset names. The node does not yet: a task whose
database asks for preprocessing fails there with a clear message
(:func:`vantage6.algorithm.databases.load_database`).
"""

from __future__ import annotations

import inspect

from vantage6.algorithm.errors import UserInputError


def filter_range(
    df,
    column: str,
    min_: float | None = None,
    max_: float | None = None,
    include_min: bool = False,
    include_max: bool = False,
):
    """The rows whose ``column`` lies between ``min_`` and ``max_`` (each bound left out unless
    its ``include_`` says otherwise; a bound of None is no bound). A ``column`` of None means
    the index."""
    values = df.index.to_series(index=df.index) if column is None else df[column]
    keep = None
    if min_ is not None:
        keep = values >= min_ if include_min else values > min_
    if max_ is not None:
        below = values <= max_ if include_max else values < max_
        keep = below if keep is None else keep & below
    return df if keep is None else df[keep]


def dummy_preprocess(df):
    """Changes nothing (the original's placeholder step)."""
    return df


FUNCTIONS = {"filter_range": filter_range, "dummy_preprocess": dummy_preprocess}


def preprocess(df, steps: list[dict] | None):
    """``df`` after each of ``steps``; an unusable step is a :class:`UserInputError`."""
    for step in steps or []:
        if not isinstance(step, dict) or "function" not in step:
            raise UserInputError(f"a preprocessing step names no 'function': {step!r}")
        function = FUNCTIONS.get(step["function"])
        if function is None:
            raise UserInputError(
                f"unknown preprocessing function {step['function']!r};"
                f" known: {', '.join(sorted(FUNCTIONS))}"
            )
        parameters = step.get("parameters") or {}
        _check_parameters(function, parameters)
        df = function(df, **parameters)
    return df


def _check_parameters(function, parameters: dict) -> None:
    signature = inspect.signature(function)
    first, *others = signature.parameters.values()  # the first one is the DataFrame
    names = {parameter.name for parameter in others}
    unknown = sorted(set(parameters) - names)
    missing = [p.name for p in others if p.default is p.empty and p.name not in parameters]
    if unknown or missing:
        raise UserInputError(
            f"preprocessing step {function.__name__!r}: "
            + "; ".join(
                part
                for part in (
                    f"missing parameter(s) {missing}" if missing else "",
                    f"unknown parameter(s) {unknown}" if unknown else "",
                )
                if part
            )
        )
