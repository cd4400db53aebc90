"""Finding the task's other containers on the VPN. The server lists a container's address once
its node gave it one, which happens at its own pace at each node: a partial polls until its own
address and those of the task's runs at every other organization are listed."""

from __future__ import annotations

import time

from vantage6.algorithm.errors import AlgorithmError

LABEL = "exchange"  # the image's label p8888=exchange
WAIT = 90.0
POLL = 0.5


def find_peers(client, wait: float = WAIT, poll: float = POLL) -> tuple[dict, list[dict]]:
    """This run's exchange address and those of the task's runs at the other organizations
    (by organization id), once the VPN lists them all; an AlgorithmError after ``wait`` s."""
    others = other_organizations(client)
    deadline = time.monotonic() + wait
    own = None
    while True:
        own = own or exchange_addresses(client.vpn.get_own_address(), client.task_id).get(
            client.organization_id
        )
        listed = exchange_addresses(client.vpn.get_sibling_addresses(), client.task_id)
        missing = others - listed.keys()
        if own and not missing:
            return own, [listed[id_] for id_ in sorted(others)]
        if time.monotonic() + poll > deadline:
            absent = [f"organization {id_}" for id_ in sorted(missing)]
            if not own:
                absent.insert(0, "this run")
            raise AlgorithmError(
                f"after {wait} s the VPN still lists no {LABEL!r} address for "
                f"{', '.join(absent)} of task {client.task_id}: is every node of the task on "
                "the VPN?"
            )
        time.sleep(poll)


def other_organizations(client) -> set[int]:
    """The organizations of the task's runs but this one."""
    runs = client.run.from_task(client.task_id)
    others = {run["organization"]["id"] for run in runs} - {client.organization_id}
    if not others:
        raise AlgorithmError(f"task {client.task_id} runs at no other organization to reach")
    return others


def exchange_addresses(addresses, task_id: int) -> dict[int, dict]:
    """The exchange addresses of the task's runs in the server's list, by organization."""
    if not isinstance(addresses, list):
        raise AlgorithmError(f"the server's VPN addresses are not a list: {addresses!r}")
    return {
        address["organization_id"]: address
        for address in addresses
        if address.get("label") == LABEL and address.get("task_id") == task_id
    }
