"""What the hub reads of the database: the nodes that joined the VPN, and which addresses may
reach each other (those of the unfinished runs of one job)."""

from __future__ import annotations

from collections import defaultdict
from ipaddress import IPv4Address

from sqlalchemy import select
from sqlalchemy.orm import Session

from vantage6.server.models import Node, Run, Task


def peers(session: Session) -> list[tuple[str, str]]:
    """(public key, block) of every node that joined the VPN."""
    query = (
        select(Node.vpn_public_key, Node.vpn_prefix)
        .where(Node.vpn_public_key.is_not(None), Node.vpn_prefix.is_not(None))
        .order_by(Node.id)
    )
    return [(key, prefix) for key, prefix in session.execute(query)]


def job_addresses(session: Session) -> dict[int, list[str]]:
    """Job id -> the VPN addresses of its unfinished runs, in address order; jobs without any
    are left out."""
    query = (
        select(Task.job_id, Run.vpn_address)
        .join(Run.task)
        .where(Run.vpn_address.is_not(None), Run.finished_at.is_(None))
    )
    jobs = defaultdict(list)
    for job_id, address in session.execute(query):
        jobs[job_id].append(address)
    return {job_id: sorted(found, key=IPv4Address) for job_id, found in jobs.items()}
