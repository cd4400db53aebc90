"""The R packages of this tree (``R/vtg``, ``R/vtg.coxph``) installed for the tests, and their
testthat files run by ``Rscript``. R is required in CI (scripts/bootstrap-system installs it)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.functional.node.daemons import REPOSITORY
from tests.integration.test_demo_image import unavailable
from vantage6.node.runtime import r_library

PACKAGES = REPOSITORY / "R"
DATA = PACKAGES / "vtg.coxph" / "inst" / "extdata"
RSCRIPT_TIMEOUT = 900


@pytest.fixture(scope="session")
def library(tmp_path_factory) -> Path:
    """vtg and vtg.coxph installed from this tree into a library of the tests' own."""
    if shutil.which("Rscript") is None:
        unavailable("Rscript is not installed (scripts/bootstrap-system installs R)")
    return r_library.library_with(
        tmp_path_factory.mktemp("R-library"), r_library.VTG_SOURCE, PACKAGES / "vtg.coxph"
    )


def run_testthat(
    folder: Path, library: Path, variables: dict | None = None, package: str | None = None
) -> str:
    """Run the testthat files of ``folder`` (a ``package``'s own tests run inside its installed
    namespace, as R CMD check runs them, so they reach its internal functions); fails the
    calling test on any failure, error or skip (a skip here means the R side missed something
    the test set up)."""
    loading = (
        f"package = {package!r}, load_package = 'installed'"
        if package
        else ("load_package = 'none'")
    )
    code = (
        f"testthat::test_dir({str(folder)!r}, reporter = 'summary', stop_on_failure = TRUE, "
        f"stop_on_warning = TRUE, {loading})"
    )
    done = subprocess.run(
        ["Rscript", "-e", code],
        env={**os.environ, "R_LIBS": str(library), **(variables or {})},
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=RSCRIPT_TIMEOUT,
    )
    output = done.stdout + done.stderr
    assert done.returncode == 0, output[-8000:]
    assert "Skipped" not in done.stdout, output[-4000:]
    return output
