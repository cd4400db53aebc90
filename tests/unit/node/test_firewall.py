"""The host firewall's errors when iptables is missing or refuses (the rules themselves are
tested against the real iptables in tests/integration/node/test_host_firewall.py)."""

from __future__ import annotations

import pytest

from vantage6.node.runtime.firewall import FirewallError, HostFirewall

NETWORK_ID = "0123456789ab" + "c" * 52


def firewall() -> HostFirewall:
    return HostFirewall(NETWORK_ID, "br-0123456789ab", "192.168.1.1")


def test_the_chain_is_named_after_the_network():
    assert firewall().chain == "V6-0123456789ab"


def test_missing_iptables_is_a_clear_error(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(FirewallError, match="iptables-restore is not installed; the Docker"):
        firewall().apply(5000)


def test_no_right_to_change_the_firewall_says_to_run_as_root(monkeypatch, tmp_path):
    for name in ("iptables", "iptables-restore"):
        fake = tmp_path / name
        fake.write_text(
            "#!/bin/sh\n"
            "echo 'iptables v1.8.9 (nf_tables): Could not fetch rule set generation id: "
            "Permission denied (you must be root)' >&2\n"
            "exit 4\n"
        )
        fake.chmod(0o755)
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(FirewallError, match="Permission denied .*the node must run as root"):
        firewall().apply(5000)
