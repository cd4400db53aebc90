"""``/task``: creating tasks (by users and by algorithm containers), the task validator hook,
listing and filtering by scope, reading, status and deleting."""

import base64
import json

import pytest
from sqlalchemy import func, select

from vantage6.common.task_status import TaskStatus
from vantage6.plugins import hookimpl
from vantage6.server.models import Run, Task, TaskDatabase
from vantage6.server.models.rule import Operation, Scope

V, C, D = Operation.VIEW, Operation.CREATE, Operation.DELETE
OWN, ORG, COL, GLO = Scope.OWN, Scope.ORGANIZATION, Scope.COLLABORATION, Scope.GLOBAL


def plain(value) -> str:
    """Input as unencrypted collaborations take it: base64 of JSON."""
    return base64.b64encode(json.dumps(value).encode()).decode()


ENCRYPTED = "a2V5$aXY=$Y2lwaGVydGV4dA=="  # the wire format of encrypted input: key$iv$ciphertext


def body(collaboration_id, organizations, input_=None, **extra) -> dict:
    input_ = plain({"method": "average"}) if input_ is None else input_
    return {
        "name": "avg",
        "image": "demo/average",
        "collaboration_id": collaboration_id,
        "organizations": [{"id": id_, "input": input_} for id_ in organizations],
        **extra,
    }


def task_count(api) -> int:
    with api.session() as session:
        return session.scalar(select(func.count()).select_from(Task))


@pytest.fixture
def world(api):
    return api.federation()


@pytest.fixture
def researcher(api, world):
    return api.user("researcher", world["a1"], roles=["Researcher"])


# -- creating tasks -------------------------------------------------------------------------


def test_create_answers_the_task_shape_with_a_pending_run_per_organization(
    api, root, world, researcher
):
    databases = [{"label": "default", "query": "SELECT 1", "arguments": {"n": 1}}]
    sent = body(world["A"], [world["a1"], world["a2"]], databases=databases, study_id=None)
    created = api.app.post_json("/api/task", sent, headers=researcher, status=201).json
    assert created["status"] == "pending" and created["complete"] is False
    assert created["collaboration"] == {
        "id": world["A"],
        "link": f"/api/collaboration/{world['A']}",
        "methods": ["GET", "PATCH", "DELETE"],
    }
    assert created["init_org"]["id"] == world["a1"]
    assert created["init_user"]["id"] == api.user_id("researcher")
    assert created["parent"] is None
    assert created["runs"] == f"/api/run?task_id={created['id']}"
    assert created["children"] == f"/api/task?parent_id={created['id']}"
    parameters = json.loads(created["databases"][0]["parameters"])
    assert created["databases"][0]["label"] == "default"
    assert parameters == {"query": "SELECT 1", "arguments": {"n": 1}}
    runs = api.app.get(f"/api/run?task_id={created['id']}", headers=root).json["data"]
    assert sorted(run["organization"]["id"] for run in runs) == [world["a1"], world["a2"]]
    assert {run["status"] for run in runs} == {"pending"}
    assert {run["input"] for run in runs} == {sent["organizations"][0]["input"]}


def test_each_task_gets_its_own_job_and_times(api, root, world, researcher):
    """The original stamped every run with the server's start time (§11.2)."""
    first = api.app.post_json("/api/task", body(world["A"], [world["a1"]]), headers=researcher)
    second = api.app.post_json("/api/task", body(world["A"], [world["a1"]]), headers=researcher)
    assert first.json["job_id"] != second.json["job_id"]
    assert first.json["created_at"] < second.json["created_at"]
    assigned = [
        api.app.get(f"/api/run?task_id={created.json['id']}", headers=root).json["data"][0][
            "assigned_at"
        ]
        for created in (first, second)
    ]
    assert assigned[0] < assigned[1]


def test_every_organization_problem_is_named_at_once_and_nothing_is_stored(api, world, researcher):
    targets = [world["a1"], world["b1"], world["a3"], 999]
    response = api.app.post_json(
        "/api/task", body(world["A"], targets), headers=researcher, status=400
    )
    msg = response.json["msg"]
    assert f"organization(s) {world['b1']}, 999 are not members of collaboration" in msg
    assert f"organization(s) {world['a3']} have no node in collaboration" in msg
    assert task_count(api) == 0


