"""The VPN demo algorithm (node/algorithms/vpn_exchange) without a VPN: its conclusions from
the partials, its polling for the task's addresses with fake clients, and its wire protocol,
probes and whole partials on loopback addresses."""

from __future__ import annotations

import importlib
import socket
import threading
import time
from types import SimpleNamespace

import pytest

from tests.ports import free_port
from tests.unit.algorithm.conftest import ROOT
from vantage6.algorithm.errors import AlgorithmError

TASK = 7


@pytest.fixture
def vx(monkeypatch):
    """The package ``v6_vpn_exchange``, imported from its image's folder."""
    monkeypatch.syspath_prepend(str(ROOT / "node" / "algorithms" / "vpn_exchange"))
    return importlib.import_module("v6_vpn_exchange")


def address(organization_id: int, ip: str = "10.76.0.2", port: int = 8888, **changes) -> dict:
    """One entry of the server's VPN addresses, as the exchange labels it."""
    entry = {
        "ip": ip,
        "port": port,
        "label": "exchange",
        "organization_id": organization_id,
        "task_id": TASK,
        "parent_id": 6,
        "run_id": 100 + organization_id,
    }
    return {**entry, **changes}


class FakeClient:
    """An AlgorithmClient at ``organization_id`` for task ``TASK``, whose runs are at
    ``organizations``; each VPN listing gives its answers in turn, then keeps the last."""

    def __init__(self, organization_id, organizations, own=(), siblings=()):
        self.organization_id, self.task_id = organization_id, TASK
        self.asked = []
        runs = [{"id": 100 + id_, "organization": {"id": id_}} for id_ in organizations]
        self.run = SimpleNamespace(from_task=lambda task_id: runs if task_id == TASK else [])
        self.vpn = SimpleNamespace(
            get_own_address=self._answers("own", list(own)),
            get_sibling_addresses=self._answers("siblings", list(siblings)),
        )

    def _answers(self, name: str, answers: list):
        def answer():
            self.asked.append(name)
            return answers.pop(0) if len(answers) > 1 else answers[0]

        return answer


# -- the central function's conclusions ---------------------------------------------------------


def partial(organization_id: int, sent: int, received: dict) -> dict:
    """A partial's result after JSON: the organization ids of ``received`` are text."""
    received = {str(id_): value for id_, value in received.items()}
    return {
        "organization_id": organization_id,
        "ip": "10.76.0.9",
        "sent": sent,
        "received": received,
    }


def test_secrets_that_crossed_between_every_pair_are_ok(vx):
    partials = [
        partial(1, 11, {2: 22, 3: 33}),
        partial(2, 22, {1: 11, 3: 33}),
        partial(3, 33, {1: 11, 2: 22}),
    ]
    checked = vx.pairs.check_pairs(partials)
    assert checked["ok"] is True and checked["partials"] == partials
    pairs = [(p["organization_id"], p["peer"], p["received"]) for p in checked["pairs"]]
    assert pairs == [(1, 2, 22), (1, 3, 33), (2, 1, 11), (2, 3, 33), (3, 1, 11), (3, 2, 22)]


@pytest.mark.parametrize(
    "received_by_1, why",
    [
        ({2: 23, 3: 33}, "another value than organization 2 sent"),
        ({2: 33, 3: 33}, "organization 3's secret, said to be 2's"),
        ({3: 33}, "nothing from organization 2"),
        ({2: 11, 3: 33}, "its own secret"),
    ],
)
def test_a_value_that_is_not_the_peers_secret_fails_its_pair(vx, received_by_1, why):
    partials = [
        partial(1, 11, received_by_1),
        partial(2, 22, {1: 11, 3: 33}),
        partial(3, 33, {1: 11, 2: 22}),
    ]
    checked = vx.pairs.check_pairs(partials)
    assert checked["ok"] is False, why
    failed = [(p["organization_id"], p["peer"]) for p in checked["pairs"] if not p["ok"]]
    assert failed == [(1, 2)], why


@pytest.mark.parametrize("partials", [[], [partial(1, 11, {})]])
def test_fewer_than_two_partials_are_a_failure(vx, partials):
    with pytest.raises(AlgorithmError, match=f"at least two partials, not {len(partials)}"):
        vx.pairs.check_pairs(partials)


