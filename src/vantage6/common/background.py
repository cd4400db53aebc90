"""Running a service in the background: pid file, log file, graceful stop, following the log.

Shared by ``vserver`` and ``vnode``. A pid file holds one number; it counts only while that
process is alive and (where ``/proc`` tells) its command line still contains the marker given
when it was started (the configuration file's path), so a pid reused after a reboot is never
mistaken for the service, let alone sent a signal.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from vantage6.common.logfile import LOG_FILE_ENV

POLL_SECONDS = 0.2
START_MARK = "---- started"


class AlreadyRunning(Exception):
    def __init__(self, pid: int):
        self.pid = pid
        super().__init__(f"already running (pid {pid})")


def _reap(pid: int) -> bool:
    """True when ``pid`` is a child of ours that has ended (it is collected here)."""
    try:
        done, _ = os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        return False
    return done == pid


def is_alive(pid: int, marker: str | None = None) -> bool:
    """``pid`` runs (and is no zombie), and its command line contains ``marker``."""
    if pid <= 0 or _reap(pid):
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # it exists, as another user's process
    proc = Path(f"/proc/{pid}")
    try:
        if proc.joinpath("stat").read_text().rsplit(")", 1)[1].split()[0] == "Z":
            return False
        command = proc.joinpath("cmdline").read_bytes().replace(b"\0", b" ").decode()
    except (OSError, IndexError):
        return True  # no /proc (macOS, Windows): the signal check has to do
    return marker is None or marker in command


def read_pid(pid_file: Path, marker: str | None = None) -> int | None:
    """The live process recorded in ``pid_file``; a stale file is removed."""
    try:
        pid = int(pid_file.read_text().strip())
    except FileNotFoundError:
        return None
    except (OSError, ValueError):
        pid = 0
    if is_alive(pid, marker):
        return pid
    pid_file.unlink(missing_ok=True)
    return None


def claim_pid_file(pid_file: Path, pid: int) -> None:
    """Record ``pid``; :class:`AlreadyRunning` when another start got there first."""
    pid_file.parent.mkdir(parents=True, exist_ok=True)
    try:
        descriptor = os.open(pid_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    except FileExistsError:
        raise AlreadyRunning(int(pid_file.read_text().strip() or 0)) from None
    with os.fdopen(descriptor, "w") as file:
        file.write(f"{pid}\n")


def spawn(
    command: list[str], *, pid_file: Path, log_file: Path, cwd: Path, env: dict | None = None
) -> subprocess.Popen:
    """Start ``command`` detached from this terminal, its output appended to ``log_file``,
    its pid in ``pid_file``. The file is named in its environment, so that its logging can
    write (and rotate) it (:class:`vantage6.common.logfile.ServiceLog`)."""
    log_file.parent.mkdir(parents=True, exist_ok=True)
    env = {**(os.environ if env is None else env), LOG_FILE_ENV: os.path.abspath(log_file)}
    with log_file.open("a") as log:
        log.write(start_line())
        log.flush()
        process = subprocess.Popen(
            command,
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            **_detached(),
        )
    try:
        claim_pid_file(pid_file, process.pid)
    except AlreadyRunning:
        process.terminate()
        process.wait()
        raise
    return process


def start_line() -> str:
    """The line a log gets when its service starts (:func:`since_start` looks for it)."""
    return f"{START_MARK} {dt.datetime.now().isoformat(timespec='seconds')} ----\n"


def since_start(lines: list[str]) -> list[str]:
    """``lines`` from the last start line on (all of them when there is none)."""
    starts = [i for i, line in enumerate(lines) if line.startswith(START_MARK)]
    return lines[starts[-1] :] if starts else lines


def _detached() -> dict:
    if sys.platform == "win32":
        flags = subprocess.CREATE_NEW_PROCESS_GROUP | subprocess.DETACHED_PROCESS
        return {"creationflags": flags}
    return {"start_new_session": True}  # Ctrl-C in this terminal does not reach it


def stop(pid: int, timeout: float) -> bool:
    """Ask ``pid`` to stop (SIGTERM: the service finishes what it is doing) and wait for it;
    False when it is still running after ``timeout`` seconds."""
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return True
    return wait_gone(pid, timeout)


def kill(pid: int, timeout: float = 10) -> bool:
    """End ``pid`` at once (SIGKILL: no clean-up), for a process that ignored :func:`stop`."""
    try:
        os.kill(pid, getattr(signal, "SIGKILL", signal.SIGTERM))  # Windows: TerminateProcess
    except ProcessLookupError:
        return True
    return wait_gone(pid, timeout)


def wait_gone(pid: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while is_alive(pid):
        if time.monotonic() > deadline:
            return False
        time.sleep(POLL_SECONDS)
    return True


def tail(log_file: Path, lines: int) -> list[str]:
    """The last ``lines`` lines of ``log_file`` (none when it does not exist)."""
    try:
        with log_file.open("rb") as file:
            file.seek(0, os.SEEK_END)
            size = file.tell()
            file.seek(max(0, size - 1000 * (lines + 1)))
            text = file.read().decode(errors="replace")
    except FileNotFoundError:
        return []
    return text.splitlines()[-lines:] if lines else []


def follow(log_file: Path, *, lines: int, running: Callable[[], bool]) -> Iterator[str]:
    """The last ``lines`` lines, then each new line, until ``running()`` turns false (and
    what was written until then has been read). A rotated log (renamed, as
    RotatingFileHandler does, or truncated) is followed into its new start."""
    yield from tail(log_file, lines)
    try:
        file = log_file.open("rb")
    except FileNotFoundError:
        return
    try:
        file.seek(0, os.SEEK_END)
        pending = b""
        while True:
            alive = running()
            chunk = file.read()
            if not chunk and _rotated(file, log_file):
                file = _reopen(file, log_file)
                continue
            pending += chunk
            *complete, pending = pending.split(b"\n")
            for line in complete:
                yield line.decode(errors="replace")
            if not chunk:
                if not alive:
                    if pending:
                        yield pending.decode(errors="replace")
                    return
                time.sleep(POLL_SECONDS)
    finally:
        file.close()


def _rotated(file, log_file: Path) -> bool:
    """Whether ``file`` (read to its end) is no longer what ``log_file`` holds."""
    try:
        current = log_file.stat()
    except FileNotFoundError:
        return False  # between the rename and the new file: look again later
    return not os.path.samestat(current, os.fstat(file.fileno())) or file.tell() > current.st_size


def _reopen(file, log_file: Path):
    """``log_file`` from its start (the old file when the new one vanished meanwhile)."""
    try:
        new = log_file.open("rb")
    except FileNotFoundError:
        return file
    if os.path.samestat(os.fstat(new.fileno()), os.fstat(file.fileno())):
        new.close()
        file.seek(0)  # truncated in place (copytruncate)
        return file
    file.close()
    return new
