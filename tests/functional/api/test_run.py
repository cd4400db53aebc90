"""``/run`` and ``/result``: reading by scope and filter, and the node's reports (PATCH)."""

import pytest
from sqlalchemy import event

from vantage6.server.models import Run
from vantage6.server.models.rule import Operation, Scope

V = Operation.VIEW
OWN, ORG, COL, GLO = Scope.OWN, Scope.ORGANIZATION, Scope.COLLABORATION, Scope.GLOBAL


@pytest.fixture
def world(api):
    return api.federation()


@pytest.fixture
def task(api, world):
    """A task of a1 in collaboration A, running at a1 and a2."""
    return api.task(world["A"], [world["a1"], world["a2"]], world["a1"])


@pytest.fixture
def run(api, world, task):
    """The run of a1."""
    return api.run_id(task, world["a1"])


@pytest.fixture
def node(api, world):
    """The node of a1 in A: the one that executes ``run``."""
    return api.node_login("key-a1-A")


def stored(api, run_id) -> Run:
    with api.session() as session:
        return session.get(Run, run_id)


def ids(response) -> list[int]:
    return sorted(item["id"] for item in response.json["data"])


# -- the node's reports ---------------------------------------------------------------------


def test_a_node_reports_the_life_of_its_run(api, node, run):
    url = f"/api/run/{run}"
    started = {"status": "active", "started_at": "2026-03-24T10:00:00Z"}
    assert api.app.patch_json(url, started, headers=node).json["status"] == "active"
    api.app.patch_json(url, {"log": "halfway"}, headers=node)
    done = {"status": "completed", "result": "cmVzdWx0", "finished_at": "2026-03-24T11:00:00"}
    reported = api.app.patch_json(url, done, headers=node).json
    assert reported["started_at"] == "2026-03-24T10:00:00+00:00"
    assert reported["finished_at"] == "2026-03-24T11:00:00+00:00"  # no zone: taken as UTC
    assert reported["log"] == "halfway"  # left out, so kept (the original blanked it, §11.2)
    assert "result" not in reported
    assert stored(api, run).result == "cmVzdWx0"


def test_omitted_fields_stay_as_they_were(api, node, run):
    url = f"/api/run/{run}"
    api.app.patch_json(url, {"status": "active", "log": "starting", "result": "x"}, headers=node)
    api.app.patch_json(url, {"status": "active"}, headers=node)
    kept = stored(api, run)
    assert (kept.log, kept.result, kept.status) == ("starting", "x", "active")
    api.app.patch_json(url, {"log": None}, headers=node)
    assert stored(api, run).log is None  # an explicit null does clear


def test_a_finished_status_sets_finished_at(api, node, run):
    api.app.patch_json(f"/api/run/{run}", {"status": "crashed"}, headers=node)
    assert stored(api, run).finished_at is not None


@pytest.mark.parametrize(
    "reporter, status",
    [
        ("key-a1-A", 200),  # the node of the run's organization and collaboration
        ("key-a2-A", 403),  # another organization's node in the same collaboration
        ("key-a2-B", 403),  # a node of another collaboration
    ],
)
def test_only_the_node_executing_a_run_may_report_on_it(api, world, task, reporter, status):
    run = api.run_id(task, world["a1"])
    headers = api.node_login(reporter)
    api.app.patch_json(f"/api/run/{run}", {"status": "active"}, headers=headers, status=status)


def test_users_and_containers_may_not_report(api, root, world, task, run, node):
    api.app.patch_json(f"/api/run/{run}", {"status": "active"}, headers=root, status=403)
    container = api.container_login(node, task)
    api.app.patch_json(f"/api/run/{run}", {"status": "active"}, headers=container, status=403)
    assert stored(api, run).status == "pending"


@pytest.mark.parametrize("final", ["completed", "failed", "killed by user", "crashed"])
def test_a_finished_run_cannot_change(api, node, run, final):
    url = f"/api/run/{run}"
    api.app.patch_json(url, {"status": final}, headers=node)
    for change in ({"status": "active"}, {"log": "more"}, {"status": final, "log": "more"}):
        response = api.app.patch_json(url, change, headers=node, status=409)
        assert "has already finished" in response.json["msg"]
    assert stored(api, run).log is None


