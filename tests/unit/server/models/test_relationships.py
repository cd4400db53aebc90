"""The models' relationships, 3.x aliases and derived properties behave as the reference says.

Covers who sees whom (organization <-> collaboration/users/nodes/roles/tasks/runs), how tasks of
one job share ``job_id``, the old constructor and attribute names (``run_id``, ``initiator``,
``database``, ``Result``, ``results``), task status derivation, and stored formats (run input,
organization public key).
"""

from __future__ import annotations

import base64
import datetime as dt
import json

import pytest
from sqlalchemy import select, text

from vantage6.common.task_status import TaskStatus
from vantage6.server.models.errors import ModelError


@pytest.fixture
def world(shell):
    """Organizations A and B in collaboration C (with nodes), outsider X, a user, a task."""
    db = shell["db"]
    a = db.Organization(name="Org A")
    b = db.Organization(name="Org B")
    x = db.Organization(name="Org X")
    collab = db.Collaboration(name="Collab C", organizations=[a, b], encrypted=False)
    node_a = db.Node(name="node A", api_key="key-a", organization=a, collaboration=collab)
    node_b = db.Node(name="node B", api_key="key-b", organization=b, collaboration=collab)
    user = db.User(username="alice", password="secret", organization=a)
    role = db.Role(name="A's analysts", organization=a)
    task = db.Task(
        name="average", image="harbor/average", collaboration=collab, init_org=a, init_user=user
    )
    run_a = db.Run(task=task, organization=a)
    run_b = db.Run(task=task, organization=b)
    for obj in (x, node_a, node_b, role, run_a, run_b):
        obj.save()
    return dict(
        a=a,
        b=b,
        x=x,
        collab=collab,
        node_a=node_a,
        node_b=node_b,
        user=user,
        role=role,
        task=task,
        run_a=run_a,
        run_b=run_b,
    )


def fresh(session, obj):
    """``obj`` as read back from the database, not from the session's memory."""
    session.expire_all()
    return session.get(type(obj), obj.id)


def test_organization_sees_its_records(world, dbsession):
    a = fresh(dbsession, world["a"])
    assert a.collaborations == [world["collab"]]
    assert a.users == [world["user"]]
    assert a.nodes == [world["node_a"]]
    assert a.roles == [world["role"]]
    assert a.created_tasks == [world["task"]]
    assert a.tasks == [world["task"]]
    assert a.runs == [world["run_a"]]
    assert a.results == [world["run_a"]]


def test_member_that_did_not_create_the_task_only_has_its_run(world, dbsession):
    b = fresh(dbsession, world["b"])
    assert b.created_tasks == [] and b.tasks == []
    assert b.runs == b.results == [world["run_b"]]
    assert b.users == [] and b.roles == []


def test_outsider_is_in_nothing(world, dbsession):
    x = fresh(dbsession, world["x"])
    assert (x.collaborations, x.nodes, x.runs, x.created_tasks) == ([], [], [], [])


def test_collaboration_sees_members_nodes_and_tasks(world, dbsession):
    collab = fresh(dbsession, world["collab"])
    assert {o.name for o in collab.organizations} == {"Org A", "Org B"}
    assert {n.name for n in collab.nodes} == {"node A", "node B"}
    assert collab.tasks == [world["task"]]
    assert sorted(collab.get_organization_ids()) == sorted([world["a"].id, world["b"].id])
    assert collab.get_node_from_organization(world["b"]) == world["node_b"]
    assert collab.get_node_from_organization(world["x"]) is None


def test_node_and_user_point_back(world, dbsession):
    node = fresh(dbsession, world["node_a"])
    assert node.organization == world["a"] and node.collaboration == world["collab"]
    user = fresh(dbsession, world["user"])
    assert user.organization == world["a"]
    assert user.created_tasks == [world["task"]]


def test_result_is_run(shell):
    db = shell["db"]
    assert db.Result is db.Run


def test_task_results_are_its_runs(world, dbsession):
    task = fresh(dbsession, world["task"])
    assert set(task.runs) == {world["run_a"], world["run_b"]}
    assert task.results == task.runs


# -- jobs ----------------------------------------------------------------------------------


