"""The host firewall's errors when iptables is missing or refuses (the rules themselves are
tested against the real iptables in tests/integration/node/test_host_firewall.py)."""

from __future__ import annotations

import pytest

from vantage6.node.runtime.firewall import FirewallError, HostFirewall, remove_stale

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


def test_a_stale_chain_another_node_removes_meanwhile_is_no_error(monkeypatch, tmp_path):
    """Two nodes of one machine sweep up the same stale chain: the jump is there when listed
    and checked, and gone when this node deletes it (a fake iptables)."""
    fake = tmp_path / "iptables"
    fake.write_text(
        "#!/bin/sh\n"
        'case "$*" in\n'
        '  *"-S INPUT"*) echo "-A INPUT -i br-0123456789ab -j V6-0123456789ab"; exit 0;;\n'
        '  *" -C "*) exit 0;;\n'
        "esac\n"
        "echo 'iptables: Bad rule (does a matching rule exist in that chain?).' >&2\n"
        "exit 1\n"
    )
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", str(tmp_path))
    remove_stale(lambda: [])