def test_a_repeated_report_is_answered_as_the_first_and_writes_nothing(api, node, run):
    """A node that did not hear the answer to its report sends it again."""
    url = f"/api/run/{run}"
    api.app.patch_json(
        url, {"status": "active", "started_at": "2026-03-24T10:00:00Z"}, headers=node
    )
    report = {
        "status": "completed",
        "result": "cmVzdWx0",
        "log": "done",
        "finished_at": "2026-03-24T11:00:00.123456+00:00",
    }
    first = api.app.patch_json(url, report, headers=node).json
    writes = []

    def count_writes(conn, cursor, statement, *args):
        if not statement.lstrip().upper().startswith("SELECT"):
            writes.append(statement)

    event.listen(api.engine, "before_cursor_execute", count_writes)
    try:
        assert api.app.patch_json(url, report, headers=node).json == first
        same_moment = {**report, "finished_at": "2026-03-24T13:00:00.123456+02:00"}
        assert api.app.patch_json(url, same_moment, headers=node).json == first
        started = {"status": "completed", "started_at": "2026-03-24T10:00:00+00:00"}
        assert api.app.patch_json(url, started, headers=node).json == first  # as far as sent
    finally:
        event.remove(api.engine, "before_cursor_execute", count_writes)
    assert [w for w in writes if not w.upper().startswith(("BEGIN", "COMMIT", "ROLLBACK"))] == []
    for other in (
        {**report, "result": "b3RoZXI="},
        {**report, "log": "other"},
        {**report, "finished_at": "2026-03-24T11:00:01Z"},
        {**report, "status": "crashed"},
        {"result": report["result"]},  # no status: not a report of the run's end
    ):
        response = api.app.patch_json(url, other, headers=node, status=409)
        assert "has already finished" in response.json["msg"]
    kept = stored(api, run)
    assert (kept.status, kept.result, kept.log) == ("completed", "cmVzdWx0", "done")


@pytest.mark.parametrize(
    "path, refused",
    [
        (["active"], "initializing"),
        (["active"], "pending"),
        (["initializing"], "pending"),
    ],
)
def test_a_run_only_moves_forward(api, node, run, path, refused):
    url = f"/api/run/{run}"
    for status in path:
        api.app.patch_json(url, {"status": status}, headers=node)
    response = api.app.patch_json(url, {"status": refused}, headers=node, status=400)
    assert f"cannot go from '{path[-1]}' to '{refused}'" in response.json["msg"]


@pytest.mark.parametrize(
    "body, field",
    [
        ({"status": "done"}, "status"),
        ({"status": 3}, "status"),
        ({"started_at": "yesterday"}, "started_at"),
        ({"started_at": "2026-13-01T00:00:00"}, "started_at"),
        ({"finished_at": "0001-01-01T00:00:00+01:00"}, "finished_at"),
        ({"finished_at": None}, "finished_at"),
        ({"result": 5}, "result"),
        ({"organization_id": 3}, "body"),
        ({"finished_at": "2026-03-24T10:00:00Z"}, "finished_at can only be reported"),
    ],
)
def test_bad_reports_are_400_and_change_nothing(api, node, run, body, field):
    response = api.app.patch_json(f"/api/run/{run}", body, headers=node, status=400)
    assert field in response.json["msg"]
    kept = stored(api, run)
    assert (kept.status, kept.started_at, kept.finished_at) == ("pending", None, None)


def test_a_failure_stops_the_runs_that_have_not_started(api, world, node):
    task = api.task(world["A"], [world["a1"], world["a2"]], world["a1"])
    started = api.task(world["A"], [world["a1"], world["a2"]], world["a1"])
    api.app.patch_json(
        f"/api/run/{api.run_id(started, world['a2'])}",
        {"status": "active"},
        headers=api.node_login("key-a2-A"),
    )
    for task_id in (task, started):
        api.app.patch_json(
            f"/api/run/{api.run_id(task_id, world['a1'])}", {"status": "crashed"}, headers=node
        )
    pending_sibling = stored(api, api.run_id(task, world["a2"]))
    assert pending_sibling.status == "failed" and pending_sibling.finished_at is not None
    failed = api.run_id(task, world["a1"])
    assert pending_sibling.log == (
        f"Not started: the task failed, as its run {failed} at organization {world['a1']} "
        "ended 'crashed'"
    )
    assert stored(api, api.run_id(started, world["a2"])).status == "active"


