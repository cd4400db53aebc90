"""The server's database from the command line: opening it as the server does, and
``vserver db upgrade|downgrade|current``."""

from __future__ import annotations

import contextlib

import click

from vantage6.common.cli_output import Failure, success
from vantage6.server.cli.instance import Instance, pass_instance


def describe(settings: dict) -> str:
    """The database URL without its password."""
    from vantage6.server.database_url import public_url

    return public_url(settings["sqlalchemy.url"])


def open_engine(instance: Instance, settings: dict):
    """An engine as the server makes it, with the server's argon2 costs for what is hashed."""
    from vantage6.server import argon2_cost
    from vantage6.server.db import get_engine
    from vantage6.server.security.hashing import configure_hasher

    configure_hasher(
        passwords=argon2_cost(settings, ""), api_keys=argon2_cost(settings, "api_key_")
    )
    with database_errors(instance, settings):  # no driver, no folder for an SQLite file
        return get_engine(settings)


@contextlib.contextmanager
def database_errors(instance: Instance, settings: dict):
    """Turn the database's refusals into one line naming the URL and where it is set."""
    from pyramid.exceptions import ConfigurationError
    from sqlalchemy.exc import SQLAlchemyError

    try:
        yield
    except ConfigurationError as exc:  # e.g. DatabaseNotReady: its text says what to do
        raise Failure(str(exc).replace("--config <your ini file>", instance.selector)) from None
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", None) or exc).splitlines()[0]
        raise Failure(
            f"database {describe(settings)} (sqlalchemy.url in {instance.config} "
            f"[app:{instance.app_name}]): {reason}"
        ) from None


@click.group()
def db():
    """Database schema migrations.

    \b
    Examples:
      vserver db current --name demo
      vserver db upgrade --config production.ini
      vserver db downgrade base --name demo --user
    """


def _migrate(instance: Instance, action, revision: str) -> None:
    from vantage6.server import migrate

    settings = instance.settings()
    engine = open_engine(instance, settings)
    with database_errors(instance, settings):
        action(engine, revision)
        now = migrate.current_revision(engine) or "base (empty)"
    success(f"Database schema is at {now}.")


@db.command()
@pass_instance
@click.argument("revision", default="head")
def upgrade(instance, revision):
    """Migrate the schema to REVISION (default: the newest).

    \b
    Example:
      vserver db upgrade --name demo
    """
    from vantage6.server import migrate

    _migrate(instance, migrate.upgrade, revision)


@db.command()
@pass_instance
@click.argument("revision")
def downgrade(instance, revision):
    """Migrate the schema back to REVISION ("base" removes every table).

    \b
    Example:
      vserver db downgrade base --config test.ini
    """
    from vantage6.server import migrate

    _migrate(instance, migrate.downgrade, revision)


@db.command()
@pass_instance
def current(instance):
    """Show the schema's revision and whether it is up to date.

    \b
    Example:
      vserver db current --name demo
    """
    from vantage6.server import migrate

    settings = instance.settings()
    engine = open_engine(instance, settings)
    with database_errors(instance, settings):
        revision = migrate.current_revision(engine) or "none"
        state = migrate.schema_state(engine).value
    click.echo(f"{revision} ({state}; newest is {migrate.head_revision()})")
