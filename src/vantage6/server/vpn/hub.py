"""The VPN hub: the WireGuard endpoint beside the server that every node dials out to.

Nodes only ever send (hospitals accept no inbound connections): each keeps its tunnel to the
hub open, and the hub forwards between them. Once a second it reads the server's database:

- each node that registered a public key becomes a peer, owning its address block;
- the addresses of the unfinished runs of one job (a task and its subtasks) may reach each
  other, and nothing else passes. The rules are stateless, both ways per pair, so a run that
  ends is cut off at the next sync, established connections included.

The tunnel's inside lives in a namespace of its own (:mod:`vantage6.common.netns`): the
server's machine has no address on the VPN and is not reachable from it.
"""

from __future__ import annotations

import itertools
import logging
import threading

from sqlalchemy.orm import Session, sessionmaker

from vantage6.common import netns
from vantage6.common.netns import NetworkError
from vantage6.common.wireguard import Interface, load_or_make_key, public_key
from vantage6.server.vpn import state
from vantage6.server.vpn.settings import VpnSettings

log = logging.getLogger(__name__)

SYNC_SECONDS = 1.0


def forwarding_rules(interface: str, jobs: dict[int, list[str]]) -> list[str]:
    """The hub namespace's filter table: forwarding only between the addresses of one job."""
    rules = [":INPUT DROP [0:0]", ":FORWARD DROP [0:0]", ":OUTPUT ACCEPT [0:0]"]
    rules.append("-A INPUT -i lo -j ACCEPT")
    for job_id, addresses in sorted(jobs.items()):
        for source, target in itertools.permutations(addresses, 2):
            rules.append(
                f"-A FORWARD -i {interface} -o {interface} -s {source}/32 -d {target}/32 "
                f'-m comment --comment "job {job_id}" -j ACCEPT'
            )
    return rules


class Hub:
    def __init__(self, settings: VpnSettings, sessions: sessionmaker[Session]):
        self.settings = settings
        self.sessions = sessions
        self.interface = Interface(settings.interface, settings.namespace)
        self._peers: dict[str, str] | None = None
        self._jobs: dict[int, list[str]] | None = None

    def start(self) -> None:
        """Namespace, interface, key and route; the public key published for the server
        (``<key_file>.pub``) once the hub can take connections."""
        settings = self.settings
        key = load_or_make_key(settings.key_file)
        netns.ensure(settings.namespace)
        netns.replace_filter_table(settings.namespace, forwarding_rules(settings.interface, {}))
        if not self.interface.exists():
            self.interface.create()
        self.interface.configure(key, settings.listen_port)
        subnet = str(settings.subnet)
        netns.run(["ip", "route", "replace", subnet, "dev", settings.interface], settings.namespace)
        settings.public_key_file.write_text(public_key(key) + "\n")
        log.info(
            "VPN hub up: %s on UDP port %s, subnet %s (namespace %s)",
            settings.interface,
            settings.listen_port,
            subnet,
            settings.namespace,
        )

    def sync(self) -> None:
        """Make the peers and the forwarding rules what the database says."""
        with self.sessions() as session:
            peers = dict(state.peers(session))
            jobs = state.job_addresses(session)
        if peers != self._peers:
            self._sync_peers(peers)
            self._peers = peers
        if jobs != self._jobs:
            rules = forwarding_rules(self.settings.interface, jobs)
            netns.replace_filter_table(self.settings.namespace, rules)
            self._jobs = jobs
            log.info("VPN hub: %d job(s) with addresses: %s", len(jobs), jobs)

    def _sync_peers(self, wanted: dict[str, str]) -> None:
        present = self.interface.peers()
        for key in present.keys() - wanted.keys():
            self.interface.remove_peer(key)
            log.info("VPN hub: peer %s removed", key)
        for key, prefix in wanted.items():
            if present.get(key) != prefix:
                self.interface.set_peer(key, prefix)
                log.info("VPN hub: peer %s owns %s", key, prefix)

    def serve(self, stopping: threading.Event) -> None:
        """Start, then sync until ``stopping`` is set; a failed sync is logged and retried."""
        self.start()
        while not stopping.is_set():
            try:
                self.sync()
            except (NetworkError, OSError) as exc:
                log.error("VPN hub: sync failed, retrying: %s", exc)
                self._peers = self._jobs = None
            except Exception:  # the database may be restarting: keep serving what is set
                log.exception("VPN hub: sync failed, retrying")
                self._peers = self._jobs = None
            stopping.wait(SYNC_SECONDS)

    def stop(self) -> None:
        """Take the tunnel down: with no interface, nothing is forwarded."""
        self.interface.delete()
        log.info("VPN hub stopped")
