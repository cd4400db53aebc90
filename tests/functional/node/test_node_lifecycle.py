"""The node daemon against a real ``pserve``, running algorithms as local processes (the real
ProcessRuntime): log-in, encryption checks, start → report, policies, kill, resync, restarts
of the node and of the server.

Test algorithms are standard-library modules: image ``test/json`` calls ``json.<method>``
(``loads`` gives a result), ``test/time`` calls ``time.sleep`` (a run that lasts)."""

from __future__ import annotations

import base64
import json
import logging
import os
import shutil
import signal
import subprocess
import time

import pytest

from tests.functional.node.daemons import (
    REPOSITORY,
    RestartableServer,
    Running,
    eventually,
    plain,
    write_ini,
)
from tests.functional.test_serve import BIN
from tests.integration.test_demo_image import unavailable
from vantage6.common.encryption import RSACryptor
from vantage6.node import events
from vantage6.node.config import API_KEY_ENV, load_config
from vantage6.node.daemon import NodeError
from vantage6.node.runtime.process import ALGORITHMS, ProcessRuntime

TEST_ALGORITHMS = {
    **ALGORITHMS,
    "test/json": ("json", None),
    "test/time": ("time", None),
    "test/os": ("os", None),
}
RDS_INPUT = base64.b64encode(b"RDS.X\n\x00\x00\x00\x03\x00\x04\x02\x02").decode()


@pytest.fixture(scope="module")
def server(node_server):
    return node_server


@pytest.fixture
def nodes(tmp_path):
    """``nodes(server, api_key, extra_ini, name=...)``: a daemon with the process runtime."""
    started = []

    def start(server, api_key: str, extra: str = "", name: str = "node") -> Running:
        config = load_config(write_ini(tmp_path / name, server, api_key, extra))
        running = Running(config.path, ProcessRuntime(config, TEST_ALGORITHMS))
        started.append(running)
        return running

    yield start
    for running in started:
        if running.thread.is_alive():
            for run_id in running.runtime.running():  # runs outlive their node
                running.runtime.kill(run_id)
            running.stop()


def fresh(server, encrypted: bool = False) -> dict:
    """A collaboration of root's organization and one other, whose node key is ``key``."""
    ids = server.collaboration(1, encrypted)
    return {**ids, "org": ids["orgs"][0], "key": ids["keys"][0]}


def test_a_task_runs_and_its_result_reaches_the_initiator(server, nodes, caplog):
    caplog.set_level(logging.DEBUG, logger="vantage6")
    ids = fresh(server)
    node = nodes(server, ids["key"]).wait_connected()
    task = server.task(ids, "test/json", {"method": "loads", "args": ['{"answer": 42}']})
    run = server.run_reaches(task, "completed")
    assert run["started_at"] and run["finished_at"]
    assert server.results(task) == [{"answer": 42}]
    assert "calling json.loads" in run["log"]
    eventually(lambda: not (node.config.task_dir / f"run-{run['id']:09d}").exists(), 5)
    assert f"Run {run['id']} reported completed" in caplog.text
    assert ids["key"] not in caplog.text
    assert "eyJ" not in caplog.text  # no token (JWTs start with it)


def test_open_runs_are_found_when_the_node_connects(server, nodes):
    ids = fresh(server)
    task = server.task(ids, "test/json", {"method": "loads", "args": ["[1, 2]"]})
    nodes(server, ids["key"]).wait_connected()
    server.run_reaches(task, "completed")
    assert server.results(task) == [[1, 2]]


def test_refused_crashed_and_unknown_image_runs_say_why(server, nodes):
    ids = fresh(server)
    policy = "[policies]\nallowed_images =\n    test/.*\n    harbor2\\.vantage6\\.ai/demo/average\n"
    nodes(server, ids["key"], policy).wait_connected()
    refused = server.task(ids, "evil/miner", {"method": "x"})
    crashed = server.task(ids, "test/json", {"method": "loads", "args": ["{not json"]})
    unknown = server.task(ids, "test/unknown", {"method": "x"})
    run = server.run_reaches(refused, "not allowed")
    assert "image 'evil/miner' is not allowed at this node" in run["log"]
    assert run["started_at"] is None
    run = server.run_reaches(crashed, "crashed")
    assert "JSONDecodeError" in run["log"] and "exited with code 1" in run["log"]
    run = server.run_reaches(unknown, "non-existing Docker image")
    assert "no package for image test/unknown" in run["log"]


