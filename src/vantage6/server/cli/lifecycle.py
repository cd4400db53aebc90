"""Running servers: ``start``, ``stop``, ``list``, ``files``, ``attach``, ``shell``, ``version``.

A server is ``pserve <ini>`` (its app and server sections per environment), started in the
background with its output in the instance's log file and its pid in the pid file, or kept in
the foreground with ``--attach``. ``start`` first prepares the database here, in the
terminal, as the server would (migration when allowed, rules, roles, the root user), so
schema problems and the first root password show on the screen and never in a log file.
"""

from __future__ import annotations

import errno
import json
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

import click

from vantage6 import __version__
from vantage6.common import background
from vantage6.server.cli.database import database_errors, describe, open_engine, sqlite_file
from vantage6.server.cli.instance import (
    Instance,
    all_instances,
    instance_options,
    pass_instance,
    resolve,
    scope_of,
)
from vantage6.server.cli.output import Failure, done, note, step, success, table, warn

LOG_LINES_ON_FAILURE = 30


def pserve_command(instance: Instance) -> list[str]:
    server_name = instance.server_section(instance.ini()).split(":", 1)[1]
    return [
        sys.executable,
        "-m",
        "pyramid.scripts.pserve",
        str(instance.config),
        "--app-name",
        instance.app_name,
        "--server-name",
        server_name,
    ]


def _check_port(instance: Instance) -> None:
    """Refuse early, naming the setting, when the address cannot be bound."""
    host, port = instance.listen()
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
        with socket.socket(family, kind, proto) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server does
            probe.bind(address)
    except OSError as exc:
        reason = "it is in use" if exc.errno == errno.EADDRINUSE else str(exc)
        raise Failure(
            f"cannot listen on {host}:{port} (listen in [{instance.server_section(instance.ini())}]"
            f" of {instance.config}): {reason}"
        ) from None


def _prepare_database(instance: Instance, settings: dict) -> None:
    from vantage6.server.bootstrap import prepare_database

    note(f"Preparing the database {describe(settings)}")
    engine = open_engine(settings)
    try:
        with database_errors(instance, settings):
            prepare_database(engine, settings)
    finally:
        engine.dispose()


def _log_tail(instance: Instance) -> str:
    lines = background.tail(instance.log_file, LOG_LINES_ON_FAILURE)
    return f"The end of its log ({instance.log_file}):\n" + "\n".join(lines)


def _wait_until_healthy(instance: Instance, url: str, process, timeout: int, progress: bool):
    """Until ``url``/health answers 200; the server exiting or the timeout is a failure (a
    server that is still starting then is stopped, so no half-started server is left).
    ``progress``: a dot a second after the step's message, and its outcome."""
    finish = done if progress else lambda *args, **kwargs: None
    deadline = time.monotonic() + timeout
    next_dot = time.monotonic() + 1
    while True:
        if process.poll() is not None:
            instance.pid_file.unlink(missing_ok=True)
            finish("failed", ok=False)
            raise Failure(
                f"server {instance.label} stopped during start-up (exit code "
                f"{process.returncode}). {_log_tail(instance)}"
            )
        try:
            with urllib.request.urlopen(f"{url}/health", timeout=2) as response:
                if response.status == 200:
                    finish("running")
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        if time.monotonic() > deadline:
            background.stop(process.pid, timeout=30)
            instance.pid_file.unlink(missing_ok=True)
            finish("no answer", ok=False)
            raise Failure(
                f"server {instance.label} did not answer at {url}/health within {timeout} s; "
                f"it was stopped. {_log_tail(instance)}"
            )
        if progress and time.monotonic() > next_dot:
            click.echo(".", nl=False)
            next_dot += 1
        time.sleep(0.25)


