"""The original 4.x tools' helpers: ``info``, ``warn`` and ``error`` write one line to standard
output (``info > message``), which ends up in the run's log; ``get_env_var`` reads a variable the
node set (decoded as :mod:`vantage6.algorithm.env` does), optionally as a bool or an int."""

from __future__ import annotations

import sys

from vantage6.algorithm import env
from vantage6.algorithm.errors import EnvironmentVariableError

TRUE = ("true", "1", "yes", "t")
FALSE = ("false", "0", "no", "f")


def _say(kind: str, msg) -> None:
    sys.stdout.write(f"{kind} > {msg}\n")


def info(msg: str) -> None:
    _say("info", msg)


def warn(msg: str) -> None:
    _say("warn", msg)


def error(msg: str) -> None:
    _say("error", msg)


def get_env_var(var_name: str, default: str | None = None, as_type: str = "str"):
    """The variable's value (``default`` when it is not set) as ``as_type``: "str", "bool"
    (true/1/yes/t or false/0/no/f) or "int"; a value that is neither is an
    :class:`EnvironmentVariableError`. Another ``as_type`` gives None, as the original."""
    value = env.get(var_name, default)
    if as_type == "str":
        return value
    if as_type == "bool":
        if value in TRUE:
            return True
        if value in FALSE:
            return False
        raise EnvironmentVariableError(
            f"Environment variable '{var_name}' has value '{value}' which cannot be converted"
            " to a boolean value. Please use 'false' or 'true'."
        )
    if as_type == "int":
        try:
            return int(value)
        except (TypeError, ValueError) as exc:
            raise EnvironmentVariableError(
                f"Environment variable '{var_name}' has value '{value}' which cannot be"
                " converted to an integer."
            ) from exc
    return None


def check_envvar_value_positive(envvar_name: str, envvar_value: int | float) -> None:
    """An :class:`EnvironmentVariableError` when the value is below zero."""
    if envvar_value < 0:
        raise EnvironmentVariableError(
            f"Environment variable '{envvar_name}' has value '{envvar_value}' while a positive"
            " value is required."
        )


__all__ = ["check_envvar_value_positive", "error", "get_env_var", "info", "warn"]
