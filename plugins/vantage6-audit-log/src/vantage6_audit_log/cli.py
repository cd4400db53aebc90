"""``vantage6-audit verify FILE``: check an audit log's chain; exit status 1 when broken."""

from __future__ import annotations

import sys

import click

from vantage6_audit_log.chain import verify as verify_chain


@click.group()
def cli():
    """Tools for the audit log of a vantage6 server."""


@cli.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--head",
    metavar="HASH",
    help="The last hash of an earlier check: the log must still hold that entry.",
)
def verify(file, head):
    """Check that no entry of FILE was changed, removed, inserted or reordered."""
    verdict = verify_chain(file, head)
    if verdict.problem:
        where = f"line {verdict.broken_line}: " if verdict.broken_line else ""
        click.echo(f"{file}: BROKEN: {where}{verdict.problem}", err=True)
        click.echo(f"{file}: the first {verdict.entries} entries are intact", err=True)
        sys.exit(1)
    click.echo(f"{file}: OK, {verdict.entries} entries; last hash {verdict.head}")
