"""``vserver``: create, run and administer vantage6 servers from the command line.

Configurations live in the system or user folder of this OS (vantage6.common.configdirs), or
anywhere with ``--config``. Exit codes: 0 done, 1 failed (the message says why), 2 wrong usage.
"""

import click

from vantage6 import __version__
from vantage6.server.cli.batch import import_
from vantage6.server.cli.database import db
from vantage6.server.cli.lifecycle import attach, files, list_, shell, start, stop, version
from vantage6.server.cli.vpn_hub import vpn_hub
from vantage6.server.cli.wizard import new


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="vserver")
def cli():
    """Manage vantage6 servers.

    \b
    Quick start:
      vserver new --name demo --user          # asks the settings, writes demo.ini
      vserver start --name demo               # serves it in the background
      vserver import --name demo etc/batch_import.yaml
      vserver stop --name demo

    Run `vserver COMMAND --help` for a command's options and examples.
    """


for command in (new, start, stop, list_, files, attach, shell, import_, version, db, vpn_hub):
    cli.add_command(command)
