"""A real server app with the audit log on: what gets logged, by whom, and what never does."""

from __future__ import annotations

import base64
import json

import pytest
from pyramid.exceptions import ConfigurationError
from vantage6_audit_log.chain import verify


def audited(path, **settings) -> dict:
    return {
        "vantage6.plugins": "audit_log",
        "vantage6_audit_log.path": str(path),
        **{f"vantage6_audit_log.{key}": value for key, value in settings.items()},
    }


def entries(path) -> list[dict]:
    assert verify(path).problem is None
    return [json.loads(line) for line in path.read_text().splitlines()]


def summary(path) -> list[tuple]:
    return [(entry["who"], entry["kind"], entry["what"]) for entry in entries(path)]


def task_body(collaboration_id, organizations) -> dict:
    return {
        "name": "avg",
        "image": "demo/average",
        "collaboration_id": collaboration_id,
        "organizations": [
            {"id": id_, "input": base64.b64encode(b'{"method": "x"}').decode()}
            for id_ in organizations
        ],
    }


@pytest.fixture
def log_path(tmp_path):
    return tmp_path / "audit.jsonl"


def test_a_task_its_run_reports_and_its_kill_are_logged_with_who_did_them(make_api, log_path):
    api = make_api(**audited(log_path))
    world = api.federation()
    researcher = api.user("researcher", world["a1"], roles=["Researcher"])
    user = f"user:{api.user_id('researcher')}"
    task = api.app.post_json(
        "/api/task", task_body(world["A"], [world["a1"], world["a2"]]), headers=researcher
    ).json
    run = api.run_id(task["id"], world["a1"])
    node = api.node_login("key-a1-A")
    api.app.patch_json(f"/api/run/{run}", {"status": "active"}, headers=node)
    api.app.post_json("/api/kill/task", {"id": task["id"]}, headers=researcher)

    node_who = f"node:{api.node_id(world['a1'], world['A'])}"
    assert summary(log_path) == [
        (user, "write", "POST /api/task"),
        (user, "event", "new_task"),
        (node_who, "write", f"PATCH /api/run/{run}"),
        (node_who, "event", "status_update"),
        (node_who, "event", "algorithm_status_change"),
        (user, "write", "POST /api/kill/task"),
        (user, "event", "kill_containers"),
    ]
    logged = entries(log_path)
    assert logged[0]["object"] == {"status": 201, "id": task["id"]}
    assert logged[1]["object"] == {
        "collaboration_id": world["A"],
        "id": task["id"],
        "parent_id": None,
    }
    assert logged[4]["object"]["status"] == "active"
    assert {item["run_id"] for item in logged[6]["object"]["kill_list"]} == {
        run,
        api.run_id(task["id"], world["a2"]),
    }
    assert [entry["seq"] for entry in logged] == list(range(1, 8))


def test_user_role_and_organization_changes_are_logged(make_api, log_path):
    api = make_api(**audited(log_path))
    root = api.login("root", "root")
    organization = api.app.post_json("/api/organization", {"name": "Hospital"}, headers=root).json
    user = api.app.post_json(
        "/api/user",
        {
            "username": "ann",
            "email": "ann@example.org",
            "password": "Secret-Password-1",
            "organization_id": organization["id"],
        },
        headers=root,
    ).json
    api.app.patch_json(f"/api/user/{user['id']}", {"firstname": "Ann"}, headers=root)
    role = api.app.post_json("/api/role", {"name": "readers"}, headers=root).json
    api.app.delete(f"/api/role/{role['id']}", headers=root)
    root_id = f"user:{api.user_id('root')}"
    assert summary(log_path) == [
        (root_id, "write", "POST /api/organization"),
        (root_id, "write", "POST /api/user"),
        (root_id, "write", f"PATCH /api/user/{user['id']}"),
        (root_id, "write", "POST /api/role"),
        (root_id, "write", f"DELETE /api/role/{role['id']}"),
    ]
    assert entries(log_path)[1]["object"] == {"status": 201, "id": user["id"]}
    assert "Secret-Password-1" not in log_path.read_text()  # bodies are never logged


def test_logins_refusals_and_rolled_back_writes_are_not_logged(make_api, log_path):
    api = make_api(**audited(log_path))
    world = api.federation()
    researcher = api.user("researcher", world["a1"], roles=["Researcher"])  # a login
    api.app.post_json("/api/token/user", {"username": "root", "password": "x"}, status=401)
    api.app.post_json(
        "/api/task", task_body(world["A"], [world["a3"]]), headers=researcher, status=400
    )  # a3 has no node
    api.app.post_json("/api/organization", {"name": "x"}, headers=researcher, status=403)
    api.app.get("/api/task", headers=researcher)
    assert not log_path.exists() or log_path.read_text() == ""


def test_with_writes_off_only_events_are_logged(make_api, log_path):
    api = make_api(**audited(log_path, writes="false"))
    world = api.federation()
    researcher = api.user("researcher", world["a1"], roles=["Researcher"])
    api.app.post_json("/api/task", task_body(world["A"], [world["a1"]]), headers=researcher)
    assert [kind for _, kind, _ in summary(log_path)] == ["event"]


def test_a_restarted_server_continues_the_chain(make_api, log_path):
    for _ in range(2):
        api = make_api(**audited(log_path))
        root = api.login("root", "root")
        api.app.post_json(
            "/api/organization", {"name": f"org{len(entries(log_path))}"}, headers=root
        )
    assert [entry["seq"] for entry in entries(log_path)] == [1, 2]


@pytest.mark.parametrize(
    "settings, problem",
    [
        ({"path": ""}, "vantage6_audit_log.path is required"),
        ({"path": "/nonexistent/folder/audit.jsonl"}, "vantage6_audit_log.path cannot be"),
        ({"writes": "sometimes"}, "vantage6_audit_log.writes must be true or false"),
        ({"file": "x"}, "vantage6_audit_log.file is not a setting"),
    ],
)
def test_a_bad_setting_stops_the_server(make_api, log_path, settings, problem):
    with pytest.raises(ConfigurationError) as raised:
        make_api(
            **{**audited(log_path), **{f"vantage6_audit_log.{k}": v for k, v in settings.items()}}
        )
    assert problem in str(raised.value)


def test_a_log_with_a_broken_last_line_stops_the_server(make_api, log_path):
    log_path.write_text('{"seq": 1, "hash": "ab"')  # cut off mid-write
    with pytest.raises(ConfigurationError, match="ends with an incomplete line"):
        make_api(**audited(log_path))