def test_subtask_without_job_id_joins_its_parents_job(world, shell):
    db = shell["db"]
    parent = world["task"]
    child = db.Task(
        image="harbor/average", collaboration=world["collab"], init_org=world["b"], parent=parent
    )
    grandchild = db.Task(
        image="harbor/average", collaboration=world["collab"], init_org=world["b"], parent=child
    )
    grandchild.save()
    assert parent.job_id is not None
    assert child.job_id == parent.job_id == grandchild.job_id
    assert parent.children == [child] and child.parent is parent
    assert grandchild.parent.parent is parent


def test_parent_and_child_saved_together_share_a_job(world, shell):
    db = shell["db"]
    parent = db.Task(image="img", collaboration=world["collab"], init_org=world["a"])
    child = db.Task(image="img", collaboration=world["collab"], init_org=world["a"], parent=parent)
    child.save()
    assert parent.job_id is not None and child.job_id == parent.job_id


def test_top_level_tasks_each_get_a_new_job(world, shell):
    db = shell["db"]
    first = db.Task(image="img", collaboration=world["collab"], init_org=world["a"])
    first.save()
    second = db.Task(image="img", collaboration=world["collab"], init_org=world["a"])
    second.save()
    job_ids = {world["task"].job_id, first.job_id, second.job_id}
    assert None not in job_ids and len(job_ids) == 3


def test_next_run_id_reserves_job_ids_for_tasks_made_by_hand(world, shell):
    db = shell["db"]
    assert db.Task.next_run_id == db.Task.next_job_id  # the 3.x name for the same method
    reserved = db.Task.next_run_id()
    another = db.Task.next_job_id()
    assert another > reserved > world["task"].job_id
    task = db.Task(
        run_id=reserved, image="img", collaboration=world["collab"], initiator=world["a"]
    )
    task.save()
    assert task.job_id == task.run_id == reserved
    later = db.Task(image="img", collaboration=world["collab"], init_org=world["a"])
    later.save()
    assert later.job_id > another  # reserved ids are never handed out again


def test_initiator_is_init_org(world, shell, dbsession):
    db = shell["db"]
    task = db.Task(image="img", collaboration=world["collab"], initiator=world["b"])
    task.save()
    task = fresh(dbsession, task)
    assert task.init_org == world["b"] and task.initiator == world["b"]
    assert task.init_org_id == world["b"].id


def test_database_keyword_creates_a_task_database(world, shell, dbsession):
    db = shell["db"]
    task = db.Task(
        image="img", collaboration=world["collab"], init_org=world["a"], database="default"
    )
    task.save()
    rows = dbsession.execute(
        text("SELECT database FROM task_database WHERE task_id = :id"), {"id": task.id}
    ).all()
    assert rows == [("default",)]
    task = fresh(dbsession, task)
    assert task.database == "default"
    assert [(d.label, d.task) for d in task.databases] == [("default", task)]


def test_task_without_database_has_none(world):
    assert world["task"].database is None and world["task"].databases == []


# -- completion and status --------------------------------------------------------------------


def test_complete_follows_finished_at(world):
    task, run_a, run_b = world["task"], world["run_a"], world["run_b"]
    assert not run_a.complete and not task.complete and task.finished_at is None
    early = dt.datetime(2024, 1, 1, 12, tzinfo=dt.UTC)
    late = dt.datetime(2024, 1, 1, 13, tzinfo=dt.UTC)
    run_a.finished_at = late
    assert run_a.complete and not run_b.complete
    assert not task.complete and task.finished_at is None
    run_b.finished_at = early
    assert task.complete and task.finished_at == late


def test_run_defaults(world, dbsession):
    run = fresh(dbsession, world["run_a"])
    assert run.status == TaskStatus.PENDING.value
    assert run.blob_storage_used is False
    assert run.assigned_at.tzinfo is not None
    age = dt.datetime.now(dt.UTC) - run.assigned_at
    assert dt.timedelta(0) <= age < dt.timedelta(minutes=5)  # set per row, not at import


S = TaskStatus


