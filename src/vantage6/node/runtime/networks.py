"""One internal Docker network per run (Docker runtime).

A run's container is alone on its network ``vantage6-<node>-run-<run id>-net``: internal (no
route off the machine), IPv4 only, so it reaches no other run's container, and nothing of this
machine but the node proxy, which listens on the network's gateway, the only address of this
machine it has a route to. The host firewall (:mod:`.firewall`) keeps it from the gateway's
other ports. Docker turns IPv6 off inside containers whose networks have none; a network with
IPv6 is refused, as the host firewall covers IPv4 only.

A network lives as long as its run's container: made before it starts, removed with it. A
restarted node serves the networks that still have a running container again (proxy and
firewall), and removes the rest, left by runs that ended or a node that crashed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import docker
from docker.errors import APIError, NotFound

from vantage6.common.task_status import TaskStatus
from vantage6.node.runtime.base import ProxyEndpoints, StartFailed
from vantage6.node.runtime.firewall import FirewallError, HostFirewall, remove_rules, remove_stale

log = logging.getLogger(__name__)


class NetworkRefused(RuntimeError):
    """A network the node must not run algorithms on; the message says how to fix it."""


class RunNetworks:
    """The runs' networks of one node; ``labels(kind, **ids)`` gives the node's labels."""

    def __init__(
        self,
        client: docker.DockerClient,
        node_name: str,
        labels: Callable[..., dict[str, str]],
        proxy: ProxyEndpoints,
        host_firewall: bool,
    ):
        self.client = client
        self.node_name = node_name
        self.labels = labels
        self.proxy = proxy
        self.host_firewall = host_firewall

    def name(self, run_id: int) -> str:
        return f"vantage6-{self.node_name}-run-{run_id}-net"

    def reattach(self) -> None:
        """At start: serve the networks of containers still running, remove the others,
        and the firewall chains of networks that are gone."""
        if self.host_firewall:
            remove_stale(lambda: [found.id for found in self.client.networks.list()])
        else:
            log.warning("host_firewall is off: algorithms can reach every service of this host")
        label_filter = [f"{key}={value}" for key, value in self.labels("network").items()]
        for network in self.client.networks.list(filters={"label": label_filter}):
            network.reload()
            if not network.attrs.get("Containers"):
                self._remove(network)
                continue
            try:
                gateway = self._serve(network)
            except (NetworkRefused, FirewallError, OSError) as exc:
                log.error("algorithms on network %s cannot reach the proxy: %s", network.name, exc)
                continue
            log.info("serving network %s of a running algorithm again at %s", network.name, gateway)

    def open(self, run_id: int) -> str:
        """The run's network, made (or reused, after an earlier attempt) and served; its
        gateway. StartFailed when it cannot be."""
        name = self.name(run_id)
        try:
            return self._serve(self._existing(name) or self._create(run_id, name))
        except NetworkRefused as exc:
            raise StartFailed(TaskStatus.START_FAILED, str(exc)) from None
        except FirewallError as exc:
            raise StartFailed(
                TaskStatus.START_FAILED, f"the host firewall for {name} failed: {exc}"
            ) from None
        except OSError as exc:
            raise StartFailed(
                TaskStatus.START_FAILED,
                f"the node proxy cannot listen on the gateway of {name} at port "
                f"{self.proxy.port}: {exc.strerror or exc}",
            ) from None

    def close(self, run_id: int) -> None:
        """Remove the run's network and what serves it (nothing when it is gone, or is not
        one this node made)."""
        network = self._get(self.name(run_id))
        if network is not None and self._made_here(network):
            self._remove(network)

    def _made_here(self, network) -> bool:
        labels = network.attrs.get("Labels") or {}
        return self.labels("network").items() <= labels.items()

    def _existing(self, name: str):
        """The network left by an earlier attempt at the run; NetworkRefused for one of that
        name that this node did not make (others' containers may be on it)."""
        network = self._get(name)
        if network is not None and not self._made_here(network):
            raise NetworkRefused(
                f"Docker network {name} exists but was not made by this node; remove it "
                f"(docker network rm {name})"
            )
        return network

    def _get(self, name: str):
        try:
            return self.client.networks.get(name)
        except NotFound:
            return None

    def _create(self, run_id: int, name: str):
        try:
            return self.client.networks.create(
                name,
                driver="bridge",
                internal=True,
                enable_ipv6=False,
                labels=self.labels("network", run=run_id),
            )
        except APIError as exc:
            reason = exc.explanation or str(exc)
            raise StartFailed(
                TaskStatus.START_FAILED,
                f"the run's network {name} could not be made: {reason} (each running algorithm "
                "has a network of its own: for more at once, give the Docker engine more "
                "default-address-pools)",
            ) from None

    def _serve(self, network) -> str:
        """Firewall and proxy for the network's gateway, which is returned."""
        gateway = _check(network)
        if self.host_firewall:
            HostFirewall.of(network, gateway).apply(self.proxy.port)
        self.proxy.listen(gateway)
        return gateway

    def _remove(self, network) -> None:
        gateway = _gateway(network)
        if gateway:
            self.proxy.close(gateway)
        if self.host_firewall:
            remove_rules(network)
        try:
            network.remove()
        except NotFound:
            pass
        except APIError as exc:
            log.warning("network %s stays: %s", network.name, exc.explanation or exc)


def _gateway(network) -> str | None:
    """The network's IPv4 gateway address, if it has one."""
    for config in (network.attrs.get("IPAM") or {}).get("Config") or []:
        gateway = config.get("Gateway")
        if gateway and ":" not in gateway:
            return gateway
    return None


def _check(network) -> str:
    """The gateway of a network fit for algorithms; NetworkRefused otherwise."""
    if not network.attrs.get("Internal"):
        raise NetworkRefused(
            f"Docker network {network.name} is not internal, so algorithms would reach the "
            f"internet; remove it (docker network rm {network.name})"
        )
    if network.attrs.get("EnableIPv6"):
        raise NetworkRefused(
            f"Docker network {network.name} has IPv6, which the node's host firewall does not "
            "cover; turn IPv6 off for new networks in the Docker engine (its "
            "default-network-opts) and remove the network"
        )
    gateway = _gateway(network)
    if not gateway:
        raise NetworkRefused(f"Docker network {network.name} has no IPv4 gateway address")
    return gateway