def test_the_central_function_runs_one_partial_per_organization_and_checks_them(vx):
    created = []
    client = SimpleNamespace(
        organization=SimpleNamespace(list=lambda: [{"id": 1}, {"id": 2}]),
        task=SimpleNamespace(create=lambda **task: created.append(task) or {"id": 8}),
        wait_for_results=lambda task_id: [partial(1, 11, {2: 22}), partial(2, 22, {1: 11})],
    )
    assert vx.exchange(stay=5, mock_client=client)["ok"] is True
    [task] = created
    assert task["input_"] == {"method": "partial_exchange", "kwargs": {"stay": 5}}
    assert task["organizations"] == [1, 2]
    vx.exchange(organizations=[2, 3], mock_client=client)
    assert created[1]["organizations"] == [2, 3]
    assert created[1]["input_"]["kwargs"] == {"stay": 0}
    with pytest.raises(AlgorithmError, match=r"at least two organizations, not \[2, 2\]"):
        vx.exchange(organizations=[2, 2], mock_client=client)
    assert len(created) == 2


# -- finding the peers --------------------------------------------------------------------------


def test_peers_are_polled_for_until_every_other_organization_is_listed(vx):
    own = [address(1, "10.76.0.1")]
    client = FakeClient(
        1,
        [1, 2, 3],
        own=[[], own],
        siblings=[
            [],
            [address(2), address(2, label="grpc", port=9000)],
            [
                address(2),
                address(3, "10.76.0.3", task_id=99),  # another task's container
                address(3, "10.76.0.3", label=None),  # an unlabelled port
                address(4, "10.76.0.4"),  # not a run of the task
            ],
            [address(3, "10.76.0.3"), address(2), address(1, "10.76.0.1")],
        ],
    )
    found_own, peers = vx.peers.find_peers(client, wait=5, poll=0.01)
    assert found_own == own[0]
    assert peers == [address(2), address(3, "10.76.0.3")]
    assert client.asked.count("siblings") == 4
    assert client.asked.count("own") == 2  # not asked again once known


def test_peers_that_never_appear_are_named_when_the_wait_is_over(vx):
    client = FakeClient(1, [1, 2, 3], own=[[]], siblings=[[address(3)]])
    started = time.monotonic()
    with pytest.raises(AlgorithmError) as failed:
        vx.peers.find_peers(client, wait=0.3, poll=0.05)
    assert 0.2 < time.monotonic() - started < 2
    assert str(failed.value) == (
        "after 0.3 s the VPN still lists no 'exchange' address for this run, organization 2 of "
        "task 7: is every node of the task on the VPN?"
    )


def test_a_task_at_one_organization_has_no_peers(vx):
    with pytest.raises(AlgorithmError, match="task 7 runs at no other organization"):
        vx.peers.find_peers(FakeClient(1, [1]), wait=1)


def test_an_answer_that_is_no_list_of_addresses_is_an_error(vx):
    failed = {"message": "Obtaining VPN addresses failed!"}
    client = FakeClient(1, [1, 2], own=[[address(1)]], siblings=[failed])
    with pytest.raises(AlgorithmError, match="VPN addresses are not a list: {'message'"):
        vx.peers.find_peers(client, wait=1)


# -- the wire -----------------------------------------------------------------------------------


ONE = {"organization_id": 1, "value": 11}  # messages of organizations 1 and 2
TWO = {"organization_id": 2, "value": 22}


def test_an_exchange_swaps_the_two_messages(vx):
    with vx.wire.Exchanger(TWO, "127.0.0.1", 0) as exchanger:
        answer = vx.wire.contact("127.0.0.1", exchanger.port, ONE)
        assert answer == TWO
        assert exchanger.wait_for_callers({1}, wait=5) == set()
        assert exchanger.heard == {1: 11}
        started = time.monotonic()
        assert exchanger.wait_for_callers({1, 3}, wait=0.2) == {3}
        assert time.monotonic() - started >= 0.2


def test_a_probe_of_the_exchanger_is_no_caller(vx):
    with vx.wire.Exchanger(TWO, "127.0.0.1", 0) as exchanger:
        assert vx.wire.reach("127.0.0.1", exchanger.port, 3)["reachable"] is True
        assert exchanger.wait_for_callers({1}, wait=0.2) == {1}
        assert exchanger.heard == {}


def test_an_exchanger_that_comes_up_late_is_reached(vx):
    port = free_port()
    opened = []
    late = threading.Timer(0.6, lambda: opened.append(vx.wire.Exchanger(TWO, "127.0.0.1", port)))
    late.start()
    try:
        answer = vx.wire.contact("127.0.0.1", port, ONE, patience=10)
        assert answer["value"] == 22
    finally:
        late.join()
        opened[0].close()


def test_an_exchanger_that_never_comes_up_is_an_error(vx):
    port = free_port()
    started = time.monotonic()
    with pytest.raises(AlgorithmError, match=f"127.0.0.1:{port} cannot be reached after 0.6 s"):
        vx.wire.contact("127.0.0.1", port, ONE, patience=0.6)
    assert time.monotonic() - started < 3