@pytest.mark.parametrize(
    "statuses, expected",
    [
        ([], S.COMPLETED),
        ([S.COMPLETED, S.COMPLETED], S.COMPLETED),
        ([S.PENDING], S.PENDING),
        ([S.PENDING, S.COMPLETED], S.PENDING),
        ([S.PENDING, S.INITIALIZING], S.INITIALIZING),
        ([S.PENDING, S.INITIALIZING, S.ACTIVE, S.COMPLETED], S.ACTIVE),
        ([S.CRASHED, S.COMPLETED], S.CRASHED),
        ([S.CRASHED, S.CRASHED, S.ACTIVE], S.CRASHED),  # a failure outranks open runs
        ([S.KILLED, S.PENDING], S.KILLED),
        ([S.CRASHED, S.KILLED, S.COMPLETED], S.FAILED),  # different failures: just "failed"
        ([S.NOT_ALLOWED, S.START_FAILED, S.ACTIVE], S.FAILED),
    ],
)
def test_task_status_is_derived_from_its_runs(shell, statuses, expected):
    db = shell["db"]
    task = db.Task(image="img", runs=[db.Run(status=status.value) for status in statuses])
    assert task.status == expected.value


# -- stored formats ----------------------------------------------------------------------------


def test_run_input_dict_is_stored_as_base64_json(world, shell, dbsession):
    db = shell["db"]
    payload = {"method": "partial_average", "kwargs": {"column": "age"}}
    run = db.Run(task=world["task"], organization=world["x"], input=payload)
    run.save()
    stored = dbsession.execute(
        text("SELECT input FROM run WHERE id = :id"), {"id": run.id}
    ).scalar_one()
    assert json.loads(base64.b64decode(stored)) == payload
    assert fresh(dbsession, run).input == stored
    assert dbsession.scalars(select(db.Run.id).where(db.Run.input == stored)).all() == [run.id]


def test_run_input_text_is_stored_as_given(world):
    run = world["run_a"]
    run.input = "already-encrypted$payload"
    assert run.input == "already-encrypted$payload"


def test_public_key_is_stored_as_bytes_and_shown_as_base64(world, dbsession):
    pem = b"-----BEGIN PUBLIC KEY-----\nMIIBIjAN\n-----END PUBLIC KEY-----\n"
    org = world["a"]
    org.public_key = base64.b64encode(pem).decode()
    org.save()
    stored = dbsession.execute(
        text("SELECT public_key FROM organization WHERE id = :id"), {"id": org.id}
    ).scalar_one()
    assert bytes(stored) == pem
    org = fresh(dbsession, org)
    assert org._public_key == pem
    assert org.public_key == base64.b64encode(pem).decode()


def test_public_key_can_be_cleared(world):
    org = world["a"]
    org.public_key = base64.b64encode(b"key").decode()
    org.public_key = ""
    assert org._public_key is None and org.public_key == ""


@pytest.mark.parametrize("bad", ["not base64!", "abc", 42])
def test_public_key_must_be_base64(world, bad):
    org = world["a"]
    with pytest.raises(ModelError, match=r"Organization\.public_key must be base64"):
        org.public_key = bad
    assert org.public_key == ""


# -- roles by name -----------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["root", "Root", "ROOT"])
def test_roles_by_name_resolve_the_default_role(world, shell, dbsession, name):
    db = shell["db"]
    # An organization's own role of the same name must not be picked instead.
    db.Role(name="root", organization=world["a"]).save()
    user = db.User(username=f"admin-{name}", password="pw", organization=world["a"], roles=name)
    user.save()
    (role,) = fresh(dbsession, user).roles
    assert role.name == "Root" and role.organization_id is None and role.is_default_role


def test_roles_accept_role_objects(world, shell):
    db = shell["db"]
    user = db.User(username="bob", organization=world["a"], roles=[world["role"]])
    user.save()
    assert world["role"].users == [user]


def test_unknown_role_name_is_refused(world, shell):
    db = shell["db"]
    with pytest.raises(ModelError, match="there is no role named 'wizard'"):
        db.User(username="carol", organization=world["a"], roles="wizard")


# -- Run.node ----------------------------------------------------------------------------------


def test_run_node_is_its_organizations_node_in_the_tasks_collaboration(world, shell):
    db = shell["db"]
    assert world["run_a"].node == world["node_a"]
    assert world["run_b"].node == world["node_b"]
    # Org A's node in another collaboration must not be confused with node A.
    other = db.Collaboration(name="Collab D", organizations=[world["a"]])
    db.Node(
        name="node A in D", api_key="key-ad", organization=world["a"], collaboration=other
    ).save()
    assert world["run_a"].node == world["node_a"]


def test_run_node_is_none_without_a_node_or_session(world, shell):
    db = shell["db"]
    run_x = db.Run(task=world["task"], organization=world["x"])
    run_x.save()
    assert run_x.node is None
    assert db.Run(organization_id=world["a"].id).node is None  # not in any session