# -- reading runs and results ---------------------------------------------------------------


def test_run_json_has_links_and_the_node_but_never_the_result(api, root, world, task, run):
    with api.session() as session, session.begin():
        session.get(Run, run).result = "c2VjcmV0"
    shown = api.app.get(f"/api/run/{run}", headers=root).json
    assert "result" not in shown
    assert shown["task"] == {"id": task, "link": f"/api/task/{task}", "methods": ["GET", "DELETE"]}
    assert shown["organization"]["id"] == world["a1"]
    assert shown["results"]["link"] == f"/api/result/{run}"
    assert shown["node"]["name"] == f"node {world['a1']}-A"
    assert shown["input"] == "e30=" and shown["status"] == "pending"
    embedded = api.app.get(f"/api/run/{run}?include=task", headers=root).json["task"]
    assert embedded["id"] == task and embedded["image"] == "demo/average"
    api.app.get(f"/api/run/{run}?include=secrets", headers=root, status=400)
    listed = api.app.get("/api/run", headers=root).json["data"]
    assert all("result" not in item for item in listed)


@pytest.mark.parametrize("include", ["", "?include=task"])
def test_a_listed_run_is_the_run_read_alone(api, root, world, task, include):
    """Lists are read as rows (api/run_page.py), a single run through the ORM: same JSON, the
    node (or none: a3 has no node) and the embedded task's derived status included."""
    api.task(world["A"], [world["a1"], world["a3"]], world["a1"])
    with api.session() as session, session.begin():
        session.get(Run, api.run_id(task, world["a2"])).status = "active"
    listed = api.app.get(f"/api/run{include}", headers=root).json["data"]
    assert len(listed) == 4
    for item in listed:
        assert item == api.app.get(f"/api/run/{item['id']}{include}", headers=root).json
    assert {item["node"] is None for item in listed} == {True, False}


def test_results_show_the_result_with_links(api, root, task, run):
    with api.session() as session, session.begin():
        session.get(Run, run).result = "c2VjcmV0"
    result = api.app.get(f"/api/result/{run}", headers=root).json
    assert result == {
        "id": run,
        "result": "c2VjcmV0",
        "cleanup_at": None,
        "blob_storage_used": False,
        "run": {"id": run, "link": f"/api/run/{run}", "methods": ["GET", "PATCH"]},
        "task": {"id": task, "link": f"/api/task/{task}", "methods": ["GET", "DELETE"]},
    }
    listed = api.app.get(f"/api/result?task_id={task}", headers=root).json["data"]
    assert len(listed) == 2 and listed[0].keys() == result.keys()


def test_runs_and_results_say_no_blob_storage_was_used(api, root, node, task, run):
    """The original node's proxy reads ``blob_storage_used`` of every result (a KeyError
    without it) and its client that of every run; ``ports`` is the original's too."""
    shown = api.app.get(f"/api/run/{run}", headers=root).json
    assert (shown["blob_storage_used"], shown["cleanup_at"], shown["ports"]) == (False, None, [])
    for item in api.app.get(f"/api/run?task_id={task}", headers=node).json["data"]:
        assert (item["blob_storage_used"], item["ports"]) == (False, [])
    for item in api.app.get(f"/api/result?task_id={task}", headers=node).json["data"]:
        assert (item["blob_storage_used"], item["cleanup_at"]) == (False, None)


