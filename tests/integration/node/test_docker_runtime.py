"""The Docker runtime against the real engine: runs of the demo image end as they should and
are reported from the engine's events; containers are confined (no internet, only their own
run folder, no privileges); a restarted node finds its runs again; nothing is left behind."""

from __future__ import annotations

import json
import queue
import stat
from dataclasses import replace

import docker
import pytest

from tests.integration.node.support import (
    AGES,
    IMAGE,
    central,
    eventually,
    gateway,
    partial,
    spec,
    token,
)
from vantage6.algorithm import env
from vantage6.common.task_status import TaskStatus
from vantage6.node.runtime import StartFailed

V6_POOL = docker.types.IPAMConfig(
    pool_configs=[docker.types.IPAMPool(subnet="fd00:76:36::/64", gateway="fd00:76:36::1")]
)


def watched(runtime) -> queue.Queue:
    outcomes = queue.Queue()
    runtime.watch(outcomes.put)
    return outcomes


def container_env(container) -> dict[str, str]:
    pairs = (item.split("=", 1) for item in container.attrs["Config"]["Env"])
    return {name: env.decode(value) for name, value in pairs}


def test_a_partial_average_completes_with_its_output(runtime, engine):
    outcomes = watched(runtime)
    runtime.start(partial(1))
    outcome = outcomes.get(timeout=60)
    assert (outcome.run_id, outcome.status) == (1, TaskStatus.COMPLETED), outcome.log
    assert json.loads(outcome.output) == {"sum": sum(AGES), "count": len(AGES)}
    assert "calling v6_average.partial_average" in outcome.log
    assert runtime.running() == set()


def test_the_container_is_confined_and_described_as_the_contract_says(runtime, engine, proxy):
    runtime.start(partial(2, job_id=7))
    container = engine.containers.get(f"vantage6-{runtime.name}-run-2")
    host = container.attrs["HostConfig"]
    assert host["NetworkMode"] == runtime.networks.name(2) == f"vantage6-{runtime.name}-run-2-net"
    network = engine.networks.get(runtime.networks.name(2))
    assert network.attrs["Internal"] is True and network.attrs["EnableIPv6"] is False
    assert host["CapDrop"] == ["ALL"] and host["SecurityOpt"] == ["no-new-privileges"]
    assert not host["Privileged"]
    assert (host["NanoCpus"], host["Memory"], host["PidsLimit"]) == (10**9, 256 * 2**20, 128)
    assert container.labels == {
        "vantage6-type": "algorithm",
        "vantage6-node": runtime.name,
        "vantage6-run": "2",
        "vantage6-job": "7",
        "vantage6-task": "1",
    }
    mounts = {m["Destination"]: m for m in container.attrs["Mounts"]}
    folder = runtime.task_dir / "run-000000002"
    assert set(mounts) == {"/mnt/run", "/mnt/tmp", "/mnt/data/default.csv"}
    assert (mounts["/mnt/run"]["Source"], mounts["/mnt/run"]["RW"]) == (str(folder), True)
    assert mounts["/mnt/data/default.csv"]["RW"] is False
    assert mounts["/mnt/tmp"]["Name"] == f"vantage6-{runtime.name}-job-7-tmp"
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    variables = container_env(container)
    assert {k: variables[k] for k in ("HOST", "PORT", "API_PATH", "TEMPORARY_FOLDER")} == {
        "HOST": f"http://{gateway(runtime, 2)}",  # not algorithm_env's HOST
        "PORT": str(proxy.port),
        "API_PATH": "",
        "TEMPORARY_FOLDER": "/mnt/tmp",
    }
    assert variables["INPUT_FILE"] == "/mnt/run/input"
    assert variables["DEFAULT_DATABASE_URI"] == "/mnt/data/default.csv"
    assert variables["USER_REQUESTED_DATABASE_LABELS"] == "default"
    assert variables["player"] == "Alice"


def test_an_algorithm_error_crashes_the_run_with_the_real_error_in_its_log(runtime):
    outcomes = watched(runtime)
    runtime.start(spec(3, "no_such_method"))
    outcome = outcomes.get(timeout=60)
    assert outcome.status is TaskStatus.CRASHED
    assert "algorithm package 'v6_average' has no function 'no_such_method'" in outcome.log
    assert outcome.log.endswith("[the algorithm exited with code 1]")
    assert outcome.output == b""


def test_an_image_the_node_does_not_have_is_a_non_existing_image(runtime, engine):
    with pytest.raises(StartFailed) as failed:
        runtime.start(spec(4, "x", image="vantage6/no-such-image:1.0"))
    assert failed.value.status is TaskStatus.NO_DOCKER_IMAGE
    assert "vantage6/no-such-image:1.0 is not on this node" in failed.value.log
    assert list(runtime.task_dir.iterdir()) == []
    assert engine.containers.list(all=True, filters={"name": runtime.name}) == []