@pytest.mark.parametrize(
    "collaboration, input_, problem",
    [
        ("A", ENCRYPTED, "cannot be read, but collaboration"),
        ("A", base64.b64encode(b"\xff\xfe\x00").decode(), "cannot be read"),
        ("B", plain({"method": "average"}), "is not encrypted, but collaboration"),
        ("A", "not base64!", "is not base64 text"),
        ("B", "a2V5$not base64", "is not base64 text"),
        ("A", base64.b64encode(b"pickle.\x80\x04K\x01.").decode(), "pickled Python"),
        ("B", base64.b64encode(b"pickle.\x80\x04K\x01.").decode(), "pickled Python"),
        ("B", base64.b64encode(b"RDS.X\n\x00\x00").decode(), "is not encrypted, but"),
    ],
)
def test_input_must_suit_the_collaborations_encryption(api, world, collaboration, input_, problem):
    member = world["a1"] if collaboration == "A" else world["a2"]
    headers = api.user("researcher", member, rules=[("task", COL, C)])
    sent = body(world[collaboration], [member], input_=input_)
    response = api.app.post_json("/api/task", sent, headers=headers, status=400)
    assert problem in response.json["msg"]
    assert task_count(api) == 0


def test_r_serialized_input_is_taken_by_a_plain_collaboration_as_the_opaque_payload_it_is(
    api, world
):
    """The original R client's input (``RDS.`` and R's serialize format): the server stores
    it; whether it runs is each node's policy (``allow_rds``)."""
    headers = api.user("researcher", world["a1"], rules=[("task", COL, C), ("run", COL, V)])
    rds = base64.b64encode(b"RDS.X\n\x00\x00\x00\x03\x00\x04\x02\x02").decode()
    task = api.app.post_json(
        "/api/task", body(world["A"], [world["a1"]], input_=rds), headers=headers, status=201
    ).json
    runs = api.app.get(f"/api/run?task_id={task['id']}", headers=headers).json["data"]
    assert [run["input"] for run in runs] == [rds]


def test_encrypted_input_is_accepted_by_an_encrypted_collaboration(api, world):
    headers = api.user("researcher", world["b1"], rules=[("task", COL, C)])
    sent = body(world["B"], [world["a2"], world["b1"]], input_=ENCRYPTED)
    api.app.post_json("/api/task", sent, headers=headers, status=201)


def test_creating_needs_the_create_rule_for_that_collaboration(api, world):
    viewer = api.user("viewer", world["a1"], roles=["Viewer"])
    api.app.post_json("/api/task", body(world["A"], [world["a1"]]), headers=viewer, status=403)
    elsewhere = api.user("elsewhere", world["b1"], rules=[("task", COL, C)])
    sent = body(world["A"], [world["a1"]])
    api.app.post_json("/api/task", sent, headers=elsewhere, status=403)
    assert task_count(api) == 0


def test_the_initiating_organization_must_be_a_member(api, root, world):
    """Even a global task creator starts tasks only where its organization takes part."""
    response = api.app.post_json(
        "/api/task", body(world["A"], [world["a1"]]), headers=root, status=403
    )
    assert "not a member of collaboration" in response.json["msg"]


def test_nodes_cannot_create_tasks(api, world):
    node = api.node_login("key-a1-A")
    api.app.post_json("/api/task", body(world["A"], [world["a1"]]), headers=node, status=403)


@pytest.mark.parametrize(
    "change, field",
    [
        ({"organizations": []}, "organizations"),
        (
            {"organizations": [{"id": 2, "input": "e30="}, {"id": 2, "input": "e30="}]},
            "more than once",
        ),
        ({"organizations": [{"id": "2", "input": "e30="}]}, "organizations.0.id"),
        ({"organizations": [{"id": 2}]}, "organizations.0.input"),
        ({"organizations": [{"id": 2, "input": "e30=", "x": 1}]}, "organizations.0"),
        ({"organizations": "2"}, "organizations"),
        ({"collaboration_id": 10**30}, "collaboration_id"),
        ({"collaboration_id": -1}, "collaboration_id"),
        ({"collaboration_id": True}, "collaboration_id"),
        ({"image": ""}, "image"),
        ({"study_id": "1"}, "study_id"),
        ({"store_id": 3}, "store_id"),
        ({"server_url": "http://store"}, "server_url"),
        ({"databases": [{"label": "x", "password": "y"}]}, "databases.0"),
        ({"databases": [{"query": "q"}]}, "databases.0.label"),
        ({"databases": [{"label": "x", "arguments": [1]}]}, "databases.0.arguments"),
        ({"owner": 1}, "body"),
        ({"name": "a\u0000b"}, "name"),
    ],
)
def test_bad_bodies_are_400_naming_the_problem(api, world, researcher, change, field):
    sent = {**body(world["A"], [world["a1"]]), **change}
    response = api.app.post_json("/api/task", sent, headers=researcher, status=400)
    assert field in response.json["msg"]
    assert task_count(api) == 0