def test_filters(api, root, world, task, run, node):
    other = api.task(world["B"], [world["a2"], world["b1"]], world["b1"])
    api.app.patch_json(f"/api/run/{run}", {"status": "completed"}, headers=node)

    def found(query):
        return ids(api.app.get(f"/api/run?{query}", headers=root))

    a2_in_a = api.run_id(task, world["a2"])
    a2_in_b, b1_in_b = api.run_id(other, world["a2"]), api.run_id(other, world["b1"])
    assert found(f"task_id={task}") == [run, a2_in_a]
    assert found(f"organization_id={world['a2']}") == [a2_in_a, a2_in_b]
    assert found(f"collaboration_id={world['B']}") == [a2_in_b, b1_in_b]
    assert found(f"node_id={api.node_id(world['a2'], world['B'])}") == [a2_in_b]
    assert found("state=open") == [a2_in_a, a2_in_b, b1_in_b]
    assert found("status=completed") == [run]
    assert found("finished_from=2000-01-01") == [run]
    assert found("finished_till=2000-01-01") == []
    assert found("node_id=999") == []
    assert found(f"task_id={task}&organization_id={world['b1']}") == []


@pytest.mark.parametrize(
    "query, message",
    [
        ("state=closed", "state can only be 'open'"),
        ("task_id=abc", "task_id must be a whole number"),
        ("node_id=-1", "node_id must be a whole number"),
        ("started_from=soon", "started_from must be an ISO 8601 date"),
        ("sort=result", "cannot sort on 'result'"),
        ("port=8888", "cannot filter on port"),  # a 500 in the original (§11.2)
    ],
)
@pytest.mark.parametrize("path", ["/api/run", "/api/result"])
def test_bad_query_parameters_are_400(api, root, path, query, message):
    response = api.app.get(f"{path}?{query}", headers=root, status=400)
    assert message in response.json["msg"]


def scoped_runs(api, world, scope):
    """A viewer in a1 with ``scope``, and runs as seen from a1."""
    headers = api.user("viewer", world["a1"], rules=[("run", scope, V)])
    own_task = api.task(world["A"], [world["a2"]], world["a2"], init_user=api.user_id("viewer"))
    asked_by_a1 = api.task(world["A"], [world["a2"]], world["a1"])
    done_at_a1 = api.task(world["A"], [world["a1"]], world["a2"])
    in_a = api.task(world["A"], [world["a2"]], world["a2"])
    in_b = api.task(world["B"], [world["b1"]], world["b1"])
    runs = {
        "own": api.run_id(own_task, world["a2"]),
        "asked": api.run_id(asked_by_a1, world["a2"]),
        "done": api.run_id(done_at_a1, world["a1"]),
        "col": api.run_id(in_a, world["a2"]),
        "out": api.run_id(in_b, world["b1"]),
    }
    return headers, runs


@pytest.mark.parametrize(
    "scope, visible",
    [
        (OWN, ["own"]),
        (ORG, ["asked", "done"]),
        (COL, ["own", "asked", "done", "col"]),
        (GLO, ["own", "asked", "done", "col", "out"]),
    ],
)
def test_list_and_get_agree_with_the_view_scope(api, world, scope, visible):
    headers, arranged = scoped_runs(api, world, scope)
    expected = sorted(arranged[name] for name in visible)
    assert ids(api.app.get("/api/run", headers=headers)) == expected
    assert ids(api.app.get("/api/result", headers=headers)) == expected
    for name, run_id in arranged.items():
        status = 200 if name in visible else 403
        api.app.get(f"/api/run/{run_id}", headers=headers, status=status)
        api.app.get(f"/api/result/{run_id}", headers=headers, status=status)


def test_nodes_see_the_runs_of_their_collaboration(api, world, task):
    outside = api.task(world["B"], [world["b1"]], world["b1"])
    headers = api.node_login("key-a2-A")
    assert len(api.app.get("/api/run", headers=headers).json["data"]) == 2
    api.app.get(f"/api/run/{api.run_id(outside, world['b1'])}", headers=headers, status=403)


def test_missing_runs_are_404(api, root):
    api.app.get("/api/run/999", headers=root, status=404)
    api.app.get("/api/result/999", headers=root, status=404)
    api.app.patch_json("/api/run/abc", {"status": "active"}, headers=root, status=404)
