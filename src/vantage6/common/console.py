"""Short coloured messages for people at a terminal (the original's ``info``/``warning``/
``error``/``debug`` helpers, which scripts written for it import from ``vantage6.common``)."""

from __future__ import annotations

import click

_STYLES = {
    "info": ("info", "cyan"),
    "warning": ("warn", "yellow"),
    "error": ("error", "red"),
    "debug": ("debug", "magenta"),
}


def _say(kind: str, message: str) -> None:
    label, colour = _STYLES[kind]
    click.echo(f"[{click.style(label, fg=colour)}] - {message}", err=kind != "info")


def info(message: str) -> None:
    _say("info", message)


def warning(message: str) -> None:
    _say("warning", message)


def error(message: str) -> None:
    _say("error", message)


def debug(message: str) -> None:
    _say("debug", message)
