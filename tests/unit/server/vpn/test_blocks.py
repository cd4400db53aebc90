"""The VPN's blocks: nodes get the lowest free one after the hub's, and runs host addresses of
their node's."""

from ipaddress import IPv4Address, IPv4Network
from pathlib import Path

import pytest

from vantage6.server.vpn.blocks import free_block, is_host, is_node_block
from vantage6.server.vpn.settings import VpnSettings


def vpn(subnet: str, prefix_length: int) -> VpnSettings:
    return VpnSettings(
        subnet=IPv4Network(subnet),
        endpoint="hub:51820",
        prefix_length=prefix_length,
        key_file=Path("/hub.key"),
        namespace="v6-hub",
        interface="v6hub",
        listen_port=51820,
    )


@pytest.mark.parametrize(
    "taken, expected",
    [
        ([], "10.76.1.0/24"),
        (["10.76.1.0/24", "10.76.2.0/24"], "10.76.3.0/24"),
        (["10.76.2.0/24"], "10.76.1.0/24"),  # a freed block is given again
        (["10.76.1.128/25"], "10.76.2.0/24"),  # of an earlier prefix length: it overlaps
        (["10.76.0.0/23"], "10.76.2.0/24"),
        (["10.99.1.0/24"], "10.76.1.0/24"),  # of an earlier subnet: it overlaps nothing
    ],
)
def test_a_node_gets_the_lowest_block_that_overlaps_no_others(taken, expected):
    assert free_block(vpn("10.76.0.0/16", 24), taken) == IPv4Network(expected)


def test_a_full_subnet_has_no_block():
    assert free_block(vpn("10.76.0.0/29", 30), ["10.76.0.4/30"]) is None
    assert free_block(vpn("10.76.0.0/29", 30), []) == IPv4Network("10.76.0.4/30")


@pytest.mark.parametrize(
    "prefix, expected",
    [
        ("10.76.1.0/24", True),
        ("10.76.255.0/24", True),
        ("10.76.0.0/24", False),  # the hub's
        ("10.76.1.0/25", False),
        ("10.77.1.0/24", False),
    ],
)
def test_a_block_of_other_settings_is_no_node_block(prefix, expected):
    assert is_node_block(prefix, vpn("10.76.0.0/16", 24)) is expected


@pytest.mark.parametrize(
    "address, expected",
    [
        ("10.76.1.1", True),
        ("10.76.1.254", True),
        ("10.76.1.0", False),
        ("10.76.1.255", False),
        ("10.76.2.1", False),
    ],
)
def test_a_run_has_a_host_address_of_its_nodes_block(address, expected):
    assert is_host(IPv4Address(address), "10.76.1.0/24") is expected