def test_an_unknown_collaboration_is_a_400(api, researcher, world):
    response = api.app.post_json(
        "/api/task", body(999, [world["a1"]]), headers=researcher, status=400
    )
    assert response.json["msg"] == "Collaboration 999 does not exist"


def test_a_task_body_must_be_a_json_object(api, researcher):
    api.app.post("/api/task", "name=x", headers=researcher, status=415)
    api.app.post_json("/api/task", [1, 2], headers=researcher, status=400)


# -- the task validator hook ----------------------------------------------------------------


class FussyValidator:
    """A task validator plugin with two complaints about every task."""

    def __init__(self):
        self.seen = []

    @hookimpl
    def vantage6_validate_task(self, task_input, collaboration, request):
        self.seen.append((task_input["image"], collaboration.name, request.identity.kind))
        return [f"image {task_input['image']!r} is not approved", "it is after hours"]


class CalmValidator:
    """A validator with no complaints (and fewer arguments than the hook offers)."""

    @hookimpl
    def vantage6_validate_task(self, task_input):
        task_input["image"] = "tampered"  # it gets a copy: what is stored cannot change
        return []


@pytest.fixture
def register(api):
    plugins = api.wsgi.registry["vantage6.plugins"]
    registered = []

    def add(plugin):
        plugins.register(plugin, name=type(plugin).__name__)
        registered.append(plugin)
        return plugin

    yield add
    for plugin in registered:
        plugins.unregister(plugin)


def test_validators_reject_with_every_problem_listed_and_nothing_stored(
    api, world, researcher, register
):
    fussy = register(FussyValidator())
    sent = body(world["A"], [world["a1"], world["a3"]])
    response = api.app.post_json("/api/task", sent, headers=researcher, status=400)
    msg = response.json["msg"]
    assert "have no node" in msg  # our own check ...
    assert (
        "image 'demo/average' is not approved" in msg and "it is after hours" in msg
    )  # ... and theirs
    assert fussy.seen == [("demo/average", "A", "user")]
    assert task_count(api) == 0


def test_a_validator_that_finds_nothing_lets_the_task_through(api, world, researcher, register):
    register(CalmValidator())
    created = api.app.post_json(
        "/api/task", body(world["A"], [world["a1"]]), headers=researcher, status=201
    )
    assert created.json["image"] == "demo/average"


# -- subtasks created by algorithm containers -----------------------------------------------


@pytest.fixture
def parent(api, world, researcher):
    sent = body(world["A"], [world["a1"], world["a2"]])
    return api.app.post_json("/api/task", sent, headers=researcher).json


@pytest.fixture
def container(api, parent):
    return api.container_login(api.node_login("key-a1-A"), parent["id"])


def test_a_container_creates_subtasks_in_its_own_job(api, world, parent, container):
    child = api.app.post_json(
        "/api/task", body(world["A"], [world["a2"]]), headers=container, status=201
    ).json
    assert child["parent"]["id"] == parent["id"]
    assert child["job_id"] == parent["job_id"]
    assert child["init_user"] == parent["init_user"]
    assert child["init_org"]["id"] == world["a1"]  # the organization of the container's node


def test_a_container_cannot_leave_its_collaboration_or_image(api, world, container):
    other = body(world["B"], [world["b1"]], input_=ENCRYPTED)
    response = api.app.post_json("/api/task", other, headers=container, status=403)
    assert "only in its own collaboration" in response.json["msg"]
    foreign_image = {**body(world["A"], [world["a2"]]), "image": "evil/demo/average"}
    response = api.app.post_json("/api/task", foreign_image, headers=container, status=403)
    assert "only of its own image" in response.json["msg"]
    assert task_count(api) == 1


def test_subtasks_are_validated_like_any_task(api, world, container, register):
    register(FussyValidator())
    sent = body(world["A"], [world["a2"]])
    response = api.app.post_json("/api/task", sent, headers=container, status=400)
    assert "it is after hours" in response.json["msg"]


