"""The node process ``vnode start`` runs: ``python -m vantage6.node.runner CONFIG [ENV]``
(ENV: the environment of the ini file to run, vantage6.node.config).

It runs the node in the foreground until SIGTERM or Ctrl-C; algorithms that are running then
keep running, and the next start picks them up again. Once the node has logged in and
listens to the server, one line starting with :data:`READY` goes to stdout: what
``vnode start`` waits for in the log. Exit code 0 after a stop, 1 when the node could not
(go on) run(ning).
"""

from __future__ import annotations

import logging
import signal
import sys
import threading

from vantage6.node.config import ConfigError, configure_logging, load_config

log = logging.getLogger("vantage6.node")

READY = "vantage6 node ready:"


def main(arguments: list[str]) -> int:
    if len(arguments) not in (1, 2):
        print("usage: python -m vantage6.node.runner CONFIG [ENVIRONMENT]", file=sys.stderr)
        return 2
    from vantage6.node.daemon import Node, NodeError

    try:
        config = load_config(*arguments)
    except ConfigError as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return 1
    configure_logging(config)
    try:
        node = Node(config)
    except NodeError as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return 1
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
    announced = False
    while worker.is_alive():
        worker.join(0.2)
        if not announced and node.started.is_set():
            _announce(node, config)
            announced = True
    if failure:
        log.error("%s", failure[0])
        print(f"Error: {failure[0]}", file=sys.stderr, flush=True)
        return 1
    return 0


def _announce(node, config) -> None:
    server = node.server
    print(
        f"{READY} node {server.node_id} of organization {server.organization_id} in "
        f"collaboration {server.collaboration_id} at {config.api_url}",
        flush=True,
    )


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
