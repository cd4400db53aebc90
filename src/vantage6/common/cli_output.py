"""What ``vserver`` and ``vnode`` print: one look for success, notes, warnings and errors, and
exit codes scripts can trust (0 done, 1 failed, 2 wrong usage: click's own)."""

from __future__ import annotations

import click


class Failure(click.ClickException):
    """The command could not do its job (exit code 1); the message names what is at fault."""

    def show(self, file=None) -> None:
        click.secho(f"Error: {self.format_message()}", err=True, fg="red", file=file)


def success(message: str) -> None:
    click.secho(f"✓ {message}", fg="green")


def note(message: str) -> None:
    click.echo(message)


def warn(message: str) -> None:
    click.secho(f"! {message}", fg="yellow", err=True)


def step(message: str) -> None:
    """A long step starting: shown at once, its end completes the line (see :func:`done`)."""
    click.echo(f"{message} ", nl=False)


def done(message: str = "done", ok: bool = True) -> None:
    click.secho(message, fg="green" if ok else "red")


def table(rows: list[tuple[str, ...]], header: tuple[str, ...], colors=None) -> None:
    """Columns padded to fit; ``colors`` gives each row's colour (or None)."""
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]
    heading = "  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True))
    click.secho(heading.rstrip(), bold=True)
    for row, color in zip(rows, colors or [None] * len(rows), strict=True):
        line = "  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)).rstrip()
        click.secho(line, fg=color)


def fields(rows: list[tuple[str, str]]) -> None:
    """``label  value`` lines, the labels bold and padded to one width (``files``)."""
    width = max(len(label) for label, _ in rows)
    for label, value in rows:
        click.echo(f"{click.style(label.ljust(width), bold=True)}  {value}")
