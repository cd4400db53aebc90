"""``/token/container``: tokens for algorithm containers, bound to one run and refused once it
has finished (the original's never expired, §11.2)."""

import jwt
import pytest

from tests.functional.api.conftest import JWT_SECRET
from vantage6.server.models import Run, TaskDatabase


@pytest.fixture
def world(api):
    return api.federation()


@pytest.fixture
def task(api, world):
    """A task of a1 in A that runs at a1 and a2, with one database."""
    task_id = api.task(world["A"], [world["a1"], world["a2"]], world["a1"])
    with api.session() as session, session.begin():
        session.add(TaskDatabase(task_id=task_id, database="default", parameters='{"query":"q"}'))
    return task_id


@pytest.fixture
def node(api, world):
    return api.node_login("key-a1-A")


def request_token(api, headers, task_id, image="demo/average", status=200):
    body = {"task_id": task_id, "image": image}
    return api.app.post_json("/api/token/container", body, headers=headers, status=status)


def test_the_token_names_the_run_it_is_bound_to(api, world, task, node):
    token = request_token(api, node, task).json["container_token"]
    claims = jwt.decode(token, JWT_SECRET, algorithms=["HS256"], options={"verify_sub": False})
    assert claims["client_type"] == "container" and "exp" not in claims
    assert claims["sub"] == {
        "run_id": api.run_id(task, world["a1"]),
        "task_id": task,
        "node_id": api.node_id(world["a1"], world["A"]),
        "organization_id": world["a1"],
        "collaboration_id": world["A"],
        "image": "demo/average",
        "databases": [{"label": "default", "query": "q"}],
        "study_id": None,
        "store_id": None,
    }


def test_the_token_works_while_its_run_is_open_and_is_refused_after(api, world, task, node):
    container = api.container_login(node, task)
    run_url = f"/api/run/{api.run_id(task, world['a1'])}"
    api.app.patch_json(run_url, {"status": "active"}, headers=node)
    assert api.app.get(f"/api/task/{task}", headers=container).json["id"] == task
    api.app.patch_json(run_url, {"status": "completed"}, headers=node)
    refused = api.app.get(f"/api/task/{task}", headers=container, status=401)
    assert refused.json["msg"] == (
        "Authentication failed: the run of this container token has finished (completed)"
    )


def test_a_kill_ends_the_token(api, root, task, node):
    container = api.container_login(node, task)
    api.app.post_json("/api/kill/task", {"id": task}, headers=root)
    refused = api.app.get("/api/run", headers=container, status=401)
    assert "has finished (killed by user)" in refused.json["msg"]


def test_a_token_for_a_run_of_another_organization_is_not_affected(api, world, task, node):
    """Each node's token follows its own run: a2's token outlives a1's run."""
    other = api.container_login(api.node_login("key-a2-A"), task)
    api.app.patch_json(
        f"/api/run/{api.run_id(task, world['a1'])}", {"status": "completed"}, headers=node
    )
    api.app.get(f"/api/task/{task}", headers=other)


def test_the_image_must_be_the_tasks(api, task, node):
    response = request_token(api, node, task, image="evil/demo/average", status=400)
    assert "runs image 'demo/average', not 'evil/demo/average'" in response.json["msg"]


@pytest.mark.parametrize("key", ["key-a2-B", "key-b1-B"])
def test_nodes_of_other_collaborations_get_no_token(api, task, key):
    response = request_token(api, api.node_login(key), task, status=403)
    assert "Only the node of an organization that task" in response.json["msg"]


def test_a_node_whose_organization_has_no_run_gets_no_token(api, world, node):
    elsewhere = api.task(world["A"], [world["a2"]], world["a2"])
    request_token(api, node, elsewhere, status=403)


def test_users_and_containers_get_no_token(api, root, task, node):
    request_token(api, root, task, status=403)
    container = api.container_login(node, task)
    request_token(api, container, task, status=403)


def test_no_token_for_a_finished_run(api, world, task, node):
    """The original answered a node restarting after a finished run with a loop of errors
    (§11.1 #8); here the answer says which run finished and how."""
    run_id = api.run_id(task, world["a1"])
    api.app.patch_json(f"/api/run/{run_id}", {"status": "crashed"}, headers=node)
    response = request_token(api, node, task, status=409)
    assert response.json["msg"] == (
        f"Run {run_id} of task {task} has already finished (crashed); its algorithm needs no token"
    )


@pytest.mark.parametrize(
    "body, status, field",
    [
        ({"task_id": 999, "image": "demo/average"}, 404, "Task '999' does not exist"),
        ({"task_id": "1", "image": "demo/average"}, 400, "task_id"),
        ({"task_id": 10**30, "image": "demo/average"}, 400, "task_id"),
        ({"task_id": 1}, 400, "image"),
        ({"task_id": 1, "image": "x", "run_id": 2}, 400, "body"),
    ],
)
def test_bad_requests(api, task, node, body, status, field):
    response = api.app.post_json("/api/token/container", body, headers=node, status=status)
    assert field in response.json["msg"]


def test_the_token_stops_working_when_its_run_is_deleted(api, root, task, node):
    container = api.container_login(node, task)
    with api.session() as session, session.begin():
        session.delete(session.get(Run, container_run(api, container)))
    refused = api.app.get("/api/run", headers=container, status=401)
    assert "the run of this container token no longer exists" in refused.json["msg"]


def container_run(api, headers) -> int:
    token = headers["Authorization"].removeprefix("Bearer ")
    return jwt.decode(token, options={"verify_signature": False})["sub"]["run_id"]


def test_forged_run_claims_are_refused(api):
    claims = {
        "sub": {
            "run_id": "1",
            "task_id": 1,
            "node_id": 1,
            "organization_id": 1,
            "collaboration_id": 1,
        },
        "client_type": "container",
        "type": "access",
    }
    token = jwt.encode(claims, JWT_SECRET, algorithm="HS256")
    response = api.app.get("/api/task", headers={"Authorization": f"Bearer {token}"}, status=401)
    assert "unknown subject" in response.json["msg"]
