"""Pid files that never point at the wrong process, graceful stops, following a log."""

import os
import subprocess
import sys
import threading
import time

import pytest

from vantage6.common import background


def sleeper(*code: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", ";".join([*code, "import time", "time.sleep(60)"])]
    )


def test_a_pid_file_counts_only_for_the_live_process_it_was_written_for(tmp_path):
    pid_file = tmp_path / "x.pid"
    assert background.read_pid(pid_file) is None
    pid_file.write_text("garbage")
    assert background.read_pid(pid_file) is None and not pid_file.exists()

    process = sleeper()
    try:
        pid_file.write_text(f"{process.pid}\n")
        assert background.read_pid(pid_file, marker="time.sleep(60)") == process.pid
        assert background.read_pid(pid_file, marker="another-server.ini") is None  # pid reused
        assert not pid_file.exists()
    finally:
        process.kill()
        process.wait()
    pid_file.write_text(f"{process.pid}\n")
    assert background.read_pid(pid_file) is None


def test_only_one_start_claims_the_pid_file(tmp_path):
    pid_file = tmp_path / "sub" / "x.pid"
    background.claim_pid_file(pid_file, 1234)
    with pytest.raises(background.AlreadyRunning) as taken:
        background.claim_pid_file(pid_file, 5678)
    assert taken.value.pid == 1234 and pid_file.read_text() == "1234\n"


def test_spawn_detaches_and_logs_and_stop_ends_it_gracefully(tmp_path):
    code = [
        "import signal, sys",
        "signal.signal(signal.SIGTERM, lambda *_: (print('bye', flush=True), sys.exit(0)))",
        "print('hello', flush=True)",
    ]
    process = background.spawn(
        [sys.executable, "-c", ";".join([*code, "import time", "time.sleep(60)"])],
        pid_file=tmp_path / "p.pid",
        log_file=tmp_path / "logs" / "p.log",
        cwd=tmp_path,
    )
    assert os.getsid(process.pid) == process.pid  # its own session: Ctrl-C here misses it
    assert (tmp_path / "p.pid").read_text() == f"{process.pid}\n"
    deadline = time.monotonic() + 10
    while "hello" not in (tmp_path / "logs" / "p.log").read_text():
        assert time.monotonic() < deadline
        time.sleep(0.05)
    assert background.stop(process.pid, timeout=10)
    assert background.tail(tmp_path / "logs" / "p.log", 2) == ["hello", "bye"]
    with pytest.raises(background.AlreadyRunning):  # the pid file is the caller's to remove
        background.spawn(
            ["true"], pid_file=tmp_path / "p.pid", log_file=tmp_path / "l", cwd=tmp_path
        )


def test_stop_gives_up_after_the_timeout(tmp_path):
    process = sleeper("import signal", "signal.signal(signal.SIGTERM, signal.SIG_IGN)")
    try:
        time.sleep(0.5)  # let it install its handler
        assert background.stop(process.pid, timeout=1) is False
        assert background.is_alive(process.pid)
    finally:
        process.kill()
        process.wait()


def test_follow_yields_old_and_new_lines_until_the_service_ends(tmp_path):
    log = tmp_path / "f.log"
    log.write_text("one\ntwo\nthree\n")
    running = threading.Event()
    running.set()

    def write():
        time.sleep(0.3)
        with log.open("a") as file:
            file.write("four\nfi")
            file.flush()
            time.sleep(0.3)
            file.write("ve")
        running.clear()

    threading.Thread(target=write).start()
    lines = list(background.follow(log, lines=2, running=running.is_set))
    assert lines == ["two", "three", "four", "five"]