# -- reading --------------------------------------------------------------------------------


def scoped_tasks(api, world, scope):
    """A viewer in a1 with ``scope``, and tasks as seen from a1: the viewer's own, another a1
    user's, a2's in collaboration A, and b1's in collaboration B."""
    headers = api.user("viewer", world["a1"], rules=[("task", scope, V)])
    api.user("someone", world["a1"])
    tasks = {
        "own": api.task(world["A"], [world["a1"]], world["a1"], init_user=api.user_id("viewer")),
        "org": api.task(world["A"], [world["a2"]], world["a1"], init_user=api.user_id("someone")),
        "col": api.task(world["A"], [world["a1"]], world["a2"]),
        "out": api.task(world["B"], [world["b1"]], world["b1"]),
    }
    return headers, tasks


def ids(response) -> list[int]:
    return sorted(item["id"] for item in response.json["data"])


@pytest.mark.parametrize(
    "scope, visible",
    [
        (OWN, ["own"]),
        (ORG, ["own", "org"]),
        (COL, ["own", "org", "col"]),
        (GLO, ["own", "org", "col", "out"]),
    ],
)
def test_list_and_get_agree_with_the_view_scope(api, world, scope, visible):
    headers, arranged = scoped_tasks(api, world, scope)
    assert ids(api.app.get("/api/task", headers=headers)) == sorted(arranged[n] for n in visible)
    for name, task_id in arranged.items():
        status = 200 if name in visible else 403
        api.app.get(f"/api/task/{task_id}", headers=headers, status=status)
        api.app.get(f"/api/task/{task_id}/status", headers=headers, status=status)


def test_nodes_and_containers_see_the_tasks_of_their_collaboration(api, world, parent, container):
    outside = api.task(world["B"], [world["b1"]], world["b1"])
    for headers in (api.node_login("key-a1-A"), container):
        assert ids(api.app.get("/api/task", headers=headers)) == [parent["id"]]
        api.app.get(f"/api/task/{outside}", headers=headers, status=403)


def test_without_a_view_rule_tasks_are_forbidden(api, world):
    headers = api.user("nobody", world["a1"])
    api.app.get("/api/task", headers=headers, status=403)


def test_missing_and_malformed_task_ids_are_404(api, root):
    assert api.app.get("/api/task/999", headers=root, status=404).json == {
        "msg": "Task '999' does not exist"
    }
    for bad in ("abc", "-1", "99999999999999999999999"):
        api.app.get(f"/api/task/{bad}", headers=root, status=404)


def test_include_embeds_runs_and_results(api, root, world):
    task_id = api.task(world["A"], [world["a1"], world["a2"]], world["a1"])
    task = api.app.get(f"/api/task/{task_id}?include=runs,results", headers=root).json
    assert len(task["runs"]) == 2 and "result" not in task["runs"][0]
    assert {"id", "result", "cleanup_at", "blob_storage_used", "run", "task"} == set(
        task["results"][0]
    )
    repeated = api.app.get(f"/api/task/{task_id}?include=runs&include=results", headers=root)
    assert isinstance(repeated.json["results"], list)
    refused = api.app.get(f"/api/task/{task_id}?include=secrets", headers=root, status=400)
    assert "cannot include secrets" in refused.json["msg"]


def set_statuses(api, task_id, *statuses):
    with api.session() as session, session.begin():
        runs = session.scalars(select(Run).filter_by(task_id=task_id).order_by(Run.id))
        for run, status in zip(runs, statuses, strict=True):
            run.status = status


STATUS_CASES = {
    "pending": ("pending", "pending"),
    "active": ("active", "pending"),
    "initializing": ("initializing", "completed"),
    "completed": ("completed", "completed"),
    "crashed": ("crashed", "completed"),
    "failed": ("crashed", "not allowed"),
}


def test_the_status_filter_agrees_with_the_task_status(api, root, world):
    """The original applied LIKE to a Python property (§11.2); here it is computed in SQL."""
    arranged = {}
    for expected, statuses in STATUS_CASES.items():
        arranged[expected] = api.task(world["A"], [world["a1"], world["a2"]], world["a1"])
        set_statuses(api, arranged[expected], *statuses)
    for expected, task_id in arranged.items():
        assert api.app.get(f"/api/task/{task_id}/status", headers=root).json == {"status": expected}
        found = api.app.get(f"/api/task?status={expected}", headers=root)
        assert ids(found) == [task_id], expected


