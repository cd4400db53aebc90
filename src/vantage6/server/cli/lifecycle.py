"""Running servers: ``start``, ``stop``, ``list``, ``files``, ``attach``, ``shell``, ``version``.

A server is ``pserve <ini>`` (its app and server sections per environment), started in the
background with its output in the instance's log file and its pid in the pid file, or kept in
the foreground with ``--attach``. ``start`` first prepares the database here, in the
terminal, as the server would (migration when allowed, rules, roles, the root user), so
schema problems and the first root password show on the screen and never in a log file.
"""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.error
import urllib.request

import click

from vantage6 import __version__
from vantage6.common import cli_service
from vantage6.common.cli_output import Failure, fields, note, success, warn
from vantage6.common.cli_select import scope_of, scope_option
from vantage6.server.cli.database import database_errors, describe, open_engine
from vantage6.server.cli.instance import (
    KIND,
    Instance,
    all_instances,
    instance_options,
    pass_instance,
    resolve,
)
from vantage6.server.listen import bind, refusal


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
        bind(host, port).close()
    except OSError as exc:
        raise Failure(
            f"cannot listen on {host}:{port} (listen in [{instance.server_section(instance.ini())}]"
            f" of {instance.config}): {refusal(exc)}"
        ) from None


def _prepare_database(instance: Instance, settings: dict) -> None:
    from vantage6.server.bootstrap import prepare_database

    note(f"Preparing the database {describe(settings)}")
    engine = open_engine(instance, settings)
    try:
        with database_errors(instance, settings):
            prepare_database(engine, settings)
    finally:
        engine.dispose()


def _healthy(url: str) -> cli_service.Readiness:
    def answers() -> bool:
        try:
            with urllib.request.urlopen(f"{url}/health", timeout=2) as response:
                return response.status == 200
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            return False

    return cli_service.Readiness(answers, f"did not answer at {url}/health")


@click.command()
@pass_instance
@cli_service.ATTACH
@cli_service.timeout_option(60, "Seconds to wait for the server to answer at /health.")
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
    command, cwd = pserve_command(instance), instance.config.parent
    if attach:
        cli_service.run_attached(
            instance,
            command,
            cwd,
            _healthy(url),
            timeout,
            lambda pid: f"Server {instance.label} is running at {url} (pid {pid}); Ctrl-C stops it",
        )
        return
    process = cli_service.start_background(instance, command, cwd, _healthy(url), timeout)
    success(f"Server {instance.label} is running at {url} (pid {process.pid})")
    note(f"  log: {instance.log_file}")
    note(f"  stop it with: vserver stop {instance.selector}")


@click.command()
@instance_options
@cli_service.stop_options(KIND)
def stop(name, config, system, environment, all_, timeout, force):
    """Stop a server gracefully (SIGTERM: websockets closed, requests in flight finished)
    and wait until it has ended; with --force, kill it when it has not ended in time.
    Stopping a server that is not running is no error.

    \b
    Examples:
      vserver stop --name demo
      vserver stop --all
      vserver stop --name demo --timeout 10 --force
    """
    if all_:
        cli_service.refuse_selection(name, config, KIND)
        cli_service.stop_all(all_instances(scope_of(system)), KIND, timeout, force)
    else:
        cli_service.stop_each([resolve(name, config, system, environment)], timeout, force)


def _row(instance: Instance) -> tuple[tuple[str, ...], str | None]:
    """The cells and colour of one instance in ``list``."""
    cells = (instance.name, instance.environment, instance.scope.value)
    try:
        url = instance.url(instance.settings())
    except Failure as exc:
        return (*cells, "configuration error", str(exc)), "red"
    pid = instance.pid()
    if pid is None:
        return (*cells, "stopped", url), None
    return (*cells, f"running (pid {pid})", url), "green"


@click.command("list")
@scope_option()
def list_(system):
    """List the server configurations (each environment) and whether they run.

    \b
    Examples:
      vserver list
      vserver list --user
    """
    header = ("NAME", "ENVIRONMENT", "SCOPE", "STATUS", "ADDRESS")
    cli_service.list_instances(Instance, all_instances(scope_of(system)), header, _row)


@click.command()
@pass_instance
def files(instance):
    """Show the files a server uses: configuration, database, log and pid file.

    \b
    Examples:
      vserver files --name demo
      vserver files --name demo --system -e test
    """
    from vantage6.server.database_url import sqlite_file

    rows = [
        ("configuration", str(instance.config)),
        ("environment", f"{instance.environment} ([app:{instance.app_name}])"),
        ("scope", instance.scope.value if instance.scope else "given with --config"),
    ]
    problem = None
    try:
        settings = instance.settings()
        path = sqlite_file(settings["sqlalchemy.url"])
        rows.append(("database", str(path) if path else describe(settings)))
    except Failure as exc:
        problem = exc
        rows.append(("database", "unknown: the configuration has an error"))
    fields(rows + instance.state_files())
    if problem is not None:
        raise problem


@click.command()
@pass_instance
@cli_service.LINES
def attach(instance, lines):
    """Show a running server's log as it is written, until the server stops or Ctrl-C
    (which leaves the server running).

    \b
    Example:
      vserver attach --name demo
    """
    cli_service.attach(instance, lines)


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
