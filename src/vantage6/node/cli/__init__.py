"""``vnode``: create, run and look after vantage6 nodes from the command line.

Configurations live in the system or user folder of this OS (vantage6.common.configdirs), or
anywhere with ``--config``. Exit codes: 0 done, 1 failed (the message says why), 2 wrong usage.
"""

import click

from vantage6 import __version__
from vantage6.node.cli.keys import create_private_key, set_api_key
from vantage6.node.cli.lifecycle import attach, files, list_, start, stop
from vantage6.node.cli.trust import trust_key
from vantage6.node.cli.wizard import new


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="vnode")
def cli():
    """Manage vantage6 nodes: each runs the algorithms a vantage6 server hands out, on
    this organization's data.

    \b
    Quick start:
      vnode new --name hospital-a            # asks the settings, writes hospital-a.ini
      vnode start --name hospital-a          # runs it in the background
      vnode attach --name hospital-a         # follows its log
      vnode stop --name hospital-a

    Run `vnode COMMAND --help` for a command's options and examples.
    """


for command in (
    new,
    start,
    stop,
    list_,
    files,
    attach,
    set_api_key,
    create_private_key,
    trust_key,
):
    cli.add_command(command)
