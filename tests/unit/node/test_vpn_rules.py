"""What a node's VPN namespace lets through (its filter table), and which ports an image asks
the VPN for."""

from __future__ import annotations

from vantage6.node.vpn.ports import exposed_ports
from vantage6.node.vpn.rules import Member, namespace_rules

SUBNET = "10.76.0.0/16"


def forward_rules(members):
    return [rule for rule in namespace_rules("v6x", SUBNET, members) if "FORWARD -i" in rule]


def test_nothing_passes_without_runs_and_the_namespace_itself_takes_nothing():
    rules = namespace_rules("v6x", SUBNET, [])
    assert rules[:3] == [":INPUT DROP [0:0]", ":FORWARD DROP [0:0]", ":OUTPUT ACCEPT [0:0]"]
    assert forward_rules([]) == []
    assert "-A INPUT -i lo -j ACCEPT" in rules  # nothing else comes in


def test_a_run_reaches_the_tunnel_from_its_own_address_only():
    rules = forward_rules([Member(5, 1, "10.76.1.6")])
    assert rules == [
        "-A FORWARD -i r5 -o v6x -s 10.76.1.6/32 -d 10.76.0.0/16 -j ACCEPT",
        "-A FORWARD -i v6x -o r5 -s 10.76.0.0/16 -d 10.76.1.6/32 -j ACCEPT",
    ]


def test_runs_on_one_node_reach_each_other_only_within_their_job():
    members = [Member(5, 1, "10.76.1.6"), Member(6, 1, "10.76.1.7"), Member(7, 2, "10.76.1.8")]
    between = [rule for rule in forward_rules(members) if "-o r" in rule and "-i r" in rule]
    assert between == [
        "-A FORWARD -i r5 -o r6 -s 10.76.1.6/32 -d 10.76.1.7/32 -j ACCEPT",
        "-A FORWARD -i r6 -o r5 -s 10.76.1.7/32 -d 10.76.1.6/32 -j ACCEPT",
    ]


def test_exposed_ports_with_their_labels_as_the_original_reads_them():
    config = {
        "ExposedPorts": {"9000/tcp": {}, "8888/tcp": {}, "53/udp": {}},
        "Labels": {"p8888": "exchange", "maintainer": "x"},
    }
    assert exposed_ports(config) == [
        {"port": 53, "label": None},
        {"port": 8888, "label": "exchange"},
        {"port": 9000, "label": None},
    ]
    assert exposed_ports({"ExposedPorts": None, "Labels": None}) == []  # asks for no VPN