def test_r_serialized_input_runs_only_where_the_nodes_policy_allows_it(server, nodes):
    ids = fresh(server)
    nodes(server, ids["key"], name="default").wait_connected()
    run = server.run_reaches(server.task(ids, "test/json", RDS_INPUT), "not allowed")
    assert "R's serialize format (RDS)" in run["log"] and "CVE-2024-27322" in run["log"]
    assert "allow_rds = true in [policies]" in run["log"] and run["started_at"] is None

    ids = fresh(server)
    nodes(server, ids["key"], "[policies]\nallow_rds = true\n", name="rds").wait_connected()
    run = server.run_reaches(server.task(ids, "test/json", RDS_INPUT), "crashed")
    assert "the input is not JSON" in run["log"]  # handed over: Python cannot read it
    allowed = server.task(ids, "test/os", {"method": "getenv", "args": ["VTG_ALLOW_RDS"]})
    server.run_reaches(allowed, "completed")
    assert server.results(allowed) == ["true"]  # what tells the R wrapper it may read RDS


def test_an_r_algorithm_runs_in_the_process_runtime(server, nodes):
    """``vantage6/coxph`` maps to the R package R/vtg.coxph: installed, with vtg, into the
    node's own R library at its first run, then run by Rscript and vtg's wrapper."""
    if shutil.which("Rscript") is None:
        unavailable("Rscript is not installed (scripts/bootstrap-system installs R)")
    ids = fresh(server)
    data = REPOSITORY / "R" / "vtg.coxph" / "inst" / "extdata" / "coxph-node3.csv"
    node = nodes(server, ids["key"], f"[databases]\ndefault = csv:{data}\n").wait_connected()
    kwargs = {"time_col": "Time", "censor_col": "Censor"}
    input_ = {"method": "get_unique_event_times_and_counts", "kwargs": kwargs}
    task = server.task(ids, "vantage6/coxph", input_, databases=[{"label": "default"}])
    server.run_reaches(task, "completed", timeout=300)  # R CMD INSTALL of both packages first
    (result,) = server.results(task)
    assert result["n_rows"] == len(data.read_text().splitlines()) - 1
    assert (node.config.task_dir / "R-library" / "vtg.coxph" / "DESCRIPTION").exists()


def test_an_initiator_outside_the_allowed_organizations_is_refused(server, nodes):
    ids = fresh(server)
    nodes(server, ids["key"], f"[policies]\nallowed_organizations = {ids['org']}\n")
    task = server.task(ids, "test/json", {"method": "loads", "args": ["1"]})
    run = server.run_reaches(task, "not allowed")
    assert str(ids["root_org"]) in run["log"]


def test_a_subtask_is_judged_by_who_started_its_job(server, nodes):
    """An algorithm at an allowed organization cannot pass work on from one that is not: the
    subtask's job was started by root's organization, which this node does not allow."""
    ids = server.collaboration(2)
    helper, guarded = ids["orgs"]
    parent = server.task(ids, "test/json", {"method": "loads", "args": ["1"]}, [helper])
    node = server.node_token(ids["keys"][0])
    body = {"task_id": parent["id"], "image": "test/json"}
    container = server.ok("POST", "/token/container", body, token=node)["container_token"]
    subtask = {
        "image": "test/json",
        "collaboration_id": ids["collab"],
        "organizations": [{"id": guarded, "input": plain({"method": "loads", "args": ["2"]})}],
    }
    created = server.ok("POST", "/task", subtask, token=container)
    assert created["init_org"]["id"] == helper
    nodes(server, ids["keys"][1], f"[policies]\nallowed_organizations = {helper}\n")
    run = server.run_reaches(created, "not allowed")
    assert f"organization {ids['root_org']} may not run tasks" in run["log"]


