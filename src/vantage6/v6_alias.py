"""``v6``: the command name of vantage6 4.x, which the newest user documentation uses
(``v6 server shell``, ``v6 node start``). ``v6 server``, ``v6 node`` and ``v6 dev`` are the
``vserver``, ``vnode`` and ``vdev`` command lines themselves, not copies of them.

Each is imported when it is called, so that ``v6 node ...`` starts as fast as ``vnode ...``
(the server's command line imports Pyramid and SQLAlchemy).
"""

from __future__ import annotations

from importlib import import_module

import click

from vantage6 import __version__

COMMAND_LINES = {
    "server": "vantage6.server.cli",
    "node": "vantage6.node.cli",
    "dev": "vantage6.dev.cli",
}
# 4.x command groups that have no counterpart here, and why.
NOT_HERE = {
    "algorithm": "there are no algorithm templates here",
    "algorithm-store": "there is no algorithm store",
    "test": "`v6 dev run-demo` runs a task on a demo network instead",
}


class AliasGroup(click.Group):
    """The command lines by name, each imported when it is called (or listed in --help)."""

    def list_commands(self, ctx) -> list[str]:
        return list(COMMAND_LINES)

    def get_command(self, ctx, name):
        if name in NOT_HERE:
            raise click.UsageError(
                f"`v6 {name}` of vantage6 4.x is not available: {NOT_HERE[name]}"
            )
        module = COMMAND_LINES.get(name)
        return import_module(module).cli if module else None


@click.group(cls=AliasGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="v6")
def cli():
    """v6, the command name of vantage6 4.x: `v6 server ...` runs `vserver ...`, `v6 node ...`
    runs `vnode ...` and `v6 dev ...` runs `vdev ...`, with the same commands and options.

    \b
    Examples:
      v6 server new --name demo --user      # vserver new --name demo --user
      v6 server shell --name demo           # vserver shell --name demo
      v6 node start --name hospital-a       # vnode start --name hospital-a

    4.x's `v6 algorithm`, `v6 algorithm-store` and `v6 test` are not available.
    """
