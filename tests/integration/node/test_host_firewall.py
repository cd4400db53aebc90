"""The host firewall of the Docker runtime against the real engine and iptables: an algorithm
container reaches the node proxy on its run network's gateway, but no other service of this
machine that listens on 0.0.0.0 (which it did before: Docker filters only forwarded
traffic). A network's rules stay while its container runs, go with the network when its run
is discarded, and those of networks that are gone are swept up by the next node."""

from __future__ import annotations

import shutil
import socket
import subprocess
from dataclasses import replace

import pytest

from tests.integration.node.support import (
    central,
    eventually,
    gateway,
    partial,
    reaches,
    remove_node,
    token,
)
from vantage6.node.runtime.docker import DockerRuntime
from vantage6.node.runtime.firewall import HostFirewall, chain_name, remove_rules

if shutil.which("iptables") is None:
    pytest.skip("iptables is not installed here", allow_module_level=True)


@pytest.fixture
def host_service():
    """A service of this machine listening on every address, as databases often do."""
    listener = socket.create_server(("0.0.0.0", 0))
    yield listener.getsockname()[1]
    listener.close()


def input_rules() -> str:
    return subprocess.run(["iptables", "-w", "-S", "INPUT"], capture_output=True, text=True).stdout


def network_of(runtime: DockerRuntime, run_id: int):
    return runtime.client.networks.get(runtime.networks.name(run_id))


def chain_of(runtime: DockerRuntime, run_id: int) -> str:
    return chain_name(network_of(runtime, run_id).id)


def running_central(runtime, engine, proxy, run_id: int):
    runtime.start(central(run_id))
    eventually(lambda: proxy.waited_on(token(run_id)), what="the run polling the proxy")
    return engine.containers.get(f"vantage6-{runtime.name}-run-{run_id}")


def test_a_container_reaches_the_proxy_but_no_other_host_port(runtime, engine, proxy, host_service):
    container = running_central(runtime, engine, proxy, 1)
    assert reaches(container, gateway(runtime, 1), proxy.port)
    assert not reaches(container, gateway(runtime, 1), host_service)
    assert f"-j {chain_of(runtime, 1)}" in input_rules()


def test_without_the_rules_the_host_port_is_reachable(runtime, engine, proxy, host_service):
    """What the firewall prevents, shown by taking it away (so the test above can fail)."""
    container = running_central(runtime, engine, proxy, 2)
    network, address = network_of(runtime, 2), gateway(runtime, 2)
    remove_rules(network)
    try:
        assert reaches(container, address, host_service)
    finally:
        HostFirewall.of(network, address).apply(proxy.port)
    assert not reaches(container, address, host_service)


def test_the_rules_stay_while_the_container_runs_and_go_with_its_run(
    make_runtime, engine, proxy, runtime
):
    container = running_central(runtime, engine, proxy, 3)
    chain = chain_of(runtime, 3)
    runtime.close()
    assert f"-j {chain}" in input_rules()  # the running container stays confined
    container.kill()
    second = make_runtime()
    second.prepare(proxy)  # a network without a running container: removed, rules too
    assert chain not in input_rules()

    second.start(partial(4))
    chain = chain_of(second, 4)
    eventually(lambda: second.exited(), what="run 4 ending")
    second.discard(4)
    assert chain not in input_rules()


def test_the_chain_of_a_network_that_is_gone_is_swept_up(make_runtime, engine, node_config, proxy):
    """A node killed before it could clean up, whose network was then removed."""
    killed = DockerRuntime(replace(node_config, name=node_config.name + "-killed"))
    try:
        killed.prepare(proxy)
        killed.start(central(5))
        chain = chain_of(killed, 5)
    finally:
        killed.client.close()  # no close(): the node was killed
        remove_node(engine, killed.name)
    assert chain in input_rules()
    make_runtime().prepare(proxy)
    assert chain not in input_rules()
