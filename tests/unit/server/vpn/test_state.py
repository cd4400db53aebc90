"""What the hub reads: the nodes that joined the VPN, and the addresses of each job's
unfinished runs."""

import pytest

from vantage6.server import models as db
from vantage6.server.models.types import utcnow
from vantage6.server.vpn.state import job_addresses, peers


@pytest.fixture
def members(dbsession):
    """Organizations A, B and C in collaboration V."""
    organizations = [db.Organization(name=name) for name in "ABC"]
    dbsession.add(db.Collaboration(name="V", organizations=organizations))
    dbsession.flush()
    return organizations


def node(organization, public_key=None, prefix=None) -> db.Node:
    collaboration = organization.collaborations[0]
    return db.Node(
        name=f"node {organization.name}",
        organization=organization,
        collaboration=collaboration,
        api_key=f"key-{organization.name}",
        vpn_public_key=public_key,
        vpn_prefix=prefix,
    )


def task(organizations, parent=None) -> db.Task:
    made = db.Task(
        name="t",
        image="demo/average",
        collaboration=organizations[0].collaborations[0],
        init_org=organizations[0],
        parent=parent,
    )
    made.runs = [db.Run(organization=organization) for organization in organizations]
    return made


def place(run: db.Run, address: str, finished: bool = False) -> None:
    run.vpn_address = address
    run.vpn_ports = [{"port": 8000, "label": None}]
    run.finished_at = utcnow() if finished else None


def test_peers_are_the_nodes_with_both_a_key_and_a_block(dbsession, members):
    a, b, c = members
    dbsession.add_all(
        [node(a, "key-of-a", "10.76.1.0/24"), node(b, "key-of-b"), node(c, None, "10.76.3.0/24")]
    )
    dbsession.flush()
    assert peers(dbsession) == [("key-of-a", "10.76.1.0/24")]


def test_without_nodes_that_joined_there_are_no_peers(dbsession, members):
    dbsession.add(node(members[0]))
    dbsession.flush()
    assert peers(dbsession) == []


def test_a_jobs_addresses_are_those_of_its_unfinished_runs_in_address_order(dbsession, members):
    a, b, c = members
    top = task([a, b, c])
    child = task([a, b], parent=top)
    other = task([a, b])
    quiet = task([a])  # a job whose run has no address
    dbsession.add_all([top, other, quiet])
    dbsession.flush()
    place(top.runs[0], "10.76.1.10")
    place(top.runs[1], "10.76.2.9")
    place(top.runs[2], "10.76.3.10", finished=True)
    place(child.runs[0], "10.76.1.9")
    place(child.runs[1], "10.76.1.100")
    place(other.runs[0], "10.76.1.11", finished=True)
    place(other.runs[1], "10.76.2.11")
    dbsession.flush()
    assert job_addresses(dbsession) == {
        top.job_id: ["10.76.1.9", "10.76.1.10", "10.76.1.100", "10.76.2.9"],
        other.job_id: ["10.76.2.11"],
    }


def test_without_placed_runs_there_are_no_jobs(dbsession, members):
    dbsession.add(task(members))
    dbsession.flush()
    assert job_addresses(dbsession) == {}
