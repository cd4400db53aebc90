"""The VPN between algorithms, for real: a server, its WireGuard hub (``vserver vpn-hub``) and
nodes whose algorithms run as Docker containers, each node's end of the VPN in a network
namespace the test makes. In node B's namespace the test also puts what stands for B's host:
an address on a link to this machine, with a service listening there.

The demo algorithm ``vantage6/vpn-exchange`` (node/algorithms/vpn_exchange) exchanges a
secret between the runs of one task directly, over the VPN, while a second task's runs probe
what they must not reach. A third node, without ``[vpn]``, refuses the algorithm, saying why.

Needs root (namespaces, WireGuard, iptables) and the images of ``scripts/build-images``.
"""

from __future__ import annotations

import os
import random
import socket
import subprocess
import uuid

import docker
import pandas as pd
import pytest
import sqlalchemy as sa

from tests.federation import Federation, docker_engine
from tests.functional.node.daemons import RestartableServer, eventually, unplain
from tests.functional.test_serve import BIN
from vantage6.common import netns

IMAGE = "vantage6/vpn-exchange"
SUBNET = "10.76.0.0/16"
PORT = 8888


def _host_link() -> tuple[str, str]:
    """Two addresses of a /30 no interface of this machine is in (another test run may be
    going on beside this one): this machine's end of the link to B's host, and B's."""
    used = netns.run(["ip", "-4", "-o", "address", "show"])
    free = [n for n in range(256) if f" 10.201.{n}." not in used]
    prefix = f"10.201.{random.choice(free)}"
    return f"{prefix}.1", f"{prefix}.2"


def _free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _listen(namespace: str | None, address: str, port: int) -> subprocess.Popen:
    """A TCP service at ``address`` (in ``namespace``) that greets whoever connects."""
    code = (
        "import socket\n"
        f"s = socket.create_server(({address!r}, {port}))\n"
        "while True:\n"
        "    c, _ = s.accept(); c.sendall(b'hello'); c.close()\n"
    )
    command = ["python3", "-c", code]
    if namespace:
        command = ["ip", "netns", "exec", namespace, *command]
    return subprocess.Popen(command)


@pytest.fixture(scope="module")
def engine():
    if os.geteuid() != 0:
        pytest.skip("the VPN needs root: network namespaces, WireGuard and iptables")
    client = docker_engine()
    if client is None:
        pytest.skip("the VPN links Docker containers; run scripts/build-images")
    try:
        client.images.get(IMAGE)
    except docker.errors.ImageNotFound:
        if os.environ.get("CI"):
            pytest.fail(f"required in CI: the image {IMAGE} (scripts/build-images)")
        pytest.skip(f"the demo image {IMAGE} is not built; run scripts/build-images")
    return client


@pytest.fixture(scope="module")
def host_link(engine) -> tuple[str, str]:
    return _host_link()


@pytest.fixture(scope="module")
def namespaces(host_link):
    """Node A's and B's namespaces, B's with a link to this machine (B's host)."""
    tag = uuid.uuid4().hex[:6]
    names = {"a": f"v6t-{tag}-a", "b": f"v6t-{tag}-b", "hub": f"v6t-{tag}-hub"}
    for name in (names["a"], names["b"]):
        netns.ensure(name)
    here, there = f"v6h{tag}", f"v6b{tag}"
    netns.run(["ip", "link", "add", here, "type", "veth", "peer", "name", there])
    netns.run(["ip", "link", "set", there, "netns", names["b"]])
    netns.run(["ip", "address", "add", f"{host_link[0]}/30", "dev", here])
    netns.run(["ip", "link", "set", here, "up"])
    netns.run(["ip", "address", "add", f"{host_link[1]}/30", "dev", there], names["b"])
    netns.run(["ip", "link", "set", there, "up"], names["b"])
    services = [_listen(names["b"], host_link[1], 9000), _listen(None, host_link[0], 9001)]
    yield names
    for service in services:
        service.kill()
    for name in names.values():
        netns.remove(name)
    subprocess.run(["ip", "link", "delete", here], capture_output=True)