@click.command()
@pass_instance
@click.option(
    "--attach", is_flag=True, help="Stay in the foreground showing the log; Ctrl-C stops it."
)
@click.option(
    "--timeout",
    default=60,
    show_default=True,
    type=click.IntRange(1),
    help="Seconds to wait for the server to answer at /health.",
)
def start(instance, attach, timeout):
    """Start a server: in the background (pid and log file) or, with --attach, in the
    foreground. Waits until it answers and prints its address.

    \b
    Examples:
      vserver start --name demo
      vserver start --name demo --attach
      vserver start --config production.ini -e prod
    """
    settings = instance.settings()
    url = instance.url(settings)
    pid = instance.pid()
    if pid is not None:
        raise Failure(f"server {instance.label} is already running (pid {pid}) at {url}")
    _check_port(instance)
    _prepare_database(instance, settings)
    if attach:
        _run_attached(instance, url, timeout)
        return
    step(f"Starting server {instance.label}")
    try:
        process = background.spawn(
            pserve_command(instance),
            pid_file=instance.pid_file,
            log_file=instance.log_file,
            cwd=instance.config.parent,
        )
    except background.AlreadyRunning as exc:
        raise Failure(f"server {instance.label} was started meanwhile (pid {exc.pid})") from None
    _wait_until_healthy(instance, url, process, timeout, progress=True)
    success(f"Server {instance.label} is running at {url} (pid {process.pid})")
    note(f"  log: {instance.log_file}")
    note(f"  stop it with: vserver stop {instance.selector}")


