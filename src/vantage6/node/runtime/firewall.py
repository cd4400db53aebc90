"""The host's firewall for the algorithm networks of a node (Docker runtime), one per run.

An internal Docker network keeps algorithm containers off the internet, but its gateway is
this machine, where the node proxy listens: every other service here listening on 0.0.0.0
(a database, SSH, another node's proxy) would answer them too, since Docker filters only
traffic it forwards, not traffic to the host itself. So the INPUT chain of the ``filter``
table sends what comes in over the network's bridge to a chain of its own,
``V6-<network id>``, which lets it reach the proxy's port on the gateway and rejects the rest.
The rules are IPv4 (iptables): the node's networks have no IPv6 (.networks refuses those).

Needs ``iptables`` and ``iptables-restore`` and the right to use them (root, or
CAP_NET_ADMIN); without them the node does not start. Chains of networks that no longer
exist are removed when a node prepares its own.
"""

from __future__ import annotations

import logging
import re
import subprocess
from collections.abc import Callable

log = logging.getLogger(__name__)

PREFIX = "V6-"
JUMP = re.compile(rf"^-A INPUT -i (\S+) -j ({PREFIX}([0-9a-f]{{12}}))$", re.MULTILINE)


class FirewallError(RuntimeError):
    """iptables is missing or refuses; the message says what to do."""


class HostFirewall:
    def __init__(self, network_id: str, bridge: str, gateway: str):
        self.chain = chain_name(network_id)
        self.bridge = bridge
        self.gateway = gateway

    @classmethod
    def of(cls, network, gateway: str) -> HostFirewall:
        """For a docker SDK network."""
        return cls(network.id, bridge_name(network), gateway)

    def apply(self, proxy_port: int) -> None:
        """Open only the proxy's port, replacing the chain's rules in one step, and send the
        bridge's traffic through the chain."""
        chain = self.chain
        rules = [
            f":{chain} - [0:0]",  # declared: created, or emptied in the same commit
            f"-A {chain} -d {self.gateway}/32 -p tcp -m tcp --dport {proxy_port} -j ACCEPT",
        ]
        rules += [
            f"-A {chain} -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT",
            f"-A {chain} -p tcp -j REJECT --reject-with tcp-reset",
            f"-A {chain} -j REJECT --reject-with icmp-port-unreachable",
        ]
        _run(["iptables-restore", "-w", "--noflush"], "*filter\n" + "\n".join(rules) + "\nCOMMIT\n")
        if not self._jumps():
            _run(["iptables", "-w", "-I", "INPUT", "1", "-i", self.bridge, "-j", chain])
        log.info(
            "host firewall: containers on %s reach only %s:%s",
            self.bridge,
            self.gateway,
            proxy_port,
        )

    def _jumps(self) -> bool:
        return any(
            (bridge, chain) == (self.bridge, self.chain) for bridge, chain, _ in _input_jumps()
        )


def chain_name(network_id: str) -> str:
    return PREFIX + network_id[:12]


def bridge_name(network) -> str:
    """The bridge of a docker SDK network, named as Docker names it."""
    options = network.attrs.get("Options") or {}
    return options.get("com.docker.network.bridge.name") or f"br-{network.id[:12]}"


def remove_rules(network) -> None:
    """Remove the chain of a docker SDK network and the jump to it (nothing when none)."""
    _remove(bridge_name(network), chain_name(network.id))


def remove_stale(network_ids: Callable[[], list[str]]) -> None:
    """Remove the chains of networks that no longer exist. The networks are listed after the
    rules: a chain is made after its network, so one another node is making now is kept."""
    jumps = _input_jumps()
    if not jumps:
        return
    existing = network_ids()
    for bridge, chain, short_id in jumps:
        if not any(network_id.startswith(short_id) for network_id in existing):
            log.info("host firewall: removing %s of a network that is gone", chain)
            _remove(bridge, chain)


def _input_jumps() -> list[tuple[str, str, str]]:
    """(bridge, chain, network id prefix) of each jump from INPUT to a chain of ours."""
    return JUMP.findall(_run(["iptables", "-w", "-S", "INPUT"]))


def _remove(bridge: str, chain: str) -> None:
    """Remove the jumps to the chain, then the chain. Another node of this machine may be
    removing the same stale chain at the same time: what is already gone is no error."""
    jump = ["INPUT", "-i", bridge, "-j", chain]
    while _succeeds(["iptables", "-w", "-D", *jump]):
        pass
    if _succeeds(["iptables", "-w", "-F", chain]):
        _succeeds(["iptables", "-w", "-X", chain])


def _succeeds(command: list[str]) -> bool:
    try:
        _run(command)
    except FirewallError:
        return False
    return True


def _run(command: list[str], stdin: str | None = None) -> str:
    try:
        done = subprocess.run(command, input=stdin, capture_output=True, text=True, timeout=30)
    except FileNotFoundError:
        raise FirewallError(
            f"{command[0]} is not installed; the Docker runtime needs it to keep algorithm "
            "containers from the other services of this machine (install the iptables package, "
            "or set host_firewall = false in [docker] where another firewall does this)"
        ) from None
    except subprocess.TimeoutExpired:
        raise FirewallError(f"{' '.join(command)} did not finish in 30 s") from None
    if done.returncode:
        problem = done.stderr.strip().splitlines()[-1] if done.stderr.strip() else "failed"
        hint = (
            "; the node must run as root (or with CAP_NET_ADMIN) to set up the firewall for "
            "its algorithm containers, or have host_firewall = false in [docker]"
            if "ermission denied" in done.stderr or "must be root" in done.stderr
            else ""
        )
        raise FirewallError(f"{' '.join(command)}: {problem}{hint}")
    return done.stdout