def test_with_docker_content_trust_an_unsigned_image_does_not_run(
    make_runtime, proxy, engine, monkeypatch
):
    """The documentation's advice to node owners: DOCKER_CONTENT_TRUST set, only signed
    images run. The demo image, built here, has no signature anywhere."""
    monkeypatch.setenv("DOCKER_CONTENT_TRUST", "1")
    runtime = make_runtime()
    runtime.prepare(proxy)
    with pytest.raises(StartFailed) as failed:
        runtime.start(partial(5))
    assert failed.value.status is TaskStatus.NOT_ALLOWED
    assert f"no signature of {IMAGE}" in failed.value.log
    assert "DOCKER_CONTENT_TRUST is set on this node, so only signed images run" in failed.value.log
    assert engine.containers.list(all=True, filters={"name": runtime.name}) == []


def test_an_image_that_cannot_be_pulled_fails_with_the_engines_reason(
    make_runtime, node_config, proxy
):
    runtime = make_runtime(replace(node_config, pull="missing"))
    runtime.prepare(proxy)
    with pytest.raises(StartFailed) as failed:
        runtime.start(spec(5, "x", image="localhost:1/nobody/nothing:1.0"))
    assert failed.value.status is TaskStatus.NO_DOCKER_IMAGE
    assert failed.value.log.startswith("image localhost:1/nobody/nothing:1.0 could not be pulled:")
    assert "connection refused" in failed.value.log.lower()


def test_a_container_the_engine_refuses_fails_to_start_with_the_engines_reason(
    make_runtime, node_config, engine, proxy
):
    runtime = make_runtime(replace(node_config, limits=replace(node_config.limits, memory="1m")))
    runtime.prepare(proxy)
    with pytest.raises(StartFailed) as failed:
        runtime.start(partial(7))
    assert failed.value.status is TaskStatus.START_FAILED
    assert failed.value.log.startswith(f"the container of {IMAGE} did not start: ")
    assert "Minimum memory limit allowed is 6MB" in failed.value.log
    assert list(runtime.task_dir.iterdir()) == []
    assert engine.containers.list(all=True, filters={"name": runtime.name}) == []
    assert engine.volumes.list(filters={"label": f"vantage6-node={runtime.name}"}) == []
    assert engine.networks.list(filters={"label": f"vantage6-node={runtime.name}"}) == []
    assert proxy.hosts == set()  # nothing left to serve


def test_a_task_requesting_a_bad_database_label_fails_before_anything_is_made(runtime):
    bad = replace(spec(6, "partial_average"), databases=[{"label": "x=1 PKG_NAME"}])
    with pytest.raises(StartFailed) as failed:
        runtime.start(bad)
    assert failed.value.status is TaskStatus.FAILED
    assert "is not a valid label" in failed.value.log
    assert list(runtime.task_dir.iterdir()) == []


def test_a_killed_run_is_reported_killed(runtime, proxy):
    outcomes = watched(runtime)
    runtime.start(central(10))
    eventually(lambda: proxy.waited_on(token(10)), what="the run polling the proxy")
    assert runtime.running() == {10}
    assert runtime.kill(10) is True
    outcome = outcomes.get(timeout=30)
    assert (outcome.run_id, outcome.status) == (10, TaskStatus.KILLED)
    assert runtime.running() == set()
    assert runtime.kill(10) is False


def test_the_container_reaches_the_proxy_and_nothing_else(runtime, engine, proxy):
    runtime.start(central(11))
    eventually(lambda: proxy.waited_on(token(11)), what="the run polling the proxy")
    container = engine.containers.get(f"vantage6-{runtime.name}-run-11")
    probe = (
        "import socket, sys\n"
        "try:\n"
        "    socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=1.5)\n"
        "except OSError as e:\n"
        "    sys.exit(f'unreachable: {e}')\n"
    )
    reach = container.exec_run(["python3", "-c", probe, gateway(runtime, 11), str(proxy.port)])
    assert reach.exit_code == 0, reach.output
    internet = container.exec_run(["python3", "-c", probe, "1.1.1.1", "443"])
    assert internet.exit_code == 1 and b"unreachable" in internet.output


def test_a_run_cannot_read_another_runs_files(runtime, engine, proxy):
    """The original mounted every run's folder into every container (a FIXME in its code)."""
    runtime.start(central(12, job_id=1))
    runtime.start(central(13, job_id=2))
    eventually(lambda: proxy.waited_on(token(13)), what="the second run polling the proxy")
    container = engine.containers.get(f"vantage6-{runtime.name}-run-12")

    def grep(text: str):
        return container.exec_run(["grep", "-r", "-l", "-F", text, "/mnt", "/tmp"])

    own = grep(token(12))
    assert (own.exit_code, own.output.decode().split()) == (0, ["/mnt/run/token"])
    assert grep(token(13)).exit_code == 1  # found nowhere
    assert container.exec_run(["ls", str(runtime.task_dir)]).exit_code != 0
    whoami = container.exec_run(["id", "-u"]).output.decode().strip()
    assert whoami == str(runtime.task_dir.stat().st_uid)


