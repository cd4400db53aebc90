"""``vserver``: command-line administration of a server."""

import click
from pyramid.paster import get_appsettings, setup_logging

from vantage6.server import migrate
from vantage6.server.db import get_engine
from vantage6.server.settings import load_settings


@click.group()
def cli():
    """Manage a vantage6 server."""


@cli.group()
def db():
    """Database schema migrations."""


config_option = click.option(
    "--config",
    "config_path",
    required=True,
    type=click.Path(exists=True, dir_okay=False),
    help="The server's ini file (e.g. production.ini).",
)


def _engine(config_path: str):
    setup_logging(config_path)
    return get_engine(load_settings(get_appsettings(config_path)))


@db.command()
@config_option
@click.argument("revision", default="head")
def upgrade(config_path, revision):
    """Migrate the schema to REVISION (default: the newest)."""
    engine = _engine(config_path)
    migrate.upgrade(engine, revision)
    click.echo(f"Database schema is at {migrate.current_revision(engine)}.")


@db.command()
@config_option
@click.argument("revision")
def downgrade(config_path, revision):
    """Migrate the schema back to REVISION ("base" removes every table)."""
    engine = _engine(config_path)
    migrate.downgrade(engine, revision)
    click.echo(f"Database schema is at {migrate.current_revision(engine) or 'base (empty)'}.")


@db.command()
@config_option
def current(config_path):
    """Show the schema's revision and whether it is up to date."""
    engine = _engine(config_path)
    revision = migrate.current_revision(engine) or "none"
    state = migrate.schema_state(engine).value
    click.echo(f"{revision} ({state}; newest is {migrate.head_revision()})")
