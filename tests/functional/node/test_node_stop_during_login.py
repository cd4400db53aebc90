"""Stopping a node whose server is not there yet: while it retries its first login with a
growing backoff, SIGTERM (or ``Node.stop``) ends it at once and cleanly, not after the
backoff sleep, and not with an error."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import time
from types import SimpleNamespace

from tests.functional.node.daemons import Running, eventually, write_ini
from tests.functional.test_serve import BIN, free_port
from vantage6.node.config import API_KEY_ENV, load_config
from vantage6.node.runtime.process import ProcessRuntime

LOG_TO_FILE = (
    "[loggers]\nkeys = root\n[handlers]\nkeys = file\n[formatters]\nkeys = plain\n"
    "[logger_root]\nlevel = INFO\nhandlers = file\n[handler_file]\nclass = FileHandler\n"
    "args = ('%(here)s/node.log',)\nformatter = plain\n[formatter_plain]\nformat = %(message)s\n"
)
# The login's third wait: the node is then well inside a backoff sleep of 2 s.
IN_BACKOFF = "trying again in 2.0 s"


def absent_server():
    """Where no server listens (the port was free a moment ago)."""
    return SimpleNamespace(port=free_port())


def test_stop_while_the_first_login_backs_off_ends_the_node_at_once(tmp_path, caplog):
    caplog.set_level(logging.INFO, logger="vantage6")
    config = load_config(write_ini(tmp_path, absent_server(), "a-key-0123456789"))
    running = Running(config.path, ProcessRuntime(config))
    eventually(lambda: IN_BACKOFF in caplog.text, 20, "the login backing off")
    asked = time.monotonic()
    running.node.stop()
    running.thread.join(timeout=5)
    assert not running.thread.is_alive()
    assert time.monotonic() - asked < 1.0
    assert running.error is None
    assert "Stopped before the server answered" in caplog.text
    assert "Node stopped" in caplog.text


def test_sigterm_while_the_first_login_backs_off_exits_promptly_with_0(tmp_path):
    path = write_ini(tmp_path, absent_server(), "", LOG_TO_FILE)
    log = tmp_path / "node.log"
    env = {**os.environ, API_KEY_ENV: "a-key-0123456789"}
    process = subprocess.Popen(
        [str(BIN / "vnode"), "start", str(path)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        eventually(lambda: log.exists() and IN_BACKOFF in log.read_text(), 30, "backing off")
        asked = time.monotonic()
        process.send_signal(signal.SIGTERM)
        code = process.wait(timeout=15)
        took = time.monotonic() - asked
    finally:
        process.kill()
    stderr = process.stderr.read()
    assert code == 0, stderr
    assert took < 1.5, f"the node took {took:.1f} s to stop"
    text = log.read_text()
    assert "Stopped before the server answered" in text
    assert "Node stopped" in text
    assert "Traceback" not in text + stderr
    assert "a-key-0123456789" not in text + stderr
