"""Run the original vantage6 4.x node (``vnode-local start``) outside its own Docker image, as
the mixed-fleet tests do. Executed by .venv-4x's Python 3.10, never imported by the suite.

vnode-local needs two work-arounds that do not touch how the node talks to a server: its local
mode lacks ``NodeContext.running_in_docker``, and on a machine with ``/.dockerenv`` (a CI
container) ``running_in_docker()`` answers yes, so it would look for its own container. Both
are told "not in Docker" before the CLI starts. Usage: python node_4x.py <config.yaml>
"""

import sys

import vantage6.common.docker.addons as addons
import vantage6.node
import vantage6.node.docker.docker_manager
import vantage6.node.docker.task_manager
from vantage6.cli.context.node import NodeContext
from vantage6.node.cli.node import cli_node


def not_in_docker() -> bool:
    return False


for module in (
    addons,
    vantage6.node,
    vantage6.node.docker.docker_manager,
    vantage6.node.docker.task_manager,
):
    module.running_in_docker = not_in_docker
NodeContext.running_in_docker = False

if __name__ == "__main__":
    sys.exit(cli_node(["start", "--config", sys.argv[1]]))
