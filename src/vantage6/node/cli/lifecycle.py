"""Running nodes: ``start``, ``stop``, ``list``, ``files``, ``attach``.

A node is the process of vantage6.node.runner, started in the background with its output
in the instance's log file and its pid in the pid file, or kept in the foreground with
``--attach``. ``start`` checks the configuration here first, so its problems show on the
screen, and waits until the node has logged in at its server.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import click

from vantage6.common import cli_service
from vantage6.common.cli_output import Failure, fields, note, success
from vantage6.common.cli_select import scope_of, scope_option, selection_options, with_options
from vantage6.node.cli.instance import (
    ENVIRONMENT,
    KIND,
    NodeInstance,
    all_instances,
    pass_instance,
)
from vantage6.node.config import APPLICATION
from vantage6.node.runner import READY


class LoginWatch:
    """Whether the node's ready line (vantage6.node.runner) has appeared in its log since
    this was made; :attr:`line` then holds what it said."""

    def __init__(self, log_file: Path):
        self.log_file = log_file
        self.offset = log_file.stat().st_size if log_file.exists() else 0
        self.line: str | None = None

    def __call__(self) -> bool:
        try:
            with self.log_file.open("rb") as file:
                file.seek(self.offset)
                text = file.read().decode(errors="replace")
        except FileNotFoundError:
            return False
        for line in text.split("\n")[:-1]:  # complete lines only
            if line.startswith(READY):
                self.line = line.removeprefix(READY).strip()
                return True
        return False


@click.command()
@click.argument("path", required=False, type=click.Path(dir_okay=False))
@with_options([*selection_options(KIND, NodeInstance.COMMAND), ENVIRONMENT])
@cli_service.ATTACH
@cli_service.timeout_option(
    60, "Seconds to wait for the node to log in at its server (in the background)."
)
def start(path, name, config, system, environment, attach, timeout):
    """Start a node: in the background (pid and log file) or, with --attach, in the
    foreground. Waits until it has logged in at its server.

    PATH (an ini file) runs that file in the foreground, as `--config PATH --attach`.

    \b
    Examples:
      vnode start --name hospital-a
      vnode start --name hospital-a --attach
      vnode start --config /etc/vantage6/node.ini -e prod
      vnode start node.ini
    """
    if path:
        if name or config:
            raise click.UsageError("give the configuration as PATH, --config or --name, not two")
        config, attach = path, True
    instance = NodeInstance.resolve(name, config, system, environment=environment)
    node_config = instance.load()
    pid = instance.pid()
    if pid is not None:
        raise Failure(f"node {instance.label} is already running (pid {pid})")
    command = [sys.executable, "-m", "vantage6.node.runner", str(instance.config)]
    if environment != APPLICATION:
        command.append(environment)
    login = LoginWatch(instance.log_file)
    readiness = cli_service.Readiness(login, f"did not log in at {node_config.api_url}")
    cwd = instance.config.parent
    if attach:
        cli_service.run_attached(
            instance,
            command,
            cwd,
            readiness,
            None,  # in sight, it may take as long as it needs to reach its server
            lambda pid: f"Node {instance.label} is running (pid {pid}): {login.line}",
        )
        return
    process = cli_service.start_background(instance, command, cwd, readiness, timeout)
    success(f"Node {instance.label} is running (pid {process.pid}): {login.line}")
    note(f"  log: {instance.log_file}")
    note(f"  stop it with: vnode stop {instance.selector}")


@click.command()
@with_options([*selection_options(KIND, NodeInstance.COMMAND), ENVIRONMENT])
@cli_service.stop_options(KIND)
def stop(name, config, system, environment, all_, timeout, force):
    """Stop a node gracefully (SIGTERM: it logs out; running algorithms keep running and the
    next start picks them up) and wait until it has ended; with --force, kill it when it has
    not ended in time. Stopping a node that is not running is no error.

    \b
    Examples:
      vnode stop --name hospital-a
      vnode stop --all
      vnode stop --name hospital-a --timeout 10 --force
      vnode stop --name hospital-a -e test
    """
    if all_:
        cli_service.refuse_selection(name, config, KIND)
        cli_service.stop_all(all_instances(scope_of(system)), KIND, timeout, force)
    else:
        instance = NodeInstance.resolve(name, config, system, environment=environment)
        cli_service.stop_each([instance], timeout, force)


def _row(instance: NodeInstance) -> tuple[tuple[str, ...], str | None]:
    """The cells and colour of one node in ``list``."""
    cells = (instance.name, instance.environment, instance.scope.value)
    pid = instance.pid()
    try:
        server = instance.load().api_url
    except Failure as exc:
        return (*cells, "configuration error", str(exc).splitlines()[0]), "red"
    if pid is None:
        return (*cells, "stopped", server), None
    return (*cells, f"running (pid {pid})", server), "green"


@click.command("list")
@scope_option()
def list_(system):
    """List the node configurations (each environment) and whether they run.

    \b
    Examples:
      vnode list
      vnode list --user
    """
    header = ("NAME", "ENVIRONMENT", "SCOPE", "STATUS", "SERVER")
    cli_service.list_instances(NodeInstance, all_instances(scope_of(system)), header, _row)


@click.command()
@pass_instance
def files(instance):
    """Show the files a node uses: configuration, API key, private key, data, run folder,
    log and pid file.

    \b
    Examples:
      vnode files --name hospital-a
      vnode files --name hospital-a --system -e test
    """
    rows = [
        ("configuration", str(instance.config)),
        ("environment", instance.environment),
        ("scope", instance.scope.value if instance.scope else "given with --config"),
    ]
    problem = None
    try:
        config = instance.load()
    except Failure as exc:
        problem, config = exc, None
        rows.append(("settings", "unknown: the configuration has an error"))
    if config is not None:
        key_file = instance.path_setting("node", "api_key_file")
        rows.append(("api key file", str(key_file) if key_file else "none (the key is inline)"))
        if config.encryption_enabled:
            rows.append(("private key", str(config.private_key)))
        rows += [
            (f"database {db.label}", f"{db.type}:{_masked(db.uri)}") for db in config.databases
        ]
        rows.append(("run folder", str(config.task_dir)))
    fields(rows + instance.state_files())
    if problem is not None:
        raise problem


def _masked(uri: str) -> str:
    """A database URI without the password it may hold (``user:secret@host``)."""
    return re.sub(r"(//[^/:@\s]*:)[^/@\s]*@", r"\1***@", uri)


@click.command()
@pass_instance
@cli_service.LINES
def attach(instance, lines):
    """Show a running node's log as it is written, until the node stops or Ctrl-C (which
    leaves the node running).

    \b
    Example:
      vnode attach --name hospital-a
    """
    cli_service.attach(instance, lines)
