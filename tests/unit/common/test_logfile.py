"""The service log: the terminal in the foreground; in the background the spawned process's
log file, rotated by size with stray output taken along; and ``follow`` across rotations."""

from __future__ import annotations

import logging
import logging.handlers
import sys
import threading
import time
from pathlib import Path

from vantage6.common import background, logfile

INI = """[loggers]
keys = root

[handlers]
keys = log

[formatters]
keys = plain

[logger_root]
level = INFO
handlers = log

[handler_log]
class = vantage6.common.logfile.ServiceLog
kwargs = {{'maxBytes': {max_bytes}, 'backupCount': 2}}
formatter = plain

[formatter_plain]
format = %(message)s
"""

SERVICE = """
import logging, logging.config, sys
logging.config.fileConfig(sys.argv[1])
print("before any record", file=sys.stderr, flush=True)
for number in range(60):
    logging.getLogger("x").info("record %02d of the service's log", number)
print("stray output", flush=True)
raise SystemExit("a traceback-like last word")
"""


def ini(tmp_path: Path, max_bytes: int = 400) -> Path:
    path = tmp_path / "service.ini"
    path.write_text(INI.format(max_bytes=max_bytes))
    return path


def test_in_the_foreground_it_is_the_terminal(tmp_path, monkeypatch):
    other = tmp_path / "not-our-stderr.log"
    other.touch()
    monkeypatch.setenv(logfile.LOG_FILE_ENV, str(other))  # inherited, but stderr is elsewhere
    handler = logfile.ServiceLog(maxBytes=10)
    assert type(handler) is logging.StreamHandler and handler.stream is sys.stderr
    monkeypatch.delenv(logfile.LOG_FILE_ENV)
    assert type(logfile.ServiceLog()) is logging.StreamHandler
    assert other.read_text() == ""


def test_in_the_background_records_and_stray_output_rotate_together(tmp_path):
    log = tmp_path / "logs" / "service.log"
    process = background.spawn(
        [sys.executable, "-c", SERVICE, str(ini(tmp_path))],
        pid_file=tmp_path / "service.pid",
        log_file=log,
        cwd=tmp_path,
    )
    assert process.wait(timeout=30) == 1
    files = sorted(path.name for path in log.parent.iterdir())
    assert files == ["service.log", "service.log.1", "service.log.2"]  # backupCount = 2
    texts = [log.with_name(name).read_text() for name in reversed(files)]  # oldest first
    assert all(len(text.encode()) <= 400 for text in texts)
    records = [line for text in texts for line in text.splitlines() if line.startswith("record")]
    numbers = [int(line.split()[1]) for line in records]
    assert numbers == list(range(numbers[0], 60)) and numbers[0] > 0  # older ones rotated away
    assert "stray output\na traceback-like last word\n" in texts[-1]  # after the rollovers


def test_follow_goes_on_in_the_new_file_after_a_rotation(tmp_path, monkeypatch):
    monkeypatch.setattr(background, "POLL_SECONDS", 0.01)
    log = tmp_path / "f.log"
    log.touch()
    writer = logging.handlers.RotatingFileHandler(log, maxBytes=120, backupCount=9)
    writing = threading.Event()
    writing.set()

    def write():
        time.sleep(0.1)  # until the follower is at the end
        for number in range(30):
            writer.emit(logging.makeLogRecord({"msg": f"line {number:02d} of the log"}))
            time.sleep(0.03)
        writer.close()
        writing.clear()

    threading.Thread(target=write).start()
    lines = list(background.follow(log, lines=0, running=writing.is_set))
    assert lines == [f"line {number:02d} of the log" for number in range(30)]
    assert log.with_name("f.log.4").exists()  # it did rotate, several times