def test_a_port_that_speaks_something_else_is_an_error_at_once(vx):
    with socket.create_server(("127.0.0.1", 0)) as server:

        def answer():
            connection, _ = server.accept()
            with connection:
                connection.sendall(b"SSH-2.0-OpenSSH\r\n")

        threading.Thread(target=answer, daemon=True).start()
        port = server.getsockname()[1]
        with pytest.raises(AlgorithmError, match="does not speak the exchange"):
            vx.wire.contact("127.0.0.1", port, ONE, patience=30)


def test_a_taken_port_is_a_clear_error(vx):
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        with pytest.raises(AlgorithmError, match=f"port {port} cannot be served"):
            vx.wire.Exchanger({"organization_id": 1, "value": 1}, "127.0.0.1", port)


# -- probes -------------------------------------------------------------------------------------


def test_a_probe_tells_what_it_reached_and_why_not(vx):
    closed = free_port()
    with socket.create_server(("127.0.0.1", 0)) as listener:
        port = listener.getsockname()[1]
        reached = vx.probe([{"ip": "127.0.0.1", "port": port}, {"ip": "127.0.0.1", "port": closed}])
    assert reached[0] == {"ip": "127.0.0.1", "port": port, "reachable": True, "error": None}
    assert reached[1]["reachable"] is False and "refused" in reached[1]["error"]
    assert vx.probe([]) == []


@pytest.mark.parametrize(
    "targets, timeout, why",
    [
        ({"ip": "127.0.0.1", "port": 1}, 3, "targets must be a list"),
        ([{"ip": "127.0.0.1", "port": "22"}], 3, "targets must be a list"),
        ([{"port": 22}], 3, "targets must be a list"),
        ([], 0, "timeout must be a positive number of seconds, not 0"),
        ([], "3", "timeout must be a positive number of seconds, not '3'"),
    ],
)
def test_a_probe_with_bad_arguments_says_so(vx, targets, timeout, why):
    with pytest.raises(AlgorithmError, match=why):
        vx.probe(targets, timeout=timeout)


# -- whole partials, on loopback addresses instead of the VPN -----------------------------------


@pytest.fixture
def loopback(vx, monkeypatch):
    """Organization n's exchanger serves on 127.0.0.(n+1), all on one free port; a fake
    client per organization whose VPN lists them all."""
    port = free_port()
    real = vx.wire.Exchanger
    monkeypatch.setattr(
        vx.wire,
        "Exchanger",
        lambda mine: real(mine, f"127.0.0.{mine['organization_id'] + 1}", port),
    )

    def client(organization_id: int, organizations=(1, 2, 3)) -> FakeClient:
        listed = [address(id_, f"127.0.0.{id_ + 1}", port) for id_ in organizations]
        own = [a for a in listed if a["organization_id"] == organization_id]
        return FakeClient(organization_id, organizations, own=[own], siblings=[listed])

    client.port = port
    return client


def in_threads(function, clients, **kwargs) -> dict:
    """``function`` run at each client's organization at once; the results by organization."""
    results = {}

    def run(client):
        results[client.organization_id] = function(mock_client=client, **kwargs)

    threads = [threading.Thread(target=run, args=(client,), daemon=True) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return results


def test_partials_swap_their_secrets_and_the_central_check_holds(vx, loopback):
    results = in_threads(vx.partial_exchange, [loopback(1), loopback(2), loopback(3)])
    assert sorted(results) == [1, 2, 3]
    assert results[2]["ip"] == "127.0.0.3"
    assert results[1]["received"] == {2: results[2]["sent"], 3: results[3]["sent"]}
    as_json = [partial(r["organization_id"], r["sent"], r["received"]) for r in results.values()]
    assert vx.pairs.check_pairs(as_json)["ok"] is True


def test_partials_keep_serving_for_stay_seconds_then_close(vx, loopback):
    pair = [loopback(1, (1, 2)), loopback(2, (1, 2))]
    results = {}
    both = threading.Thread(
        target=lambda: results.update(in_threads(vx.partial_exchange, pair, stay=2)), daemon=True
    )
    both.start()
    time.sleep(1)  # the exchange itself takes milliseconds on loopback
    assert not results
    assert vx.wire.reach("127.0.0.2", loopback.port, 1)["reachable"] is True
    both.join(30)
    assert sorted(results) == [1, 2]
    assert vx.wire.reach("127.0.0.2", loopback.port, 1)["reachable"] is False


def test_siblings_probe_each_other(vx, loopback):
    pair = [loopback(1, (1, 2)), loopback(2, (1, 2))]
    results = in_threads(vx.probe_siblings, pair, timeout=2, wait=5)
    reached = {
        id_: [(r["organization_id"], r["ip"], r["port"]) for r in found]
        for id_, found in results.items()
    }
    assert reached == {1: [(2, "127.0.0.3", loopback.port)], 2: [(1, "127.0.0.2", loopback.port)]}
    assert all(r["reachable"] and r["error"] is None for found in results.values() for r in found)
