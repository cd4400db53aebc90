"""``vnode``: run a node from its ini file (``vnode start node.ini``)."""

from __future__ import annotations

import logging
import signal
import sys
import threading

import click

from vantage6.node.config import ConfigError, configure_logging, load_config

log = logging.getLogger("vantage6.node")


@click.group()
def cli():
    """The vantage6 node: runs the algorithms a vantage6 server hands out, on local data."""


@cli.command()
@click.argument("config", type=click.Path(dir_okay=False))
def start(config):
    """Start the node configured by CONFIG (an ini file, see node/node.ini) and run it in the
    foreground until SIGTERM or Ctrl-C. Algorithms that are running then keep running; the
    next start picks them up again."""
    from vantage6.node.daemon import Node, NodeError

    try:
        node_config = load_config(config)
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None
    configure_logging(node_config)
    try:
        node = Node(node_config)
    except NodeError as exc:
        raise click.ClickException(str(exc)) from None
    failure = []

    def run():
        try:
            node.run()
        except NodeError as exc:
            failure.append(exc)
        except Exception as exc:
            log.exception("The node failed")
            failure.append(exc)

    # The node works in a thread; this one waits for signals, so a handler never runs
    # inside the node's own locks.
    worker = threading.Thread(target=run, name="vantage6-node")
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: node.stop())
    worker.start()
    while worker.is_alive():
        worker.join(0.5)
    if failure:
        log.error("%s", failure[0])
        click.echo(f"Error: {failure[0]}", err=True)
        sys.exit(1)