@pytest.fixture(scope="module")
def vpn_server(namespaces, tmp_path_factory, database_factory):
    folder = tmp_path_factory.mktemp("vpn-server")
    settings = {
        "vantage6.vpn.subnet": SUBNET,
        "vantage6.vpn.endpoint": f"127.0.0.1:{_free_udp_port()}",
        "vantage6.vpn.key_file": str(folder / "hub.key"),
        "vantage6.vpn.namespace": namespaces["hub"],
        "vantage6.vpn.interface": f"v6hub{uuid.uuid4().hex[:6]}",
    }
    database_url = database_factory.new_url()
    server = RestartableServer(folder, database_url, **settings)
    server.database_url = database_url
    server.start()
    with open(folder / "hub.log", "w") as log:
        hub = subprocess.Popen(
            [str(BIN / "vserver"), "vpn-hub", "--config", str(server.ini)],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    eventually(lambda: (folder / "hub.key.pub").exists() or hub.poll() is not None, 30, "hub")
    assert hub.poll() is None, (folder / "hub.log").read_text()
    server.hub_log = folder / "hub.log"
    server.namespace = namespaces["hub"]
    server.interface = settings["vantage6.vpn.interface"]
    yield server
    hub.terminate()
    hub.wait(timeout=15)
    server.stop()


@pytest.fixture(scope="module")
def federation(vpn_server, namespaces, tmp_path_factory):
    """root's node (A) and one's (B) on the VPN; two's node has no [vpn]."""
    data = pd.DataFrame({"age": [1, 2, 3]})
    sections = {
        "root": f"[vpn]\nsubnet = {SUBNET}\nnamespace = {namespaces['a']}\n",
        "one": f"[vpn]\nsubnet = {SUBNET}\nnamespace = {namespaces['b']}\n",
    }
    folder = tmp_path_factory.mktemp("vpn-nodes")
    datasets = {name: data for name in ("root", "one", "two")}
    started = Federation(vpn_server, folder, datasets=datasets, sections=sections)
    started.start()
    yield started
    started.close()


def _run_task(federation, method: str, kwargs: dict, orgs) -> dict:
    organizations = [federation.org[org] for org in orgs]
    body = {"method": method, "kwargs": kwargs}
    return federation.server.task(federation.ids, IMAGE, body, organizations, name=method)


def _finished_runs(federation, task: dict, timeout: float = 180) -> list[dict]:
    def finished():
        runs = federation.server.runs(task)
        return runs if runs and all(run["finished_at"] for run in runs) else None

    return eventually(finished, timeout, f"the runs of task {task['id']} to finish")


def _result(federation, run: dict):
    return unplain(federation.server.ok("GET", f"/result/{run['id']}")["result"])


def _addresses(server, task_id: int) -> dict[int, str]:
    """Organization id -> VPN address of the runs of ``task_id``'s subtasks, from the
    server's database (the test's view; algorithms ask the server)."""
    engine = sa.create_engine(server.database_url)
    query = sa.text(
        "SELECT run.organization_id, run.vpn_address FROM run JOIN task ON run.task_id = task.id"
        " WHERE task.parent_id = :task AND run.vpn_address IS NOT NULL"
        " AND run.finished_at IS NULL"
    )
    try:
        with engine.connect() as connection:
            return dict(connection.execute(query, {"task": task_id}).all())
    finally:
        engine.dispose()


def _iptables(namespace: str) -> str:
    return netns.run(["iptables", "-S"], namespace)


def test_runs_of_one_task_talk_directly_and_reach_nothing_else(
    vpn_server, federation, namespaces, host_link
):
    nodes = federation.nodes
    for name in ("root", "one"):
        assert nodes[name].runtime.vpn.problem is None, nodes[name].runtime.vpn.problem
    show_peers = ["wg", "show", vpn_server.interface, "peers"]
    eventually(  # the hub takes up the two nodes that joined at its next sync
        lambda: len(netns.run(show_peers, vpn_server.namespace).split()) == 2, 10, "two peers"
    )

    # Task 1 exchanges secrets between A and B, then keeps serving for a while.
    pair = [federation.org["root"], federation.org["one"]]
    exchange = _run_task(federation, "exchange", {"stay": 60, "organizations": pair}, ["root"])
    central = exchange["id"]
    addresses = eventually(
        lambda: (found := _addresses(vpn_server, central)) and len(found) == 2 and found,
        120,
        "the exchange's partial runs on the VPN",
    )
    a_run, b_run = addresses[federation.org["root"]], addresses[federation.org["one"]]
    assert a_run.startswith("10.76.") and b_run.startswith("10.76.")

    # Task 2 probes, from both nodes, what is not its own: task 1's runs on the same node
    # and on the other, B's host, and this machine (the server's).
    targets = [
        {"ip": a_run, "port": PORT},
        {"ip": b_run, "port": PORT},
        {"ip": host_link[1], "port": 9000},
        {"ip": host_link[0], "port": 9001},
    ]
    probe = _run_task(federation, "probe", {"targets": targets, "timeout": 3}, ["root", "one"])
    for run in _finished_runs(federation, probe):
        assert run["status"] == "completed", run["log"]
        probed = _result(federation, run)
        reached = [(t["ip"], t["port"]) for t in probed if t["reachable"]]
        assert reached == [], f"run {run['id']} reached {reached}"
    # the probes ran while task 1's runs were serving
    assert len(_addresses(vpn_server, central)) == 2

    # The exchange itself crossed the VPN between the nodes.
    (outcome,) = _finished_runs(federation, exchange)
    assert outcome["status"] == "completed", outcome["log"]
    result = _result(federation, outcome)
    assert result["ok"] is True, result
    ips = {partial["ip"] for partial in result["partials"]}
    assert ips == {a_run, b_run}

    # Once task 1 ended, nothing of it is left on the way: the hub's rules, the links.
    def torn_down():
        hub_rules = _iptables(vpn_server.namespace)
        links = netns.links(namespaces["a"]) | netns.links(namespaces["b"])
        return (
            a_run not in hub_rules
            and b_run not in hub_rules
            and not any(name.startswith("r") and name[1:].isdigit() for name in links)
        )

    eventually(torn_down, 30, "task 1's rules and links to be removed")


def test_a_node_without_the_vpn_refuses_an_algorithm_that_asks_for_it(federation):
    task = _run_task(federation, "probe", {"targets": []}, ["two"])
    (run,) = _finished_runs(federation, task, 60)
    assert run["status"] == "failed"
    assert f"image {IMAGE} asks for the VPN" in run["log"]
    assert "this node has none" in run["log"]
