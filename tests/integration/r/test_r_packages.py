"""The R packages' own testthat suites (no server), run against the installed packages."""

from __future__ import annotations

import pytest

from tests.integration.r.conftest import PACKAGES, run_testthat


@pytest.mark.parametrize("package", ["vtg", "vtg.coxph"])
def test_the_packages_own_tests_pass(package, library):
    run_testthat(PACKAGES / package / "tests" / "testthat", library)
