"""Attacks from the security review through algorithm containers, each refused: reading other
jobs' tasks, runs, inputs and results; outliving the node's credentials; and subtasks for
organizations its task was not sent to."""

import base64
import json

import pytest

from vantage6.server.models import Task

PLAIN = base64.b64encode(json.dumps({"method": "partial"}).encode()).decode()


@pytest.fixture
def world(api):
    """The federation (A = {a1, a2, a3}, only a1 and a2 with nodes); ``job`` is a task of
    researcher ``alice`` of a1 at a1; ``other`` an unrelated task of a2 at a1 and a2, whose
    run at a2 has a result."""
    ids = api.federation()
    alice = api.user("alice", ids["a1"], roles=["Researcher"])
    ids["alice"] = alice
    ids["job"] = api.task(ids["A"], [ids["a1"]], ids["a1"], init_user=api.user_id("alice"))
    ids["other"] = api.task(ids["A"], [ids["a1"], ids["a2"]], ids["a2"])
    node_a2 = api.node_login("key-a2-A")
    run = f"/api/run/{api.run_id(ids['other'], ids['a2'])}"
    api.app.patch_json(run, {"status": "active"}, headers=node_a2)
    api.app.patch_json(run, {"status": "completed", "result": "secret"}, headers=node_a2)
    return ids


@pytest.fixture
def container(api, world):
    """The algorithm container that a1's node starts for ``job``."""
    return api.container_login(api.node_login("key-a1-A"), world["job"])


def test_a_container_reads_its_own_job_only(api, world, container):
    own_run = api.run_id(world["job"], world["a1"])
    other_runs = [api.run_id(world["other"], world[org]) for org in ("a1", "a2")]
    assert api.app.get(f"/api/task/{world['job']}", headers=container).json["id"] == world["job"]
    api.app.get(f"/api/task/{world['other']}", headers=container, status=403)
    for run in other_runs:
        api.app.get(f"/api/run/{run}", headers=container, status=403)
        api.app.get(f"/api/result/{run}", headers=container, status=403)
    for path in ("/api/task", "/api/run", "/api/result"):
        listed = api.app.get(path, headers=container).json["data"]
        expected = {world["job"]} if path == "/api/task" else {own_run}
        assert {item["id"] for item in listed} == expected, path
    filtered = api.app.get("/api/result", {"task_id": world["other"]}, headers=container)
    assert filtered.json["data"] == []


def test_a_container_reads_the_subtasks_of_its_job(api, world, container):
    created = api.app.post_json(
        "/api/task",
        {
            "collaboration_id": world["A"],
            "image": "demo/average",
            "organizations": [{"id": world["a1"], "input": PLAIN}],
        },
        headers=container,
        status=201,
    ).json
    listed = api.app.get("/api/task", {"job_id": created["job_id"]}, headers=container).json
    assert {task["id"] for task in listed["data"]} == {world["job"], created["id"]}
    runs = api.app.get("/api/run", {"task_id": created["id"]}, headers=container).json["data"]
    assert [run["input"] for run in runs] == [PLAIN]


def test_a_container_token_dies_with_its_nodes_key(api, world):
    root = api.login("root", "root")
    node = api.node_login("key-a1-A")
    container = api.container_login(node, world["job"])
    node_id = api.node_id(world["a1"], world["A"])
    api.app.post_json("/api/recover/node", {"id": node_id}, headers=root)
    refused = api.app.get(f"/api/task/{world['job']}", headers=container, status=401)
    assert "the node's API key changed" in refused.json["msg"]


def test_a_container_token_dies_with_its_node(api, world):
    root = api.login("root", "root")
    container = api.container_login(api.node_login("key-a1-A"), world["job"])
    api.app.delete(f"/api/node/{api.node_id(world['a1'], world['A'])}", headers=root)
    refused = api.app.get(f"/api/task/{world['job']}", headers=container, status=401)
    assert "the node of this container token no longer exists" in refused.json["msg"]


def subtask(api, world, container, organizations, status):
    body = {
        "collaboration_id": world["A"],
        "image": "demo/average",
        "organizations": [{"id": world[org], "input": PLAIN} for org in organizations],
    }
    return api.app.post_json("/api/task", body, headers=container, status=status)


def test_subtasks_reach_further_than_their_task_only_as_far_as_its_user(api, world, container):
    """alice may start tasks in A, so her job's algorithm may ask a2 too."""
    created = subtask(api, world, container, ["a1", "a2"], 201).json
    assert created["init_user"]["id"] == api.user_id("alice")


def test_subtasks_stay_within_their_task_once_its_user_may_not(api, world, container):
    with api.session() as session, session.begin():
        alice = session.get(Task, world["job"]).init_user
        alice.roles = []
    refused = subtask(api, world, container, ["a1", "a2"], 403)
    assert "not for organization(s)" in refused.json["msg"]
    assert str(world["a2"]) in refused.json["msg"]
    subtask(api, world, container, ["a1"], 201)


def test_a_task_without_user_gets_subtasks_within_it_only(api, world):
    """Tasks made in the admin shell have no user whose rights could reach further."""
    orphan = api.task(world["A"], [world["a1"]], world["a1"])
    container = api.container_login(api.node_login("key-a1-A"), orphan)
    subtask(api, world, container, ["a2"], 403)


def test_the_container_role_views_no_tasks_or_runs_by_rule(api):
    """What a container reads of tasks and runs follows from its job, not from a rule."""
    root = api.login("root", "root")
    roles = api.app.get("/api/role", {"name": "container"}, headers=root).json["data"]
    rules = api.app.get("/api/rule", {"role_id": roles[0]["id"]}, headers=root).json["data"]
    held = {(rule["name"], rule["operation"]) for rule in rules}
    assert ("organization", "VIEW") in held
    assert not held & {("task", "VIEW"), ("run", "VIEW")}


def test_subtasks_name_the_organization_that_started_their_job(api, world):
    """A subtask's init_org is the organization whose algorithm asked (its results are
    encrypted for it); job_init_org stays the one whose user started the job, for the nodes'
    allowed_organizations to decide on."""
    task = api.task(world["A"], [world["a2"]], world["a1"], init_user=api.user_id("alice"))
    container = api.container_login(api.node_login("key-a2-A"), task)
    created = subtask(api, world, container, ["a1"], 201).json
    assert created["init_org"]["id"] == world["a2"]
    assert created["job_init_org"]["id"] == world["a1"]
    root = api.login("root", "root")
    listed = api.app.get("/api/task", {"job_id": created["job_id"]}, headers=root).json["data"]
    assert {item["job_init_org"]["id"] for item in listed} == {world["a1"]}
