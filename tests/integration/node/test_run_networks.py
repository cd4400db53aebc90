"""Each run on a network of its own, against the real Docker engine: the containers of two
runs (of one job or of two) cannot reach each other, while each reaches the node proxy on its
own network's gateway, and no other run's."""

from __future__ import annotations

import pytest

from tests.integration.node.support import central, eventually, gateway, reaches, token

LISTEN = (
    "import socket\n"
    "server = socket.create_server(('0.0.0.0', 8080))\n"
    "while True:\n"
    "    server.accept()[0].close()\n"
)


def address(container, network: str) -> str:
    container.reload()
    return container.attrs["NetworkSettings"]["Networks"][network]["IPAddress"]


@pytest.mark.parametrize("jobs", [(1, 1), (1, 2)], ids=["same job", "two jobs"])
def test_two_runs_cannot_reach_each_other_but_both_reach_the_proxy(runtime, engine, proxy, jobs):
    first, second = 61, 62
    runtime.start(central(first, job_id=jobs[0]))
    runtime.start(central(second, job_id=jobs[1]))
    for run_id in (first, second):
        eventually(lambda r=run_id: proxy.waited_on(token(r)), what=f"run {run_id} at the proxy")
    containers = {
        run_id: engine.containers.get(f"vantage6-{runtime.name}-run-{run_id}")
        for run_id in (first, second)
    }
    networks = {run_id: runtime.networks.name(run_id) for run_id in (first, second)}
    assert networks[first] != networks[second]
    assert all(len(c.attrs["NetworkSettings"]["Networks"]) == 1 for c in containers.values())

    containers[second].exec_run(["python3", "-c", LISTEN], detach=True)
    target = address(containers[second], networks[second])
    eventually(lambda: reaches(containers[second], target, 8080), what="run 62's service up")
    assert not reaches(containers[first], target, 8080)

    # each reached the proxy at its own network's gateway, and only there
    came_to = {host for _, _, _, host in proxy.requests}
    assert {gateway(runtime, first), gateway(runtime, second)} <= came_to
    for run_id, other in ((first, second), (second, first)):
        assert reaches(containers[run_id], gateway(runtime, run_id), proxy.port)
        assert not reaches(containers[run_id], gateway(runtime, other), proxy.port)


def test_on_one_network_the_runs_would_reach_each_other(runtime, engine, proxy):
    """What the networks of their own prevent, shown by joining two runs (so the test above
    can fail)."""
    runtime.start(central(63))
    runtime.start(central(64))
    for run_id in (63, 64):
        eventually(lambda r=run_id: proxy.waited_on(token(r)), what=f"run {run_id} at the proxy")
    listening = engine.containers.get(f"vantage6-{runtime.name}-run-64")
    listening.exec_run(["python3", "-c", LISTEN], detach=True)
    target = address(listening, runtime.networks.name(64))
    eventually(lambda: reaches(listening, target, 8080), what="run 64's service up")
    other = engine.containers.get(f"vantage6-{runtime.name}-run-63")
    shared = engine.networks.get(runtime.networks.name(64))
    shared.connect(other)
    try:
        assert reaches(other, target, 8080)
    finally:
        shared.disconnect(other)