def _run_attached(instance: Instance, url: str, timeout: int) -> None:
    """pserve as a child whose output goes to the terminal and the log file; Ctrl-C or
    SIGTERM stop it gracefully, as does `vserver stop` from elsewhere (the pid file is its)."""
    process = subprocess.Popen(
        pserve_command(instance),
        cwd=instance.config.parent,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        background.claim_pid_file(instance.pid_file, process.pid)
    except background.AlreadyRunning as exc:
        process.terminate()
        process.wait()
        raise Failure(f"server {instance.label} was started meanwhile (pid {exc.pid})") from None
    copier = threading.Thread(target=_copy_output, args=(process, instance), daemon=True)
    copier.start()
    previous = {
        signum: signal.signal(signum, lambda *_: process.send_signal(signal.SIGTERM))
        for signum in (signal.SIGINT, signal.SIGTERM)
    }
    try:
        _wait_until_healthy(instance, url, process, timeout, progress=False)
        success(f"Server {instance.label} is running at {url} (pid {process.pid}); Ctrl-C stops it")
        process.wait()
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        copier.join(timeout=10)
        instance.pid_file.unlink(missing_ok=True)
    if process.returncode != 0:
        raise Failure(f"server {instance.label} ended with exit code {process.returncode}")
    success(f"Server {instance.label} stopped")


def _copy_output(process: subprocess.Popen, instance: Instance) -> None:
    instance.log_file.parent.mkdir(parents=True, exist_ok=True)
    with instance.log_file.open("ab") as log:
        for line in iter(process.stdout.readline, b""):
            log.write(line)
            log.flush()
            click.echo(line.decode(errors="replace"), nl=False)


def _stop_one(instance: Instance, timeout: int) -> bool:
    pid = instance.pid()
    if pid is None:
        note(f"Server {instance.label} is not running.")
        return True
    step(f"Stopping server {instance.label} (pid {pid})")
    if not background.stop(pid, timeout):
        done(f"still running after {timeout} s", ok=False)
        return False
    instance.pid_file.unlink(missing_ok=True)
    done("stopped")
    return True


@click.command()
@instance_options
@click.option("--all", "all_", is_flag=True, help="Stop every running server.")
@click.option(
    "--timeout",
    default=30,
    show_default=True,
    type=click.IntRange(1),
    help="Seconds to wait for each server to finish.",
)
def stop(name, config, system, environment, all_, timeout):
    """Stop a server gracefully (SIGTERM: websockets closed, requests in flight finished)
    and wait until it has ended. Stopping a server that is not running is no error.

    \b
    Examples:
      vserver stop --name demo
      vserver stop --all
    """
    if all_:
        if name or config:
            raise click.UsageError("--all stops every server: leave out --name and --config")
        targets = [instance for instance in all_instances(scope_of(system)) if instance.pid()]
        if not targets:
            note("No server is running.")
            return
    else:
        targets = [resolve(name, config, system, environment)]
    failed = [instance.label for instance in targets if not _stop_one(instance, timeout)]
    if failed:
        raise Failure(f"still running: {', '.join(failed)}; try again, or end the process")


def _status(instance: Instance) -> tuple[str, str, str | None]:
    """(status, address, colour) of one instance for ``list``."""
    try:
        url = instance.url(instance.settings())
    except Failure as exc:
        return "configuration error", str(exc), "red"
    pid = instance.pid()
    if pid is None:
        return "stopped", url, None
    return f"running (pid {pid})", url, "green"


@click.command("list")
@click.option("--system/--user", "system", default=None, help="Only one folder. Default: both.")
def list_(system):
    """List the server configurations (each environment) and whether they run.

    \b
    Examples:
      vserver list
      vserver list --user
    """
    instances = all_instances(scope_of(system))
    if not instances:
        note("No server configurations found; create one with `vserver new`.")
        return
    rows, colors = [], []
    for instance in instances:
        status, address, color = _status(instance)
        rows.append((instance.name, instance.environment, instance.scope.value, status, address))
        colors.append(color)
    table(rows, ("NAME", "ENVIRONMENT", "SCOPE", "STATUS", "ADDRESS"), colors)


@click.command()
@pass_instance
def files(instance):
    """Show the files a server uses: configuration, database, log and pid file.

    \b
    Examples:
      vserver files --name demo
      vserver files --name demo --system -e test
    """
    rows = [
        ("configuration", str(instance.config)),
        ("environment", f"{instance.environment} ([app:{instance.app_name}])"),
        ("scope", instance.scope.value if instance.scope else "given with --config"),
    ]
    problem = None
    try:
        settings = instance.settings()
        path = sqlite_file(settings)
        rows.append(("database", str(path) if path else describe(settings)))
    except Failure as exc:
        problem = exc
        rows.append(("database", "unknown: the configuration has an error"))
    rows += [
        ("log file", str(instance.log_file)),
        ("pid file", str(instance.pid_file)),
        ("data folder", str(instance.state_dir)),
    ]
    width = max(len(label) for label, _ in rows)
    for label, value in rows:
        click.echo(f"{click.style(label.ljust(width), bold=True)}  {value}")
    if problem is not None:
        raise problem


@click.command()
@pass_instance
@click.option(
    "--lines", default=20, show_default=True, type=click.IntRange(0), help="Earlier lines to show."
)
def attach(instance, lines):
    """Show a running server's log as it is written, until the server stops or Ctrl-C
    (which leaves the server running).

    \b
    Example:
      vserver attach --name demo
    """
    pid = instance.pid()
    if pid is None:
        for line in background.tail(instance.log_file, lines):
            click.echo(line)
        raise Failure(f"server {instance.label} is not running (log: {instance.log_file})")
    note(f"Log of server {instance.label} (pid {pid}); Ctrl-C stops following, not the server.")
    marker = str(instance.config)
    try:
        for line in background.follow(
            instance.log_file, lines=lines, running=lambda: background.is_alive(pid, marker)
        ):
            click.echo(line)
    except KeyboardInterrupt:
        return
    note(f"Server {instance.label} has stopped.")


@click.command()
@pass_instance
@click.option(
    "-p",
    "--python-shell",
    type=click.Choice(["ipython", "python"]),
    help="Which shell (default: IPython when installed).",
)
@click.pass_context
def shell(ctx, instance, python_shell):
    """Open the admin shell (pshell) on a server's database: `db` holds every model.

    \b
    Examples:
      vserver shell --name demo
      >>> db.Organization.get_by_name("IKNL")
    """
    instance.settings()  # configuration errors here, in one line, not in a traceback
    uri = str(instance.config)
    if instance.app_name != "main":
        uri += f"#{instance.app_name}"
    command = [sys.executable, "-m", "pyramid.scripts.pshell", uri]
    if python_shell:
        command += ["-p", python_shell]
    ctx.exit(subprocess.call(command, cwd=instance.config.parent))


@click.command()
@instance_options
def version(name, config, system, environment):
    """Show the version of vserver and of the running servers (their /version).

    \b
    Examples:
      vserver version
      vserver version --name demo
    """
    click.echo(f"vserver {__version__} (Python {sys.version.split()[0]})")
    if name or config:
        targets = [resolve(name, config, system, environment)]
    else:
        targets = [instance for instance in all_instances(scope_of(system)) if instance.pid()]
    for instance in targets:
        if instance.pid() is None:
            note(f"server {instance.label}: not running")
            continue
        url = instance.url(instance.settings())
        try:
            with urllib.request.urlopen(f"{url}/version", timeout=5) as response:
                answer = json.load(response)["version"]
        except (urllib.error.URLError, OSError, ValueError, KeyError) as exc:
            warn(f"server {instance.label} at {url} did not tell its version: {exc}")
            continue
        note(f"server {instance.label}: {answer} at {url}")
