"""A server started in the background by ``vserver start`` rotates its log file at the size
its ini sets, keeps the number of older files it sets, and ``attach`` and ``files`` go on
working across rotations: every line once, in order, nothing replayed."""

from __future__ import annotations

import json
import subprocess
import time
import urllib.request
from pathlib import Path

from tests.functional.cli.helpers import VSERVER

MAX_BYTES = 3000
REQUESTS = 40
WARNING = "A password reset was asked for, but no SMTP server is configured"


def lost_password(port: int, username: str) -> None:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/recover/lost",
        data=json.dumps({"username": username}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 200


def test_the_log_rotates_and_attach_and_files_keep_working(vserver_process, server_config, dirs):
    name, port = server_config("demo")
    config = Path(dirs["XDG_CONFIG_HOME"]) / "vantage6" / "server" / "demo.ini"
    text = config.read_text()
    assert "'maxBytes': 10485760, 'backupCount': 5" in text  # what the wizard writes
    config.write_text(text.replace("10485760, 'backupCount': 5", f"{MAX_BYTES}, 'backupCount': 2"))

    started = vserver_process("start", "--name", name)
    assert started.returncode == 0, started.stdout + started.stderr
    files = vserver_process("files", "--name", name).stdout
    log = Path(
        next(line.split(None, 2)[2] for line in files.splitlines() if line.startswith("log"))
    )
    assert "Serving on" in log.read_text()

    follower = subprocess.Popen(
        [str(VSERVER), "attach", "--name", name, "--lines", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=vserver_process.env,
    )
    time.sleep(1.5)  # until it follows
    for number in range(REQUESTS):
        lost_password(port, f"user-{number:02d}")
        time.sleep(0.05)
    assert vserver_process("stop", "--name", name).returncode == 0
    followed, _ = follower.communicate(timeout=30)

    assert sorted(path.name for path in log.parent.glob("demo.log*")) == [
        "demo.log",
        "demo.log.1",
        "demo.log.2",
    ]
    assert all(path.stat().st_size <= MAX_BYTES for path in log.parent.glob("demo.log*"))
    assert "Shutting down: closing websockets" in log.read_text()  # the current file
    assert followed.count(WARNING) == REQUESTS, followed  # once each: none lost, none replayed
    assert followed.rstrip().endswith("Server 'demo' has stopped.")
    assert vserver_process("files", "--name", name).stdout == files  # the same files
    shown = vserver_process("attach", "--name", name, "--lines", "3")
    assert shown.returncode == 1 and "Shutting down" in shown.stdout  # the last lines
