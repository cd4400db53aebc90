"""``vdev``: a demo network of one server and a few nodes on this machine."""

from __future__ import annotations

import functools
from pathlib import Path

import click
import platformdirs

from vantage6.client.errors import ClientError
from vantage6.dev.network import DemoError, DemoNetwork

RUNTIMES = ("auto", "docker", "process")


def _default_directory(name: str) -> Path:
    return platformdirs.user_data_path("vantage6") / "demo" / name


def _network(name: str, directory: str | None) -> DemoNetwork:
    return DemoNetwork(Path(directory) if directory else _default_directory(name))


def network_options(function):
    function = click.option(
        "--directory", type=click.Path(file_okay=False), help="Where the network lives."
    )(function)
    return click.option("-n", "--name", default="demo", show_default=True)(function)


@click.group()
def cli():
    """Demo networks: `vdev run-demo` makes one, starts it, runs a federated average and
    stops it again."""


def _runtime(choice: str) -> str:
    from vantage6.dev.demo import docker_ready

    if choice != "auto":
        return choice
    if docker_ready():
        return "docker"
    click.secho(
        "No Docker engine with the demo image (scripts/build-images builds it): the nodes "
        "run algorithms as plain local processes, WITHOUT ANY ISOLATION.",
        fg="yellow",
        err=True,
    )
    return "process"


def _create(network: DemoNetwork, nodes: int, port: int, runtime: str) -> None:
    credentials = network.create(nodes, port, _runtime(runtime))
    click.echo(f"Demo network in {network.directory}")
    click.echo(f"  server  {credentials.url}:{credentials.port}/api")
    click.echo(f"  root    password {credentials.root_password}")
    for username, password in credentials.users.items():
        click.echo(f"  {username}  password {password}")
    click.echo(f"  (also in {network.credentials_file})")


def reports_demo_errors(function):
    """A :class:`DemoError`, or the client's report of a failed or refused task, ends the
    command with its message (exit code 1) instead of a traceback."""

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        try:
            return function(*args, **kwargs)
        except (DemoError, ClientError) as exc:
            raise click.ClickException(str(exc)) from None

    return wrapper


def creation_options(function):
    function = click.option(
        "--runtime", type=click.Choice(RUNTIMES), default="auto", show_default=True
    )(function)
    function = click.option("--server-port", default=7601, show_default=True)(function)
    return click.option(
        "--num-nodes",
        default=3,
        show_default=True,
        help="How many organizations (1-12); each has a node in both collaborations "
        "(example_collab1, example_survival).",
    )(function)


@cli.command("create-demo-network")
@network_options
@creation_options
@reports_demo_errors
def create_demo_network(name, directory, num_nodes, server_port, runtime):
    """Write the server and node configurations, give each node a slice of the sample data
    (patients in example_collab1, their survival in example_survival), and import the
    organizations, collaborations, users and nodes."""
    _create(_network(name, directory), num_nodes, server_port, runtime)


@cli.command("start-demo-network")
@network_options
@reports_demo_errors
def start_demo_network(name, directory):
    """Start the server and the nodes in the background."""
    network = _network(name, directory)
    network.start()
    click.echo(f"Started; logs in {network.directory}")


@cli.command("stop-demo-network")
@network_options
@reports_demo_errors
def stop_demo_network(name, directory):
    """Stop the nodes and the server (running algorithms are left to finish)."""
    _network(name, directory).stop()


@cli.command("remove-demo-network")
@network_options
@click.confirmation_option(prompt="Remove the demo network and all its data?")
@reports_demo_errors
def remove_demo_network(name, directory):
    """Stop the network and delete its folder."""
    _network(name, directory).remove()


@cli.command("run-demo")
@network_options
@creation_options
@click.option("--keep", is_flag=True, help="Leave the network running afterwards.")
@reports_demo_errors
def run_demo(name, directory, num_nodes, server_port, runtime, keep):
    """Make the network if needed, start it, compute the federated average of the sample
    data's `age` column through the Python client, and print it next to the pooled one."""
    from vantage6.dev.demo import COLUMN, federated_average, pooled_average

    network = _network(name, directory)
    if not network.credentials_file.exists():
        _create(network, num_nodes, server_port, runtime)
    network.start()
    try:
        result = federated_average(network)
    finally:
        if not keep:
            network.stop()
    click.secho(f"federated average of {COLUMN!r}: {result['average']}", fg="green", bold=True)
    click.echo(f"pooled average computed here:  {pooled_average()}")
    if keep:
        _announce_kept(network)


def _announce_kept(network: DemoNetwork) -> None:
    """Where to look at the running network: the web UI, as the researcher who ran the task."""
    credentials = network.credentials()
    username, password = next(iter(credentials.users.items()))
    click.echo(f"The network keeps running. Web UI: {credentials.ui_url}")
    click.echo(f"  sign in as {username}, password {password}")
    click.echo(f"  stop it with: vdev stop-demo-network --directory {network.directory}")
