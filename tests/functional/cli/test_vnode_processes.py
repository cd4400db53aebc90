"""``vnode`` with real processes against a real server: start in the background and in the
foreground, a task run by the started node, list, attach, stop (one, all, forced), and
starts that fail (a refused API key, a server that does not answer)."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.functional.cli.helpers import VNODE
from tests.functional.node.daemons import eventually
from tests.functional.test_serve import free_port
from vantage6.common import background

AVERAGE = "harbor2.vantage6.ai/demo/average"
PARTIAL = {"method": "partial_average", "kwargs": {"column_name": "age"}}


def state(dirs, name: str, kind: str = "node") -> Path:
    """The data folder of a user-level configuration."""
    return Path(dirs["XDG_DATA_HOME"]) / "vantage6" / kind / name


def test_start_a_node_that_runs_a_task_then_list_attach_and_stop_it(
    vnode_process, node_config, node_server, dirs
):
    ids = node_server.collaboration(1)
    key = ids["keys"][0]
    node_config("alpha", key)
    api = f"http://127.0.0.1:{node_server.port}/api"

    started = vnode_process("start", "--name", "alpha")
    assert started.returncode == 0, started.stdout + started.stderr
    assert "Starting node 'alpha' " in started.stdout
    assert "✓ Node 'alpha' is running (pid " in started.stdout
    assert f"of organization {ids['orgs'][0]} in collaboration {ids['collab']} at {api}" in (
        started.stdout
    )
    pid_file = state(dirs, "alpha") / "alpha.pid"
    pid = int(pid_file.read_text())
    assert background.is_alive(pid)

    twice = vnode_process("start", "--name", "alpha")
    assert twice.returncode == 1
    assert f"Error: node 'alpha' is already running (pid {pid})" in twice.stderr
    listed = vnode_process("list").stdout.splitlines()
    assert listed[1].split() == ["alpha", "application", "user", "running", "(pid", f"{pid})", api]

    task = node_server.task(ids, AVERAGE, PARTIAL, databases=[{"label": "default"}])
    node_server.run_reaches(task, "completed", timeout=60)
    assert node_server.results(task) == [{"sum": 80, "count": 2}]

    follower = subprocess.Popen(
        [str(VNODE), "attach", "--name", "alpha", "--lines", "50"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=vnode_process.env,
    )
    first = follower.stdout.readline()  # attach follows the log now (a busy machine is slow)
    stopped = vnode_process("stop", "--name", "alpha")
    assert stopped.returncode == 0, stopped.stderr
    assert f"Stopping node 'alpha' (pid {pid}) stopped" in stopped.stdout
    followed = first + follower.communicate(timeout=30)[0]
    assert follower.returncode == 0
    assert "Ctrl-C stops following, not the node." in followed
    assert "Node stopped" in followed  # the daemon's last line, written after attach began
    assert followed.rstrip().endswith("Node 'alpha' has stopped.")

    log = (state(dirs, "alpha") / "alpha.log").read_text()
    assert key not in log and key not in started.stdout + started.stderr
    assert not pid_file.exists() and not background.is_alive(pid)
    again = vnode_process("stop", "--name", "alpha")
    assert again.returncode == 0 and "Node 'alpha' is not running." in again.stdout
    detached = vnode_process("attach", "--name", "alpha", "--lines", "2")
    assert detached.returncode == 1 and "node 'alpha' is not running" in detached.stderr


def test_an_attached_node_stops_on_ctrl_c_and_stop_all_stops_the_others(
    vnode_process, node_config, node_server, dirs
):
    ids = node_server.collaboration(2)
    node_config("one", ids["keys"][0])
    node_config("two", ids["keys"][1])
    attached = subprocess.Popen(
        [str(VNODE), "start", "--name", "one", "--attach"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=vnode_process.env,
    )
    log = state(dirs, "one") / "one.log"
    eventually(lambda: log.exists() and "vantage6 node ready:" in log.read_text(), 30)
    other = vnode_process("start", "--name", "two")
    assert other.returncode == 0, other.stderr
    running = [line.split()[0] for line in vnode_process("list").stdout.splitlines()[1:]]
    assert running == ["one", "two"]

    attached.send_signal(signal.SIGINT)  # what Ctrl-C sends
    output, _ = attached.communicate(timeout=30)
    assert attached.returncode == 0, output
    assert "✓ Node 'one' is running (pid " in output
    assert "Node stopped" in output  # the node's own log, on the terminal
    assert output.rstrip().endswith("✓ Node 'one' stopped")
    assert "Node stopped" in log.read_text()
    assert not (state(dirs, "one") / "one.pid").exists()

    everything = vnode_process("stop", "--all")
    assert everything.returncode == 0
    assert "Stopping node 'two'" in everything.stdout and "'one'" not in everything.stdout
    assert vnode_process("stop", "--all").stdout.strip() == "No node is running."


def test_the_path_form_runs_in_the_foreground_with_a_pid_file(
    vnode_process, node_config, node_server, tmp_path
):
    ids = node_server.collaboration(1)
    path = node_config("plain", ids["keys"][0])
    moved = tmp_path / "elsewhere.ini"
    moved.write_text(path.read_text().replace("api_key_file = plain.api_key", "api_key_file = k"))
    (tmp_path / "k").write_text(ids["keys"][0])
    process = subprocess.Popen(
        [str(VNODE), "start", str(moved)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=vnode_process.env,
    )
    files = vnode_process("files", "--config", moved).stdout
    log = Path(next(line.split(None, 2)[2] for line in files.splitlines() if line[:3] == "log"))
    eventually(lambda: log.exists() and "vantage6 node ready:" in log.read_text(), 30)
    again = vnode_process("start", "--config", moved)
    assert again.returncode == 1 and "is already running" in again.stderr
    stopped = vnode_process("stop", "--config", moved)
    assert stopped.returncode == 0, stopped.stderr
    output, _ = process.communicate(timeout=30)
    assert process.returncode == 0, output
    assert "✓ Node 'elsewhere' stopped" in output


def test_a_refused_api_key_ends_the_start_with_the_servers_answer(vnode_process, node_config, dirs):
    node_config("refused", "not-the-key-4711")
    result = vnode_process("start", "--name", "refused")
    assert result.returncode == 1
    assert "Error: node 'refused' stopped during start-up (exit code 1)." in result.stderr
    assert "refused this node's API key" in result.stderr  # from the end of its log
    assert "not-the-key-4711" not in result.stdout + result.stderr
    assert not (state(dirs, "refused") / "refused.pid").exists()


def test_a_server_that_does_not_answer_ends_the_start_after_the_timeout(
    vnode_process, node_config, dirs
):
    closed = free_port()
    node_config("lonely", "some-key", "--port", closed)  # the last --port counts
    result = vnode_process("start", "--name", "lonely", "--timeout", "2", timeout=60)
    assert result.returncode == 1
    assert (
        f"Error: node 'lonely' did not log in at http://127.0.0.1:{closed}/api within 2 s; "
        "it was stopped." in result.stderr
    )
    assert "Server not available" in result.stderr  # the node's retries, from its log
    assert vnode_process("list").stdout.splitlines()[1].split()[3] == "stopped"


STUBBORN = (
    "import signal, sys, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); "
    "print('ready', flush=True); time.sleep(120)"
)


@pytest.mark.parametrize("command", ["vnode", "vserver"])
def test_stop_force_kills_what_a_graceful_stop_did_not_end(
    command, vnode_process, vserver_process, node_config, server_config, dirs
):
    """A process that ignores SIGTERM stands in for a hanging node or server: its pid file
    and its command line (holding the configuration's path) are what `stop` looks at."""
    if command == "vnode":
        config, run = node_config("stubborn", "some-key"), vnode_process
        pid_file, label = state(dirs, "stubborn") / "stubborn.pid", "node 'stubborn'"
    else:
        server_config("stubborn")
        config = Path(dirs["XDG_CONFIG_HOME"]) / "vantage6" / "server" / "stubborn.ini"
        run = vserver_process
        pid_file, label = state(dirs, "stubborn", "server") / "stubborn.pid", "server 'stubborn'"
    hanging = subprocess.Popen(
        [sys.executable, "-c", STUBBORN, str(config)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert hanging.stdout.readline() == "ready\n"
        pid_file.parent.mkdir(parents=True, exist_ok=True)
        pid_file.write_text(f"{hanging.pid}\n")

        gentle = run("stop", "--name", "stubborn", "--timeout", "1")
        assert gentle.returncode == 1
        assert f"Stopping {label} (pid {hanging.pid}) still running after 1 s" in gentle.stdout
        assert "still running: 'stubborn'; try again, or use --force" in gentle.stderr
        assert hanging.poll() is None

        forced = run("stop", "--name", "stubborn", "--timeout", "1", "--force")
        assert forced.returncode == 0, forced.stderr
        assert "killed (SIGKILL) after 1 s" in forced.stdout
        assert hanging.wait(timeout=10) == -signal.SIGKILL
        assert not pid_file.exists()
    finally:
        hanging.kill()
        hanging.wait()
