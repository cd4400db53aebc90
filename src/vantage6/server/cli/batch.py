"""``vserver import FILE``: the batch import (vantage6.server.importer) from the command line."""

from __future__ import annotations

import click
from pyramid.settings import asbool, falsey, truthy

from vantage6.common.cli_output import Failure, note, success, warn
from vantage6.server.cli.database import database_errors, describe, open_engine
from vantage6.server.cli.instance import Instance, pass_instance

_COUNTED = {
    "organization": "organizations",
    "user": "users",
    "collaboration": "collaborations",
    "member": "memberships",
    "node": "nodes",
    "task": "example tasks",
}


def _allow_drop_all(instance: Instance, settings: dict) -> bool:
    value = str(settings.get("vantage6.allow_drop_all", "false")).strip().lower()
    if value not in truthy | falsey:
        raise Failure(
            f"vantage6.allow_drop_all in {instance.config} [app:{instance.app_name}] must be "
            f"true or false, not {value!r}"
        )
    return asbool(value)


def _printer(dry_run: bool):
    """Prints each entity as the import reaches it (the progress of a long import)."""
    created = click.style("would create" if dry_run else "created", fg="green")
    exists = click.style("exists", fg="yellow")

    def show(outcome) -> None:
        indent = "  " * (outcome.depth + 1)
        notes = f" ({'; '.join(outcome.notes)})" if outcome.notes else ""
        state = created if outcome.created else exists
        click.echo(f"{indent}{outcome.kind} {outcome.label}: {state}{notes}")

    return show


def _fail(file: str, problems) -> None:
    click.secho(f"Error: {file} cannot be imported:", fg="red", err=True)
    for problem in problems:
        click.secho(f"  {problem}", fg="red", err=True)
    raise Failure("nothing was written")


@click.command("import")
@pass_instance
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--dry-run", is_flag=True, help="Check and report everything, write nothing.")
@click.option(
    "--drop-all",
    is_flag=True,
    help="First delete every table and all data (needs vantage6.allow_drop_all = true).",
)
@click.option("-y", "--yes", is_flag=True, help="Do not ask to confirm --drop-all.")
def import_(instance, file, dry_run, drop_all, yes):
    """Import organizations, users, collaborations, nodes and example tasks from a YAML
    FILE (format: etc/batch_import.yaml). All or nothing: any problem, and nothing is
    written. Running it again creates only what is missing.

    Rights: a user without `roles:` gets the Researcher role, not the superuser rights the
    original vantage6 gave every imported user. For other rights give the user `roles:`,
    e.g. `roles: [Organization Admin]` (default roles, or roles of the user's
    organization).

    \b
    Examples:
      vserver import --name demo etc/batch_import.yaml --dry-run
      vserver import --name demo etc/batch_import.yaml
      vserver import --name demo etc/batch_import.yaml --drop-all --yes
    """
    from vantage6.server import importer

    try:
        plan = importer.load_file(file)
    except importer.ImportFailed as exc:
        _fail(file, exc.problems)
    settings = instance.settings()
    if drop_all:
        if not _allow_drop_all(instance, settings):
            raise Failure(
                f"--drop-all is off for this server: set vantage6.allow_drop_all = true in "
                f"{instance.config} [app:{instance.app_name}] to allow it"
            )
        if not dry_run and not yes:
            click.confirm(
                f"--drop-all deletes ALL data in {describe(settings)}. Continue?", abort=True
            )
    engine = open_engine(instance, settings)
    note(f"{'Checking' if dry_run else 'Importing'} {file} into {describe(settings)}")
    try:
        with database_errors(instance, settings):
            report = importer.run(
                engine,
                settings,
                plan,
                drop_all=drop_all,
                dry_run=dry_run,
                on_outcome=_printer(dry_run),
            )
    except importer.ImportFailed as exc:
        _fail(file, exc.problems)
    finally:
        engine.dispose()
    _rights(report, importer.DEFAULT_ROLES, dry_run)
    _summary(report, dry_run)


def _rights(report, default_roles: tuple[str, ...], dry_run: bool) -> None:
    """One line when users got the default roles: the original made them superusers."""
    if not report.default_roles:
        return
    roles = ", ".join(default_roles)
    note(
        f"{len(report.default_roles)} user(s) without `roles:` "
        f"{'would get' if dry_run else 'got'} the {roles} role, not superuser as in the "
        f"original vantage6; give a user `roles: [...]` (e.g. `roles: [Organization Admin]`) "
        f"for other rights"
    )


def _summary(report, dry_run: bool) -> None:
    made = [
        f"{report.count(kind, True)} {plural}"
        for kind, plural in _COUNTED.items()
        if report.count(kind, True)
    ]
    existing = sum(report.count(kind, False) for kind in _COUNTED)
    if report.weak_passwords:
        warn(
            f"{len(report.weak_passwords)} user(s) have passwords the API would refuse as weak "
            f"({', '.join(report.weak_passwords)}); change them before real use"
        )
    verb = "Would create" if dry_run else "Created"
    summary = f"{verb} {', '.join(made) or 'nothing'}; {existing} already existed."
    if dry_run:
        summary += " Dry run: nothing was written."
    success(summary)
