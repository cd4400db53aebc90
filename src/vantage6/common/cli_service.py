"""Running a ``vserver`` or ``vnode`` instance from the command line: started in the
background and waited for until it is ready, or attached to the terminal; stopped (one or
``--all``, gracefully, or with ``--force``); its log followed.

An instance's process writes its output to the instance's log file and its pid to the pid
file (vantage6.common.background); what "ready" means is the caller's :class:`Readiness`.
"""

from __future__ import annotations

import signal
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import click

from vantage6.common import background
from vantage6.common.cli_output import Failure, done, note, step, success, table
from vantage6.common.cli_select import Instance, with_options

LOG_LINES_ON_FAILURE = 30
STOP_SECONDS = 30  # for an instance that never became ready
ATTACH = click.option(
    "--attach", is_flag=True, help="Stay in the foreground showing the log; Ctrl-C stops it."
)
LINES = click.option(
    "--lines", default=20, show_default=True, type=click.IntRange(0), help="Earlier lines to show."
)


def timeout_option(default: int, help: str):
    return click.option(
        "--timeout", default=default, show_default=True, type=click.IntRange(1), help=help
    )


@dataclass(frozen=True)
class Readiness:
    """How to tell that a started instance is up: ``check()`` turns true. ``missing`` says
    what did not happen, for the error (e.g. "did not answer at http://…/health")."""

    check: Callable[[], bool]
    missing: str


def log_tail(instance: Instance) -> str:
    """The end of the log of the last start, for the error of a failed start."""
    lines = background.since_start(background.tail(instance.log_file, LOG_LINES_ON_FAILURE))
    return f"The end of its log ({instance.log_file}):\n" + "\n".join(lines)


def _end(pid: int) -> None:
    """Stop a process that did not become ready; it has no work to finish, so it is killed
    when it does not end in time (e.g. while it retries to reach its server)."""
    if not background.stop(pid, STOP_SECONDS):
        background.kill(pid)


def wait_until_ready(instance, process, readiness: Readiness, timeout, progress: bool) -> None:
    """Until ``readiness`` says so; the process exiting or the timeout (seconds; None: no
    limit) is a failure, and a process still starting then is stopped, so nothing is left
    half-started. ``progress``: a dot a second after the step's message, and its outcome."""
    finish = done if progress else lambda *args, **kwargs: None
    what = f"{instance.KIND} {instance.label}"
    deadline = None if timeout is None else time.monotonic() + timeout
    next_dot = time.monotonic() + 1
    while True:
        if process.poll() is not None:
            instance.pid_file.unlink(missing_ok=True)
            finish("failed", ok=False)
            raise Failure(
                f"{what} stopped during start-up (exit code {process.returncode}). "
                f"{log_tail(instance)}"
            )
        if readiness.check():
            finish("running")
            return
        if deadline is not None and time.monotonic() > deadline:
            _end(process.pid)
            instance.pid_file.unlink(missing_ok=True)
            finish("timed out", ok=False)
            raise Failure(
                f"{what} {readiness.missing} within {timeout} s; it was stopped. "
                f"{log_tail(instance)}"
            )
        if progress and time.monotonic() > next_dot:
            click.echo(".", nl=False)
            next_dot += 1
        time.sleep(0.25)


def start_background(
    instance: Instance, command: list[str], cwd: Path, readiness: Readiness, timeout: int
) -> subprocess.Popen:
    """``command`` detached from the terminal (log and pid file), once it is ready."""
    step(f"Starting {instance.KIND} {instance.label}")
    try:
        process = background.spawn(
            command, pid_file=instance.pid_file, log_file=instance.log_file, cwd=cwd
        )
    except background.AlreadyRunning as exc:
        raise Failure(
            f"{instance.KIND} {instance.label} was started meanwhile (pid {exc.pid})"
        ) from None
    wait_until_ready(instance, process, readiness, timeout, progress=True)
    return process


