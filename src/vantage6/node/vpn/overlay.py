"""This node's end of the VPN between algorithms: its tunnel to the hub and its algorithms'
links.

At start the node makes a WireGuard key (kept in the task dir, 0600; only the public key goes
to the server), registers it (``POST /vpn/peer``) and gets its address block in the VPN's
subnet, the hub's public key and address. Its tunnel dials out to the hub and keeps the way
open with keepalives, so no inbound connection to the hospital is needed. Tunnel, routes and
firewall live in the namespace of ``[vpn] namespace``.

A run whose image asks for the VPN gets an address in the block and a link: a veth pair with
one end in its container (``vpn0``, its address, a route to the subnet) and the other in the
namespace (``r<run id>``). The container, without capabilities, cannot change either. When
the VPN cannot come up, the node runs without it and says why, to its log and to each run
that asks for it.
"""

from __future__ import annotations

import hashlib
import ipaddress
import logging
import threading

from vantage6.common import netns, wireguard
from vantage6.common.netns import NetworkError
from vantage6.node.config import NodeConfig
from vantage6.node.server import ServerError
from vantage6.node.vpn.rules import Member, namespace_rules

log = logging.getLogger(__name__)

CONTAINER_LINK = "vpn0"


class NodeVpn:
    def __init__(self, config: NodeConfig, server):
        if config.vpn is None:
            raise ValueError("the node configuration has no [vpn] section")
        self.config = config
        self.server = server
        self.namespace = config.vpn.namespace
        self.subnet = config.vpn.subnet
        digest = hashlib.sha256(self.namespace.encode()).hexdigest()[:10]
        self.tunnel = wireguard.Interface(f"v6{digest}", self.namespace)
        self.key_file = config.task_dir / "vpn-wireguard.key"
        self.block: ipaddress.IPv4Network | None = None
        self.problem: str | None = "the VPN has not been set up yet"
        self._members: dict[int, Member] = {}
        self._lock = threading.Lock()

    # -- the tunnel -------------------------------------------------------------------------

    def start(self) -> bool:
        """Register and bring the tunnel up; False (the reason logged and kept for the runs
        that ask for the VPN) when it cannot be."""
        try:
            self._start()
        except (NetworkError, ServerError, OSError) as exc:
            reason = exc.msg if isinstance(exc, ServerError) else str(exc)
            self.problem = f"this node's VPN is not up: {reason}"
            log.error("%s; algorithms that ask for the VPN will fail", self.problem)
            return False
        self.problem = None
        return True

    def _start(self) -> None:
        key = wireguard.load_or_make_key(self.key_file)
        answer = self.server.request(
            "POST", "/vpn/peer", json={"public_key": wireguard.public_key(key)}
        )
        if answer["subnet"] != str(self.subnet):
            raise NetworkError(
                f"the server's VPN subnet is {answer['subnet']}, while [vpn] subnet in "
                f"{self.config.path} is {self.subnet}; make them the same"
            )
        self.block = ipaddress.IPv4Network(answer["prefix"])
        netns.ensure(self.namespace)
        self._apply_rules()  # nothing passes before the tunnel is up
        if not self.tunnel.exists():
            self.tunnel.create()
        self.tunnel.configure(key)
        hub_key = answer["hub_public_key"]
        for stale in self.tunnel.peers().keys() - {hub_key}:
            self.tunnel.remove_peer(stale)
        self.tunnel.set_peer(hub_key, str(self.subnet), answer["endpoint"], answer["keepalive"])
        netns.run(
            ["ip", "route", "replace", str(self.subnet), "dev", self.tunnel.name], self.namespace
        )
        log.info(
            "VPN up: block %s of %s through the hub at %s (namespace %s)",
            self.block,
            self.subnet,
            answer["endpoint"],
            self.namespace,
        )

    # -- the runs' links --------------------------------------------------------------------

    def allocate(self, run_id: int, job_id: int) -> str:
        """Reserve a free address in the block for the run, chosen from its id so that an
        address is seldom given again soon after its run ended."""
        with self._lock:
            if self.block is None:
                raise NetworkError(self.problem or "the VPN is not up")
            hosts = self.block.num_addresses - 2
            taken = {member.address for member in self._members.values()}
            for step in range(hosts):
                address = str(self.block.network_address + 1 + (run_id + step) % hosts)
                if address not in taken:
                    self._members[run_id] = Member(run_id, job_id, address)
                    return address
        raise NetworkError(
            f"all {hosts} addresses of this node's VPN block {self.block} are in use"
        )

    def join(self, run_id: int, pid: int) -> None:
        """Link the container whose first process is ``pid`` to the VPN at the address
        reserved for its run."""
        with self._lock:
            member = self._members[run_id]
            link, address = member.link, member.address
            if link in netns.links(self.namespace):
                netns.run(["ip", "link", "delete", link], self.namespace)  # an earlier attempt's
            netns.run(
                ["ip", "link", "add", link, "type", "veth", "peer", "name", CONTAINER_LINK]
                + ["netns", str(pid)],
                self.namespace,
            )
            inside = ["nsenter", f"--net=/proc/{pid}/ns/net", "ip"]
            netns.run([*inside, "address", "add", f"{address}/32", "dev", CONTAINER_LINK])
            netns.run([*inside, "link", "set", CONTAINER_LINK, "up"])
            netns.run([*inside, "route", "add", str(self.subnet), "dev", CONTAINER_LINK])
            netns.sysctl(self.namespace, f"net.ipv4.conf.{link}.proxy_arp", "1")
            netns.run(["ip", "link", "set", link, "up"], self.namespace)
            netns.run(["ip", "route", "replace", f"{address}/32", "dev", link], self.namespace)
            self._apply_rules()
        log.info("run %s is on the VPN at %s", run_id, address)

    def leave(self, run_id: int) -> None:
        """Cut the run off the VPN (nothing when it was not on it)."""
        with self._lock:
            member = self._members.pop(run_id, None)
            if member is None:
                return
            if member.link in netns.links(self.namespace):  # gone with its container otherwise
                netns.run(["ip", "link", "delete", member.link], self.namespace)
            self._apply_rules()
        log.info("run %s left the VPN", run_id)

    def restore(self, members: list[Member]) -> None:
        """After a restart: the runs still linked (their containers kept running)."""
        if self.problem is not None:
            return
        with self._lock:
            present = netns.links(self.namespace)
            self._members = {m.run_id: m for m in members if m.link in present}
            self._apply_rules()
        for member in self._members.values():
            log.info("run %s is still on the VPN at %s", member.run_id, member.address)

    def _apply_rules(self) -> None:
        rules = namespace_rules(self.tunnel.name, str(self.subnet), list(self._members.values()))
        netns.replace_filter_table(self.namespace, rules)