def test_a_restarted_node_finds_its_running_and_ended_runs(make_runtime, engine, proxy, runtime):
    first = runtime  # the node before its restart; it never watched
    first.start(central(20))
    first.start(central(21))
    first.start(partial(22))
    eventually(lambda: proxy.waited_on(token(21)), what="run 21 polling the proxy")
    assert first.kill(21) is True
    first.close()
    eventually(lambda: engine.containers.get(f"vantage6-{first.name}-run-22").status == "exited")
    eventually(lambda: engine.containers.get(f"vantage6-{first.name}-run-21").status == "exited")

    proxy.stop()  # the node process ended, and its proxy with it
    second = make_runtime()
    second.prepare(proxy)
    assert proxy.hosts == {gateway(second, 20)}  # served again for the run still going
    for ended in (21, 22):  # their networks went; their containers stay to be reported
        with pytest.raises(docker.errors.NotFound):
            engine.networks.get(second.networks.name(ended))
    assert second.running() == {20}
    ended = {outcome.run_id: outcome for outcome in second.exited()}
    assert {run_id: o.status for run_id, o in ended.items()} == {
        21: TaskStatus.KILLED,  # killed before the restart: not re-run, not "crashed"
        22: TaskStatus.COMPLETED,
    }
    assert json.loads(ended[22].output) == {"sum": sum(AGES), "count": len(AGES)}
    assert second.exited() == []  # each outcome is handed out once

    eventually(lambda: proxy.waited_on(token(20)), what="run 20 reaching the proxy again")
    outcomes = watched(second)
    assert second.kill(20) is True
    assert outcomes.get(timeout=30).run_id == 20
    assert outcomes.empty()


def test_ends_missed_while_the_event_stream_was_down_are_still_reported(
    runtime, engine, monkeypatch
):
    outcomes = watched(runtime)
    eventually(lambda: runtime._stream is not None, what="the watcher connecting")
    follow = runtime.client.events
    engine_down = True

    def events(**kwargs):
        if engine_down:
            raise docker.errors.DockerException("the engine is not answering")
        return follow(**kwargs)

    monkeypatch.setattr(runtime.client, "events", events)
    runtime._stream.close()  # the stream breaks ...
    runtime.start(partial(30))
    eventually(lambda: engine.containers.get(f"vantage6-{runtime.name}-run-30").status == "exited")
    assert outcomes.empty()  # ... so nobody heard the container end
    engine_down = False
    outcome = outcomes.get(timeout=30)
    assert (outcome.run_id, outcome.status) == (30, TaskStatus.COMPLETED)


def test_discard_removes_the_container_folder_and_the_last_runs_job_volume(runtime, engine):
    outcomes = watched(runtime)
    runtime.start(partial(40, job_id=5))
    runtime.start(partial(41, job_id=5))
    outcomes.get(timeout=60), outcomes.get(timeout=60)
    volume = f"vantage6-{runtime.name}-job-5-tmp"
    runtime.discard(40)
    with pytest.raises(docker.errors.NotFound):
        engine.containers.get(f"vantage6-{runtime.name}-run-40")
    assert engine.volumes.get(volume)  # run 41 of the job is still there
    assert {p.name for p in runtime.task_dir.iterdir()} == {"run-000000041", "job-5-tmp"}
    runtime.discard(41)
    with pytest.raises(docker.errors.NotFound):
        engine.volumes.get(volume)
    assert list(runtime.task_dir.iterdir()) == []
    runtime.discard(41)  # nothing left: no error


def test_a_network_of_the_runs_name_that_is_foreign_open_or_ipv6_is_refused(runtime, engine):
    """A run does not start on a network someone else made, or that has internet or IPv6
    (which the host firewall does not cover); the node removes none it did not make."""
    ours = runtime._labels("network", run=50)
    for options, problem in (
        ({"internal": True}, "exists but was not made by this node"),
        ({"labels": ours}, "is not internal, so algorithms would reach the internet"),
        ({"labels": ours, "internal": True, "enable_ipv6": True, "ipam": V6_POOL}, "has IPv6"),
    ):
        name = runtime.networks.name(50)
        network = engine.networks.create(name, driver="bridge", **options)
        try:
            with pytest.raises(StartFailed) as failed:
                runtime.start(partial(50))
            assert failed.value.status is TaskStatus.START_FAILED
            assert f"Docker network {name} {problem}" in failed.value.log
            assert engine.containers.list(all=True, filters={"name": runtime.name}) == []
        finally:
            try:
                network.remove()
            except docker.errors.NotFound:
                assert options.get("labels") == ours  # the node's own refused one: removed