def run_attached(
    instance: Instance,
    command: list[str],
    cwd: Path,
    readiness: Readiness,
    timeout: int | None,
    announce: Callable[[int], str],
) -> None:
    """``command`` as a child whose output goes to the terminal and the log file; Ctrl-C or
    SIGTERM stop it gracefully, as does ``stop`` from elsewhere (the pid file is the child's).
    ``announce(pid)`` is the line printed once it is ready."""
    what = f"{instance.KIND} {instance.label}"
    process = subprocess.Popen(
        command,
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        background.claim_pid_file(instance.pid_file, process.pid)
    except background.AlreadyRunning as exc:
        process.terminate()
        process.wait()
        raise Failure(f"{what} was started meanwhile (pid {exc.pid})") from None
    copier = threading.Thread(target=_copy_output, args=(process, instance), daemon=True)
    copier.start()
    stopping = threading.Event()

    def forward(*_) -> None:
        stopping.set()
        process.send_signal(signal.SIGTERM)

    previous = {
        signum: signal.signal(signum, forward) for signum in (signal.SIGINT, signal.SIGTERM)
    }
    try:
        try:
            wait_until_ready(instance, process, readiness, timeout, progress=False)
            success(announce(process.pid))
        except Failure:
            if not stopping.is_set():
                raise  # a stop asked for during start-up is no failure
        process.wait()
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        copier.join(timeout=10)
        instance.pid_file.unlink(missing_ok=True)
    if process.returncode != 0:
        raise Failure(f"{what} ended with exit code {process.returncode}")
    success(f"{instance.KIND.capitalize()} {instance.label} stopped")


def _copy_output(process: subprocess.Popen, instance: Instance) -> None:
    instance.log_file.parent.mkdir(parents=True, exist_ok=True)
    with instance.log_file.open("ab") as log:
        log.write(background.start_line().encode())
        for line in iter(process.stdout.readline, b""):
            log.write(line)
            log.flush()
            click.echo(line.decode(errors="replace"), nl=False)


def stop_options(kind: str):
    """``--all``, ``--timeout`` and ``--force`` of the ``stop`` commands."""
    return with_options(
        [
            click.option("--all", "all_", is_flag=True, help=f"Stop every running {kind}."),
            timeout_option(30, f"Seconds to wait for each {kind} to finish."),
            click.option(
                "--force",
                is_flag=True,
                help="Kill (SIGKILL) what is still running after the timeout.",
            ),
        ]
    )


def refuse_selection(name: str | None, config: str | None, kind: str) -> None:
    """``stop --all`` takes no ``--name`` or ``--config`` (wrong usage: exit code 2)."""
    if name or config:
        raise click.UsageError(f"--all stops every {kind}: leave out --name and --config")


def stop_all(instances: list[Instance], kind: str, timeout: int, force: bool) -> None:
    """Stop those of ``instances`` that run."""
    running = [instance for instance in instances if instance.pid()]
    if not running:
        note(f"No {kind} is running.")
        return
    stop_each(running, timeout, force)


def stop_each(instances: list[Instance], timeout: int, force: bool) -> None:
    """Stop each instance; a failure names those still running."""
    failed = [instance.label for instance in instances if not _stop_one(instance, timeout, force)]
    if failed:
        hint = "end the process" if force else "use --force"
        raise Failure(f"still running: {', '.join(failed)}; try again, or {hint}")


def _stop_one(instance: Instance, timeout: int, force: bool) -> bool:
    pid = instance.pid()
    if pid is None:
        note(f"{instance.KIND.capitalize()} {instance.label} is not running.")
        return True
    step(f"Stopping {instance.KIND} {instance.label} (pid {pid})")
    if background.stop(pid, timeout):
        outcome = "stopped"
    elif force and background.kill(pid):
        outcome = f"killed (SIGKILL) after {timeout} s"
    else:
        done(f"still running after {timeout} s", ok=False)
        return False
    instance.pid_file.unlink(missing_ok=True)
    done(outcome)
    return True


def attach(instance: Instance, lines: int) -> None:
    """Show a running instance's log as it is written, until it stops or Ctrl-C."""
    what = f"{instance.KIND} {instance.label}"
    pid = instance.pid()
    if pid is None:
        for line in background.tail(instance.log_file, lines):
            click.echo(line)
        raise Failure(f"{what} is not running (log: {instance.log_file})")
    note(f"Log of {what} (pid {pid}); Ctrl-C stops following, not the {instance.KIND}.")
    marker = str(instance.config)
    try:
        for line in background.follow(
            instance.log_file, lines=lines, running=lambda: background.is_alive(pid, marker)
        ):
            click.echo(line)
    except KeyboardInterrupt:
        return
    note(f"{instance.KIND.capitalize()} {instance.label} has stopped.")


def list_instances(
    cls: type[Instance],
    instances: list[Instance],
    header: tuple[str, ...],
    row: Callable[[Instance], tuple[tuple[str, ...], str | None]],
) -> None:
    """The ``list`` table: ``row(instance)`` gives an instance's cells and colour."""
    if not instances:
        note(f"No {cls.KIND} configurations found; create one with `{cls.COMMAND} new`.")
        return
    rows, colors = zip(*(row(instance) for instance in instances), strict=True)
    table(list(rows), header, list(colors))
