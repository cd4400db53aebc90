"""The R packages' own testthat suites (no server), run against the installed packages; vtg's
reads messages that the Python side's encryption writes now, for a key pair made for the run."""

from __future__ import annotations

import pytest

from tests.integration.r.conftest import PACKAGES, run_testthat
from vantage6.common.encryption import RSACryptor

PLAIN_V6E1 = b'{"average": 53.25, "count": [1, 2, 3]}'  # as test-crypto.R expects them
PLAIN_LEGACY = b'{"average": 53.25}'


@pytest.fixture
def python_vectors(tmp_path):
    """A key pair, and a v6e1 and a legacy message RSACryptor wrote for it."""
    RSACryptor.create_new_rsa_key(tmp_path / "key.pem", key_size=2048)
    cryptor = RSACryptor(tmp_path / "key.pem")
    public = cryptor.public_key_str
    (tmp_path / "public.b64").write_text(public + "\n")
    (tmp_path / "v6e1.txt").write_text(cryptor.encrypt_bytes_to_str(PLAIN_V6E1, public) + "\n")
    legacy = cryptor.encrypt_bytes_to_str(PLAIN_LEGACY, public, legacy=True)
    (tmp_path / "legacy.txt").write_text(legacy + "\n")
    return tmp_path


@pytest.mark.parametrize("package", ["vtg", "vtg.coxph"])
def test_the_packages_own_tests_pass(package, library, python_vectors):
    variables = {"VTG_PYTHON_VECTORS": str(python_vectors)}
    run_testthat(PACKAGES / package / "tests" / "testthat", library, variables, package)