def test_a_task_for_a_database_the_node_lacks_fails_clearly(server, nodes):
    ids = fresh(server)
    nodes(server, ids["key"])
    task = server.task(
        ids, "test/json", {"method": "loads", "args": ["1"]}, databases=[{"label": "nope"}]
    )
    run = server.run_reaches(task, "failed")
    assert run["log"] == "This node has no database 'nope' (it has: none)"


def test_killed_runs_stop_and_stay_killed(server, nodes):
    ids = fresh(server)
    node = nodes(server, ids["key"]).wait_connected()
    task = server.task(ids, "test/time", {"method": "sleep", "args": [60]})
    run = server.run_reaches(task, "active")
    assert node.runtime.running() == {run["id"]}
    server.ok("POST", "/kill/task", {"id": task["id"]})
    eventually(lambda: not node.runtime.running(), 10, "the process killed")
    eventually(lambda: not (node.config.task_dir / f"run-{run['id']:09d}").exists(), 5)
    assert server.run_of(task)["status"] == "killed by user"


def test_rejected_api_key_ends_the_node_with_a_clear_message(server, tmp_path):
    path = write_ini(tmp_path, server, "wrong-key-0123")
    env = {**os.environ}
    env.pop(API_KEY_ENV, None)
    done = subprocess.run(
        [str(BIN / "vnode"), "start", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )
    assert done.returncode == 1
    assert "refused this node's API key" in done.stderr
    assert "wrong-key-0123" not in done.stdout + done.stderr


def test_a_bad_config_file_ends_vnode_start_with_every_problem(tmp_path):
    path = tmp_path / "node.ini"
    path.write_text("[node]\ncolour = blue\n[server]\nurl = nope\n")
    done = subprocess.run(
        [str(BIN / "vnode"), "start", str(path)], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 1
    assert str(path) in done.stderr
    assert "[node] colour: unknown key" in done.stderr
    assert "[server] url: must start with http" in done.stderr


@pytest.mark.parametrize("encrypted", [False, True])
def test_an_encryption_mismatch_stops_the_node(server, tmp_path, encrypted):
    ids = fresh(server, encrypted)
    RSACryptor.create_new_rsa_key(tmp_path / "key.pem", key_size=2048)
    setting = "false" if encrypted else "true\nprivate_key = ../key.pem"
    node = Running(
        write_ini(tmp_path / "n", server, ids["key"], f"[encryption]\nenabled = {setting}\n")
    )
    node.thread.join(timeout=30)
    assert isinstance(node.error, NodeError)
    state = "encrypted" if encrypted else "not encrypted"
    assert (
        f"is {state}, but this node has [encryption] enabled = {str(not encrypted).lower()}"
        in str(node.error)
    )


def test_encrypted_collaboration_public_key_upload_and_end_to_end(server, nodes, tmp_path):
    ids = fresh(server, encrypted=True)
    keys = {}
    for name in ("root", "old", "new"):
        RSACryptor.create_new_rsa_key(tmp_path / f"{name}.pem", key_size=2048)
        keys[name] = RSACryptor(tmp_path / f"{name}.pem")
    server.ok(
        "PATCH", f"/organization/{ids['root_org']}", {"public_key": keys["root"].public_key_str}
    )
    organization = f"/organization/{ids['org']}"
    assert server.ok("GET", organization)["public_key"] in (None, "")

    def start(key: str) -> Running:
        extra = f"[encryption]\nenabled = true\nprivate_key = {tmp_path / f'{key}.pem'}\n"
        return nodes(server, ids["key"], extra, name=key).wait_connected()

    start("old").stop()  # none on the server: uploaded
    assert keys["old"].verify_public_key(server.ok("GET", organization)["public_key"])
    start("new")  # another one on the server: replaced
    public_key = server.ok("GET", organization)["public_key"]
    assert keys["new"].verify_public_key(public_key)

    secret = keys["root"].encrypt_bytes_to_str(
        json.dumps({"method": "loads", "args": ['"secret"']}).encode(), public_key
    )
    task = server.task(ids, "test/json", secret)
    run = server.run_reaches(task, "completed")
    result = server.ok("GET", f"/result/{run['id']}")["result"]
    assert keys["root"].decrypt_str_to_bytes(result) == b'"secret"'

    tampered = server.task(
        ids, "test/json", secret[:-8] + ("A" * 8 if secret[-8:] != "A" * 8 else "B" * 8)
    )
    run = server.run_reaches(tampered, "failed")
    assert run["log"].startswith("The node cannot read the input")


def test_a_node_restart_finds_its_running_algorithm_again(server, nodes):
    ids = fresh(server)
    first = nodes(server, ids["key"], name="first").wait_connected()
    lasting = server.task(ids, "test/time", {"method": "sleep", "args": [60]})
    run = server.run_reaches(lasting, "active")
    first.stop()  # the algorithm keeps running, as a container would
    waiting = server.task(ids, "test/json", {"method": "loads", "args": ["3"]})

    second = nodes(server, ids["key"], name="first").wait_connected()
    assert second.node.proxy.port == first.node.proxy.port  # running ones find it again
    server.run_reaches(waiting, "completed")
    assert second.runtime.running() == {run["id"]}  # waited for, not started again
    assert server.run_of(lasting)["started_at"] == run["started_at"]
    server.ok("POST", "/kill/task", {"id": lasting["id"]})
    eventually(lambda: not second.runtime.running(), 10, "the algorithm killed")
    assert server.run_of(lasting)["status"] == "killed by user"


def test_the_node_reconnects_after_a_server_restart_and_reports_what_ended_meanwhile(server, nodes):
    ids = fresh(server)
    node = nodes(server, ids["key"]).wait_connected()
    task = server.task(ids, "test/time", {"method": "sleep", "args": [2]})
    run = server.run_reaches(task, "active")
    server.crash()
    eventually(lambda: not node.runtime.running(), 10, "the run ended while the server is down")
    time.sleep(1)
    server.start()
    done = server.run_reaches(task, "completed", timeout=40)
    assert done["id"] == run["id"]
    node.wait_connected()
    later = server.task(ids, "test/json", {"method": "loads", "args": ["4"]})
    server.run_reaches(later, "completed")


def test_vnode_start_runs_until_sigterm_and_stops_cleanly(server, tmp_path):
    ids = fresh(server)
    path = write_ini(
        tmp_path,
        server,
        "",
        "[loggers]\nkeys = root\n[handlers]\nkeys = file\n"
        "[formatters]\nkeys = plain\n[logger_root]\nlevel = INFO\nhandlers = file\n"
        "[handler_file]\nclass = FileHandler\nargs = ('%(here)s/node.log',)\n"
        "formatter = plain\n[formatter_plain]\nformat = %(message)s\n",
    )
    env = {**os.environ, API_KEY_ENV: ids["key"]}
    process = subprocess.Popen([str(BIN / "vnode"), "start", str(path)], env=env)
    try:
        log = tmp_path / "node.log"
        eventually(lambda: log.exists() and "Resynced" in log.read_text(), 30, "node running")
        task = server.task(ids, "harbor2.vantage6.ai/demo/average", {"method": "nope"})
        server.run_reaches(task, "crashed", 30)  # the process runtime ran the demo package
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=15) == 0
    finally:
        process.kill()
    text = log.read_text()
    assert "Node stopped" in text
    assert ids["key"] not in text


def test_pings_keep_the_socket_open_past_the_servers_heartbeat_timeout(
    tmp_path, database_factory, monkeypatch
):
    settings = {"vantage6.events.heartbeat_timeout_seconds": "2"}
    strict = RestartableServer(tmp_path / "strict", database_factory.new_url(), **settings)
    strict.start()
    try:
        monkeypatch.setattr(events, "PING_SECONDS", 0.5)
        ids = fresh(strict)
        config = load_config(write_ini(tmp_path / "node", strict, ids["key"]))
        node = Running(config.path, ProcessRuntime(config)).wait_connected()
        time.sleep(5)
        assert node.node.events.connected.is_set()
        assert node.node.events.connections == 1
        node.stop()
    finally:
        strict.stop()
