"""The container entry point (``python3 -m vantage6.algorithm``): read the input file, call the
requested function of the algorithm package (``PKG_NAME``, set by the image), write its result
as JSON to the output file. Bad input or set-up is one clear log line and exit status 1; an
error inside the algorithm also exits with 1, with its traceback in the log.

Images built for the original 4.x tools call the same function as
``vantage6.algorithm.tools.wrap.wrap_algorithm()``."""

from __future__ import annotations

import importlib
import logging
import sys
from pathlib import Path

from vantage6.algorithm import env
from vantage6.algorithm.call import encode_result, invoke, parse_input
from vantage6.algorithm.errors import AlgorithmError

log = logging.getLogger("vantage6.algorithm")


def run(package: str, input_file: Path, output_file: Path) -> None:
    call = parse_input(_read(input_file))
    module = _import(package)
    log.info("calling %s.%s", package, call.method)
    output_file.write_bytes(encode_result(invoke(module, call), call.method))


def wrap_algorithm(log_traceback: bool = True) -> None:
    """Run the algorithm as the node configured it (the original's name for this entry point).

    The environment is decoded in place first, as the original's wrapper does. With
    ``log_traceback=False`` an error inside the algorithm is logged without its traceback
    (for algorithms whose tracebacks could show data)."""
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    env.decode_environment()
    try:
        run(
            env.require("PKG_NAME", "the algorithm package, set by the image"),
            Path(env.require("INPUT_FILE", "the run's input file")),
            Path(env.require("OUTPUT_FILE", "the run's output file")),
        )
    except AlgorithmError as exc:
        log.error("%s", exc)
        sys.exit(1)
    except Exception as exc:
        if log_traceback:
            log.exception("the algorithm failed")
        else:
            log.error("the algorithm failed: %s: %s", type(exc).__name__, exc)
        sys.exit(1)


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise AlgorithmError(f"the input file cannot be read ({exc})")


def _import(package: str):
    try:
        return importlib.import_module(package)
    except ModuleNotFoundError as exc:
        if exc.name != package:
            raise  # the package itself is broken: its traceback says why
        raise AlgorithmError(f"algorithm package {package!r} is not installed in this image")
