"""``vserver`` with real processes: start, stop, list, version, attach, import into a running
server whose API then accepts the imported users and nodes, shell, and failed starts."""

from __future__ import annotations

import json
import os
import signal
import socket
import stat
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.functional.cli.helpers import SEED_IMPORT, VSERVER
from tests.functional.test_serve import free_port
from tests.functional.ws_server import Server


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except (urllib.error.URLError, ConnectionError):
        return False


def wait_until(condition, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail("timed out")
        time.sleep(0.2)


def pid_file(dirs, stem: str, name: str = "demo") -> Path:
    return Path(dirs["XDG_DATA_HOME"]) / "vantage6" / "server" / name / f"{stem}.pid"


def test_start_import_use_attach_and_stop_a_server(vserver_process, server_config, dirs):
    name, port = server_config("demo")
    api = f"http://127.0.0.1:{port}/api"

    started = vserver_process("start", "--name", name)
    assert started.returncode == 0, started.stdout + started.stderr
    assert f"✓ Server 'demo' is running at {api} (pid " in started.stdout
    assert answers(f"{api}/health")
    pid = int(pid_file(dirs, "demo").read_text())

    twice = vserver_process("start", "--name", name)
    assert twice.returncode == 1
    assert f"Error: server 'demo' is already running (pid {pid}) at {api}" in twice.stderr

    listed = vserver_process("list").stdout.splitlines()
    assert listed[1].split()[:6] == ["demo", "application", "user", "running", "(pid", f"{pid})"]
    version = vserver_process("version").stdout
    assert f"server 'demo': 4.14.0 at {api}" in version

    imported = vserver_process("import", "--name", name, SEED_IMPORT)
    assert imported.returncode == 0, imported.stderr
    server = Server(port)
    status, token = server.call(
        "POST", "/token/user", {"username": "admin", "password": "password"}
    )
    assert status == 200, token
    status, me = server.call("GET", "/user?username=admin", token=token["access_token"])
    org_id = me["data"][0]["organization"]["id"]
    status, org = server.call("GET", f"/organization/{org_id}", token=token["access_token"])
    assert (status, org["name"]) == (200, "IKNL")  # a Researcher sees their organization
    key = {"api_key": "123e4567-e89b-12d3-a456-426614174005"}
    status, node = server.call("POST", "/token/node", key)
    assert status == 200, node

    follower = subprocess.Popen(
        [str(VSERVER), "attach", "--name", name, "--lines", "5"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=vserver_process.env,
    )
    time.sleep(1.5)  # it shows the last lines, then follows
    stopped = vserver_process("stop", "--name", name)
    assert stopped.returncode == 0
    assert f"Stopping server 'demo' (pid {pid}) stopped" in stopped.stdout
    followed, _ = follower.communicate(timeout=30)
    assert follower.returncode == 0
    assert "Ctrl-C stops following, not the server." in followed
    assert "Shutting down: closing websockets" in followed  # written after it attached
    assert followed.rstrip().endswith("Server 'demo' has stopped.")

    assert not answers(f"{api}/health")
    assert not pid_file(dirs, "demo").exists()
    again = vserver_process("stop", "--name", name)
    assert again.returncode == 0 and "Server 'demo' is not running." in again.stdout
    detached = vserver_process("attach", "--name", name, "--lines", "2")
    assert detached.returncode == 1 and "server 'demo' is not running" in detached.stderr


def test_attached_server_stops_on_ctrl_c_and_stop_all_stops_every_server(
    vserver_process, server_config, dirs
):
    name, port = server_config("demo")
    test_port = free_port()
    added = vserver_process(
        "new", "--name", name, "--user", "--no-input", "-e", "test", "--ip", "127.0.0.1",
        "--port", test_port,
    )  # fmt: skip
    assert added.returncode == 0, added.stderr

    attached = subprocess.Popen(
        [str(VSERVER), "start", "--name", name, "--attach"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=vserver_process.env,
    )
    wait_until(lambda: answers(f"http://127.0.0.1:{port}/api/health"))
    background = vserver_process("start", "--name", name, "-e", "test")
    assert background.returncode == 0, background.stderr
    assert "(test) is running at" in background.stdout

    attached.send_signal(signal.SIGINT)  # what Ctrl-C sends
    output, _ = attached.communicate(timeout=30)
    assert attached.returncode == 0, output
    assert "Serving on http://127.0.0.1" in output  # the server's log, on the terminal
    assert "Shutting down" in output and "✓ Server 'demo' stopped" in output
    assert "Serving on" in pid_file(dirs, "demo").with_suffix(".log").read_text()
    assert not pid_file(dirs, "demo").exists()

    everything = vserver_process("stop", "--all")
    assert everything.returncode == 0
    assert "Stopping server 'demo' (test)" in everything.stdout
    assert not answers(f"http://127.0.0.1:{test_port}/api/health")
    assert vserver_process("stop", "--all").stdout.strip() == "No server is running."


def test_a_server_that_fails_to_start_shows_the_end_of_its_log(
    vserver_process, server_config, dirs
):
    name, _ = server_config("broken")
    config = Path(dirs["XDG_CONFIG_HOME"]) / "vantage6" / "server" / "broken.ini"
    config.write_text(config.read_text().replace("max_connections = 10000", "max_conections = 1"))
    result = vserver_process("start", "--name", name)
    assert result.returncode == 1
    assert "Error: server 'broken' stopped during start-up (exit code" in result.stderr
    assert "The end of its log" in result.stderr and "max_conections" in result.stderr
    assert not pid_file(dirs, "broken", "broken").exists()


def test_a_port_in_use_is_refused_before_anything_starts(vserver_process, server_config):
    name, port = server_config("busy")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", port))
        taken.listen()
        result = vserver_process("start", "--name", name)
    assert result.returncode == 1
    assert f"cannot listen on 127.0.0.1:{port} (listen in [server:main] of " in result.stderr
    assert "it is in use" in result.stderr


def test_production_without_auto_migration_says_how_to_migrate(vserver_process, server_config):
    name, port = server_config("prod", "--profile", "production", "--no-auto-migrate")
    refused = vserver_process("start", "--name", name)
    assert refused.returncode == 1
    assert "vserver db upgrade --name prod --user" in refused.stderr
    assert vserver_process("db", "upgrade", "--name", name).returncode == 0
    started = vserver_process("start", "--name", name)
    assert started.returncode == 0, started.stderr
    # The first root password goes to a 0600 file; the terminal and the log get its path only.
    password_file = Path(started.stderr.split("random password, written to ")[1].split()[0])
    assert stat.S_IMODE(password_file.stat().st_mode) == 0o600
    password = password_file.read_text().strip()
    status, _ = Server(port).call("POST", "/token/user", {"username": "root", "password": password})
    assert status == 200
    assert password not in started.stderr + started.stdout
    assert password not in pid_file_log(vserver_process, name)


def pid_file_log(vserver_process, name) -> str:
    files = vserver_process("files", "--name", name).stdout
    log = next(line.split(None, 2)[2] for line in files.splitlines() if line.startswith("log"))
    return Path(log).read_text()


def test_a_stale_pid_file_does_not_block_a_start(vserver_process, server_config, dirs):
    name, port = server_config("demo")
    stale = pid_file(dirs, "demo")
    stale.parent.mkdir(parents=True, exist_ok=True)
    stale.write_text(f"{os.getpid()}\n")  # a live process, but not this server
    assert "stopped" in vserver_process("list").stdout
    started = vserver_process("start", "--name", name)
    assert started.returncode == 0, started.stderr
    assert int(stale.read_text()) != os.getpid()


def test_the_shell_opens_on_the_servers_database(vserver_process, server_config):
    name, _ = server_config("demo")
    assert vserver_process("import", "--name", name, SEED_IMPORT).returncode == 0
    statements = "print(json.dumps(sorted(o.name for o in db.Organization.get())))\n"
    result = vserver_process(
        "shell", "--name", name, "-p", "python", input="import json\n" + statements
    )
    assert result.returncode == 0, result.stderr
    line = next(line for line in result.stdout.splitlines() if "[" in line)
    assert json.loads(line.split(">>> ")[-1]) == [
        "Big Organization",
        "IKNL",
        "Small Organization",
        "root",
    ]
