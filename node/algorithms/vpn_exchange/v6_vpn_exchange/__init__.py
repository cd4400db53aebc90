"""The VPN demo: algorithm containers of one task at different nodes talk to each other directly.

``exchange`` runs at one organization: it starts ``partial_exchange`` at every organization
(or those given) and checks that each received every other one's secret, which only the VPN
could have carried. ``probe`` and ``probe_siblings`` are for testing the VPN's isolation: what
a container must not reach, and what it must. None of them needs data.
"""

from __future__ import annotations

import secrets
import time

from v6_vpn_exchange import pairs, peers, wire
from vantage6.algorithm import algorithm_client
from vantage6.algorithm.errors import AlgorithmError


@algorithm_client
def exchange(client, stay: float = 0, organizations: list[int] | None = None) -> dict:
    """``{"ok", "pairs", "partials"}`` (:func:`~v6_vpn_exchange.pairs.check_pairs`) of a
    ``partial_exchange`` at each organization; ``stay``: seconds each partial keeps serving
    after its exchange, for probes of the VPN meanwhile."""
    ids = organizations or [organization["id"] for organization in client.organization.list()]
    if len(set(ids)) < 2:
        raise AlgorithmError(f"the exchange needs at least two organizations, not {ids}")
    task = client.task.create(
        input_={"method": "partial_exchange", "kwargs": {"stay": stay}},
        organizations=ids,
        name="partial exchange",
        description="secrets exchanged directly between the containers over the VPN",
    )
    return pairs.check_pairs(client.wait_for_results(task["id"]))


@algorithm_client
def partial_exchange(client, stay: float = 0) -> dict:
    """Swap a random secret with the task's container at every other organization, then serve
    ``stay`` s more; ``received`` is each peer's secret by organization."""
    _check_seconds(stay, "stay")
    sent = secrets.randbelow(2**53)  # an exact JSON number in any language
    mine = {"organization_id": client.organization_id, "value": sent}
    with wire.Exchanger(mine) as exchanger:
        own, found = peers.find_peers(client)
        received = {peer["organization_id"]: _swap(peer, mine) for peer in found}
        exchanger.wait_for_callers(set(received), wire.PATIENCE)  # until they have ours, too
        time.sleep(stay)
    return {
        "organization_id": client.organization_id,
        "ip": own["ip"],
        "sent": sent,
        "received": received,
    }


def probe(targets: list[dict], timeout: float = 3) -> list[dict]:
    """For each ``{"ip", "port"}``: ``{"ip", "port", "reachable", "error"}``, whether a TCP
    connection opened within ``timeout`` s."""
    _check_seconds(timeout, "timeout", zero=False)
    if not isinstance(targets, list) or not all(
        isinstance(target, dict)
        and isinstance(target.get("ip"), str)
        and type(target.get("port")) is int
        for target in targets
    ):
        raise AlgorithmError('targets must be a list of {"ip": <text>, "port": <integer>}')
    return [wire.reach(target["ip"], target["port"], timeout) for target in targets]


@algorithm_client
def probe_siblings(client, timeout: float = 3, wait: float = peers.WAIT) -> list[dict]:
    """Whether this task's containers at the other organizations can be reached (each as
    :func:`probe` says, with its ``organization_id``), once listed within ``wait`` s: the
    positive control of :func:`probe`. It serves its own port until they reached it too."""
    _check_seconds(timeout, "timeout", zero=False)
    _check_seconds(wait, "wait")
    mine = {"organization_id": client.organization_id, "value": 0}
    with wire.Exchanger(mine) as exchanger:
        _, found = peers.find_peers(client, wait)
        probed = [_probe_sibling(peer, mine, timeout) for peer in found]
        exchanger.wait_for_callers({peer["organization_id"] for peer in found}, wire.PATIENCE)
    return probed


def _swap(peer: dict, mine: dict) -> int:
    """The peer's secret, from the exchanger at its address."""
    answer = wire.contact(peer["ip"], peer["port"], mine)
    if answer["organization_id"] != peer["organization_id"]:
        raise AlgorithmError(
            f"{peer['ip']}:{peer['port']}, listed for organization {peer['organization_id']},"
            f" answered for organization {answer['organization_id']}"
        )
    return answer["value"]


def _probe_sibling(peer: dict, mine: dict, timeout: float) -> dict:
    """A sibling probed as :func:`probe` does, but through an exchange, tried again while its
    address may not be routed yet (``timeout`` s at most per attempt)."""
    result = {"organization_id": peer["organization_id"], "ip": peer["ip"], "port": peer["port"]}
    try:
        wire.contact(peer["ip"], peer["port"], mine, timeout=timeout)
    except AlgorithmError as exc:
        return {**result, "reachable": False, "error": str(exc)}
    return {**result, "reachable": True, "error": None}


def _check_seconds(value, name: str, zero: bool = True) -> None:
    if type(value) not in (int, float) or not (value > 0 or (zero and value == 0)):
        kind = "number" if zero else "positive number"
        raise AlgorithmError(f"{name} must be a {kind} of seconds, not {value!r}")
