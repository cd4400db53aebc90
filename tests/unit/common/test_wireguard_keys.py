"""WireGuard keys: made here in WireGuard's format, kept private, checked on the way in."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from vantage6.common.netns import NetworkError
from vantage6.common.wireguard import (
    Interface,
    is_key,
    load_or_make_key,
    new_private_key,
    public_key,
)


def test_a_key_is_made_once_kept_0600_and_read_again(tmp_path):
    path = tmp_path / "vpn" / "wg.key"
    key = load_or_make_key(path)
    assert is_key(key) and path.stat().st_mode & 0o777 == 0o600
    assert load_or_make_key(path) == key
    assert public_key(key) != key and is_key(public_key(key))


@pytest.mark.skipif(shutil.which("wg") is None, reason="wireguard-tools is not installed")
def test_the_public_key_is_the_one_wireguard_tools_derive():
    key = new_private_key()
    derived = subprocess.run(["wg", "pubkey"], input=key, capture_output=True, text=True)
    assert derived.stdout.strip() == public_key(key)


def test_a_key_others_may_read_or_a_bad_key_is_refused(tmp_path):
    path = tmp_path / "wg.key"
    load_or_make_key(path)
    path.chmod(0o644)
    with pytest.raises(NetworkError, match="may be read by others"):
        load_or_make_key(path)
    path.write_text("not a key\n")
    path.chmod(0o600)
    with pytest.raises(NetworkError, match="does not hold a WireGuard private key"):
        load_or_make_key(path)
    assert not is_key("c2hvcnQ=")


def test_interface_names_fit_the_kernels_limit():
    with pytest.raises(ValueError, match="longer than 15"):
        Interface("v6-a-much-too-long-name", "ns")