def test_filters(api, root, world):
    top = api.task(world["A"], [world["a1"], world["a2"]], world["a1"])
    child = api.task(world["A"], [world["a2"]], world["a1"], parent=top)
    other = api.task(world["B"], [world["b1"]], world["b1"], image="other/image")
    with api.session() as session, session.begin():
        session.add(TaskDatabase(task_id=other, database="omop"))
        job = session.get(Task, top).job_id
    run_of_child = api.run_id(child, world["a2"])

    def found(query):
        return ids(api.app.get(f"/api/task?{query}", headers=root))

    assert found(f"run_id={run_of_child}") == [child]  # broken in the original (§11.2)
    assert found(f"parent_id={top}") == [child]
    assert found(f"job_id={job}") == [top, child]
    assert found("is_user_created=1") == [top, other]
    assert found("is_user_created=0") == [child]
    assert found(f"init_org_id={world['b1']}") == [other]
    assert found(f"collaboration_id={world['B']}") == [other]
    assert found("image=other%25") == [other]
    assert found("database=omop") == [other]
    assert found("name=' OR 1=1 --") == []


@pytest.mark.parametrize(
    "query, message",
    [
        ("store_id=1", "this server has no algorithm stores"),  # a 500 in the original (§11.2)
        ("study_id=x", "study_id must be a whole number"),
        ("sort=secret", "cannot sort on 'secret'"),
        ("run_id=x", "run_id must be a whole number"),
        ("job_id=99999999999999999999999", "job_id must be a whole number"),
        ("per_page=100000", "per_page may be at most"),
        ("include=task", "cannot include task"),
    ],
)
def test_bad_query_parameters_are_400(api, root, query, message):
    response = api.app.get(f"/api/task?{query}", headers=root, status=400)
    assert message in response.json["msg"]


def test_list_is_newest_first_and_sortable(api, root, world):
    first = api.task(world["A"], [world["a1"]], world["a1"])
    second = api.task(world["A"], [world["a1"]], world["a1"], image="b/image")
    listed = api.app.get("/api/task", headers=root).json["data"]
    assert [task["id"] for task in listed] == [second, first]
    by_image = api.app.get("/api/task?sort=-image", headers=root).json["data"]
    assert [task["id"] for task in by_image] == [first, second]


# -- deleting -------------------------------------------------------------------------------


def test_delete_removes_runs_and_subtasks_at_every_depth(api, root, world):
    top = api.task(world["A"], [world["a1"]], world["a1"])
    child = api.task(world["A"], [world["a1"]], world["a1"], parent=top)
    grandchild = api.task(world["A"], [world["a2"]], world["a1"], parent=child)
    kept = api.task(world["A"], [world["a1"]], world["a1"])
    api.app.delete(f"/api/task/{top}", headers=root)
    for gone in (top, child, grandchild):
        api.app.get(f"/api/task/{gone}", headers=root, status=404)
    with api.session() as session:
        assert set(session.scalars(select(Run.task_id))) == {kept}


def test_delete_by_scope(api, world):
    headers = api.user("deleter", world["a1"], rules=[("task", ORG, D), ("task", GLO, V)])
    mine = api.task(world["A"], [world["a1"]], world["a1"])
    theirs = api.task(world["A"], [world["a1"]], world["a2"])
    api.app.delete(f"/api/task/{theirs}", headers=headers, status=403)
    api.app.delete(f"/api/task/{mine}", headers=headers)
    api.app.get(f"/api/task/{theirs}", headers=headers)


def test_deleting_a_running_task_ends_its_containers_tokens(api, root, parent, container):
    api.app.get("/api/task", headers=container)
    api.app.delete(f"/api/task/{parent['id']}", headers=root)
    response = api.app.get("/api/task", headers=container, status=401)
    assert "no longer exists" in response.json["msg"]


def test_tasks_from_the_shell_without_runs_read_as_completed(api, root, world):
    with api.session() as session, session.begin():
        task = Task(image="x", collaboration_id=world["A"], init_org_id=world["a1"])
        session.add(task)
    shown = api.app.get(f"/api/task/{task.id}", headers=root).json
    assert shown["status"] == TaskStatus.COMPLETED and shown["init_user"] is None
