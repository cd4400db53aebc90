"""The VPN's blocks of addresses: the subnet's first is the hub's, each node gets the lowest free
one of the others, and each algorithm run an address of its node's block."""

from __future__ import annotations

from collections.abc import Iterable
from ipaddress import IPv4Address, IPv4Network, ip_network
from itertools import islice

from vantage6.server.vpn.settings import VpnSettings


def is_node_block(prefix: str, vpn: VpnSettings) -> bool:
    """Whether a node's block is one of the current settings (it may date from an earlier
    subnet or prefix length)."""
    block = ip_network(prefix)
    return (
        block.prefixlen == vpn.prefix_length
        and block.subnet_of(vpn.subnet)
        and block.network_address != vpn.subnet.network_address
    )


def free_block(vpn: VpnSettings, taken: Iterable[str]) -> IPv4Network | None:
    """The lowest node block that overlaps none of ``taken`` (the other nodes' blocks); None
    when the subnet is full."""
    others = [ip_network(prefix) for prefix in taken]
    blocks = islice(vpn.subnet.subnets(new_prefix=vpn.prefix_length), 1, None)
    return next((block for block in blocks if not any(map(block.overlaps, others))), None)


def is_host(address: IPv4Address, prefix: str) -> bool:
    """Whether ``address`` may be an algorithm's in block ``prefix``: inside it, and neither
    its network nor its broadcast address."""
    block = ip_network(prefix)
    return address in block and address not in (block.network_address, block.broadcast_address)
