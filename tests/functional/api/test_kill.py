"""``/kill/task`` and ``/kill/node/tasks``: unfinished runs become "killed by user"."""

import pytest
from sqlalchemy import select

from vantage6.server.models import Run
from vantage6.server.models.rule import Operation, Scope

S, D, V = Operation.SEND, Operation.DELETE, Operation.VIEW
ORG, COL, GLO = Scope.ORGANIZATION, Scope.COLLABORATION, Scope.GLOBAL
KILLED = "killed by user"


@pytest.fixture
def world(api):
    return api.federation()


@pytest.fixture
def family(api, world):
    """A task of a1 in A with a child and a grandchild, and an unrelated task."""
    top = api.task(world["A"], [world["a1"], world["a2"]], world["a1"])
    child = api.task(world["A"], [world["a2"]], world["a1"], parent=top)
    grandchild = api.task(world["A"], [world["a1"]], world["a1"], parent=child)
    unrelated = api.task(world["A"], [world["a1"]], world["a1"])
    return {"top": top, "child": child, "grandchild": grandchild, "unrelated": unrelated}


def statuses(api) -> dict[int, tuple[str, bool]]:
    """Each run's status and whether it has a finished_at, by run id."""
    with api.session() as session:
        return {
            run.id: (run.status, run.finished_at is not None)
            for run in session.scalars(select(Run))
        }


def finish(api, run_id, status="completed"):
    api.app.patch_json(f"/api/run/{run_id}", {"status": status}, headers=api.node_login("key-a1-A"))


def test_kill_marks_the_open_runs_of_the_task_and_all_its_descendants(api, root, world, family):
    done = api.run_id(family["top"], world["a1"])
    finish(api, done)
    response = api.app.post_json("/api/kill/task", {"id": family["top"]}, headers=root).json
    killed = {
        api.run_id(family["top"], world["a2"]),
        api.run_id(family["child"], world["a2"]),
        api.run_id(family["grandchild"], world["a1"]),
    }
    assert {item["run_id"] for item in response["killed"]} == killed
    assert response["killed"][0].keys() == {"task_id", "run_id", "organization_id"}
    after = statuses(api)
    assert all(after[run_id] == (KILLED, True) for run_id in killed)
    assert after[done] == ("completed", True)
    assert after[api.run_id(family["unrelated"], world["a1"])] == ("pending", False)


def test_killing_a_subtask_leaves_its_parent_running(api, root, world, family):
    api.app.post_json("/api/kill/task", {"id": family["child"]}, headers=root)
    after = statuses(api)
    assert after[api.run_id(family["top"], world["a1"])] == ("pending", False)
    assert after[api.run_id(family["grandchild"], world["a1"])] == (KILLED, True)


def test_a_killed_task_reports_killed_and_cannot_be_killed_again(api, root, family):
    api.app.post_json("/api/kill/task", {"id": family["top"]}, headers=root)
    status = api.app.get(f"/api/task/{family['top']}/status", headers=root).json
    assert status == {"status": KILLED}
    again = api.app.post_json("/api/kill/task", {"id": family["top"]}, headers=root, status=400)
    assert "have already finished" in again.json["msg"]


@pytest.mark.parametrize(
    "rules, allowed",
    [
        ([("event", COL, S)], True),
        ([("event", ORG, S)], True),  # the task was started by the killer's organization
        ([("task", ORG, D)], True),  # who may delete a task may also stop it
        ([("task", GLO, V)], False),
        ([("event", COL, Operation.RECEIVE)], False),
    ],
)
def test_who_may_kill_a_task(api, world, family, rules, allowed):
    headers = api.user("killer", world["a1"], rules=rules)
    status = 200 if allowed else 403
    api.app.post_json("/api/kill/task", {"id": family["top"]}, headers=headers, status=status)
    expected = KILLED if allowed else "pending"
    assert statuses(api)[api.run_id(family["top"], world["a1"])][0] == expected


def test_scoped_killers_reach_only_their_own_tasks(api, world):
    outside = api.task(world["B"], [world["b1"]], world["b1"])
    by_a2 = api.task(world["A"], [world["a2"]], world["a2"])
    collaboration_sender = api.user("col", world["a1"], rules=[("event", COL, S)])
    organization_sender = api.user("org", world["a1"], rules=[("event", ORG, S)])
    api.app.post_json("/api/kill/task", {"id": outside}, headers=collaboration_sender, status=403)
    api.app.post_json("/api/kill/task", {"id": by_a2}, headers=organization_sender, status=403)
    api.app.post_json("/api/kill/task", {"id": by_a2}, headers=collaboration_sender)


def test_nodes_and_containers_cannot_kill(api, world, family):
    node = api.node_login("key-a1-A")
    api.app.post_json("/api/kill/task", {"id": family["top"]}, headers=node, status=403)
    container = api.container_login(node, family["top"])
    api.app.post_json("/api/kill/task", {"id": family["top"]}, headers=container, status=403)


@pytest.mark.parametrize("path", ["/api/kill/task", "/api/kill/node/tasks"])
@pytest.mark.parametrize(
    "body, status, message",
    [
        ({"id": 999}, 404, "does not exist"),
        ({"id": "1"}, 400, "id"),
        ({"id": 10**30}, 400, "id"),
        ({}, 400, "id"),
        ({"id": 1, "all": True}, 400, "body"),
    ],
)
def test_bad_kill_requests(api, root, world, family, path, body, status, message):
    response = api.app.post_json(path, body, headers=root, status=status)
    assert message in response.json["msg"]
    assert all(status == "pending" for status, _ in statuses(api).values())


def test_kill_node_tasks_stops_that_nodes_open_runs_only(api, root, world):
    """The original read a rule that does not exist here and failed with a 500 (§11.2)."""
    in_a = api.task(world["A"], [world["a1"], world["a2"]], world["a1"])
    in_b = api.task(world["B"], [world["a2"], world["b1"]], world["b1"])
    done = api.task(world["A"], [world["a2"]], world["a2"])
    finish_by_a2 = api.node_login("key-a2-A")
    api.app.patch_json(
        f"/api/run/{api.run_id(done, world['a2'])}", {"status": "completed"}, headers=finish_by_a2
    )
    response = api.app.post_json(
        "/api/kill/node/tasks", {"id": api.node_id(world["a2"], world["A"])}, headers=root
    ).json
    assert [item["run_id"] for item in response["killed"]] == [api.run_id(in_a, world["a2"])]
    after = statuses(api)
    assert after[api.run_id(in_a, world["a2"])] == (KILLED, True)
    assert after[api.run_id(in_a, world["a1"])] == ("pending", False)
    assert after[api.run_id(in_b, world["a2"])] == ("pending", False)
    assert after[api.run_id(done, world["a2"])][0] == "completed"


def test_who_may_kill_a_nodes_tasks(api, world):
    api.task(world["A"], [world["a1"], world["a2"]], world["a1"])
    target = {"id": api.node_id(world["a2"], world["A"])}
    in_collaboration = api.user("col", world["a1"], rules=[("event", COL, S)])
    of_organization = api.user("org", world["a1"], rules=[("event", ORG, S)])
    deleter = api.user("deleter", world["a1"], rules=[("task", GLO, D)])
    api.app.post_json("/api/kill/node/tasks", target, headers=of_organization, status=403)
    api.app.post_json("/api/kill/node/tasks", target, headers=deleter, status=403)
    api.app.post_json("/api/kill/node/tasks", target, headers=in_collaboration)
    own_node = {"id": api.node_id(world["a1"], world["A"])}
    api.app.post_json("/api/kill/node/tasks", own_node, headers=of_organization)
