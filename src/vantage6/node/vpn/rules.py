"""The firewall of a node's VPN namespace: each algorithm's link reaches the tunnel and the
links of its own job on this node, nothing else (not the node, not another job's link).

The hub decides which runs at other nodes a run reaches; traffic from the tunnel is let
through only to the address of a link, from inside the VPN's subnet. Rules are stateless, so a
link that goes is cut off at once, established connections included.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass


@dataclass(frozen=True)
class Member:
    """A run's container on the VPN: its link in the namespace and its address."""

    run_id: int
    job_id: int
    address: str

    @property
    def link(self) -> str:
        return f"r{self.run_id}"


def namespace_rules(tunnel: str, subnet: str, members: list[Member]) -> list[str]:
    """The namespace's whole filter table for ``members`` (its interface ``tunnel``)."""
    rules = [":INPUT DROP [0:0]", ":FORWARD DROP [0:0]", ":OUTPUT ACCEPT [0:0]"]
    rules.append("-A INPUT -i lo -j ACCEPT")
    for member in sorted(members, key=lambda m: m.run_id):
        link, address = member.link, member.address
        rules.append(f"-A FORWARD -i {link} -o {tunnel} -s {address}/32 -d {subnet} -j ACCEPT")
        rules.append(f"-A FORWARD -i {tunnel} -o {link} -s {subnet} -d {address}/32 -j ACCEPT")
    for one, other in itertools.permutations(sorted(members, key=lambda m: m.run_id), 2):
        if one.job_id == other.job_id:
            rules.append(
                f"-A FORWARD -i {one.link} -o {other.link} -s {one.address}/32 "
                f"-d {other.address}/32 -j ACCEPT"
            )
    return rules
