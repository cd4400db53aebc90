"""The machinery of the ``new`` wizards of ``vserver`` and ``vnode``: questions that are
also command line options (so scripts can answer every one of them, ``--no-input`` taking
the defaults), asked again until the answer passes its check, and configuration files
written whole or not at all.
"""

from __future__ import annotations

import ipaddress
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import click

from vantage6.common.cli_output import Failure
from vantage6.common.configdirs import check_name
from vantage6.common.logfile import BACKUP_COUNT, MAX_BYTES

_HOST = re.compile(r"[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?")
LOG_LEVELS = ("CRITICAL", "ERROR", "WARNING", "INFO", "DEBUG")


@dataclass(frozen=True)
class LogSettings:
    """Where the ini's logging writes, beyond the level: the service log (``log``: the terminal
    in the foreground, the log file ``files`` shows in the background) and/or a size-rotated
    file of its own (``file``: an absolute path). Empty format/datefmt: the wizard's own."""

    max_bytes: int = MAX_BYTES
    backup_count: int = BACKUP_COUNT
    service_log: bool = True
    file: str = ""
    format: str = ""
    datefmt: str = ""

    @property
    def handlers(self) -> str:
        """The handler names, for ``[handlers] keys`` and the root logger's ``handlers``."""
        return ", ".join(["log"] * self.service_log + ["file"] * bool(self.file))


def render_log_handlers(
    log: LogSettings, format: str, datefmt: str = "", handler_level: bool = False
) -> str:
    """The ``[handler_*]`` and ``[formatter_generic]`` sections of ``log``; ``format`` and
    ``datefmt`` are the wizard's defaults (no datefmt line when both are empty)."""
    level = "level = NOTSET\n" if handler_level else ""
    sizes = f"{{'maxBytes': {log.max_bytes}, 'backupCount': {log.backup_count}}}"
    text = ""
    if log.service_log:
        text += (
            "[handler_log]\nclass = vantage6.common.logfile.ServiceLog\n"
            f"kwargs = {sizes}\n{level}formatter = generic\n\n"
        )
    if log.file:
        # fileConfig interpolates args (%(here)s), so a '%' in the path is doubled
        path = repr(log.file).replace("%", "%%")
        args = f"({path}, 'a', {log.max_bytes}, {log.backup_count}, 'utf-8')"
        text += (
            "[handler_file]\nclass = handlers.RotatingFileHandler\n"
            f"args = {args}\n{level}formatter = generic\n\n"
        )
    text += f"[formatter_generic]\nformat = {log.format or format}\n"
    if log.datefmt or datefmt:
        text += f"datefmt = {log.datefmt or datefmt}\n"
    return text


def check_host(value: str) -> str | None:
    try:
        ipaddress.ip_address(value)
        return None
    except ValueError:
        pass
    return None if _HOST.fullmatch(value) else "must be an IP address or a host name"


@dataclass(frozen=True)
class Question:
    key: str
    text: str
    default: Callable[[dict], object]
    type: object = str  # a click type; bool questions are yes/no
    check: Callable[[object], str | None] | None = None
    when: Callable[[dict], bool] = lambda answers: True
    hide: bool = False
    help: str = ""
    multiple: bool = False  # a list: the option repeats, the prompt asks until an empty answer

    @property
    def flag(self) -> str:
        return "--" + self.key.replace("_", "-")


def ask(question: Question, given, answers: dict, no_input: bool):
    """The answer: the option's value, else the default (--no-input), else the prompt's."""
    default = question.default(answers)
    if question.multiple:
        given = list(given) or None  # click gives () for a repeatable option left out
    if given is not None:
        for value in given if question.multiple else [given]:
            problem = question.check(value) if question.check else None
            if problem:
                raise click.BadParameter(problem, param_hint=question.flag)
        return given
    if no_input:
        return default
    if question.multiple:
        return _ask_many(question, default)
    if question.type is bool:
        return click.confirm(question.text, default=default)
    return _prompt(question, default)


def _prompt(question: Question, default, empty_ends: bool = False):
    while True:
        value = click.prompt(
            question.text,
            default=default,
            type=question.type,
            hide_input=question.hide,
            show_default=not question.hide and default != "",
        )
        if empty_ends and value == "":
            return value
        problem = question.check(value) if question.check else None
        if not problem:
            return value
        click.secho(f"Error: {question.text.split(' (')[0]} {problem}", fg="red", err=True)


def _ask_many(question: Question, defaults: list) -> list:
    """One answer a prompt, until an empty one; the defaults when the first is empty."""
    values = []
    while True:
        value = _prompt(question, "", empty_ends=True)
        if value == "":
            return values or list(defaults)
        values.append(value)


def question_options(questions):
    """A decorator: an option for each question (``--x/--no-x`` for yes/no ones)."""

    def decorate(function):
        for question in reversed(questions):
            if question.type is bool:
                name = question.flag[2:]
                option = click.option(
                    f"--{name}/--no-{name}", question.key, default=None, help=question.help
                )
            else:
                option = click.option(
                    question.flag,
                    question.key,
                    type=question.type,
                    multiple=question.multiple,
                    help=question.help,
                )
            function = option(function)
        return function

    return decorate


def ask_all(questions, given: dict, answers: dict, no_input: bool) -> dict:
    """``answers`` completed with an answer to each question that applies, in order."""
    for question in questions:
        if question.when(answers):
            answers[question.key] = ask(question, given[question.key], answers, no_input)
    return answers


def new_name(name: str | None, kind: str, no_input: bool) -> str:
    """The new configuration's name: the option's, else asked; a file name either way."""
    if name is None:
        if no_input:
            raise click.UsageError("--name is required with --no-input")
        name = click.prompt(f"Name of the new {kind} configuration")
    try:
        return check_name(name)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--name") from None


def write_config(path: Path, text: str, new_file: bool = True) -> None:
    """Create ``path`` (mode 0600: configurations hold secrets) with ``text``, never over an
    existing file; or, ``new_file`` False, append ``text`` to it."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if new_file:
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(descriptor, "w") as file:
                file.write(text)
        else:
            with path.open("a") as file:
                file.write("\n" + text)
    except FileExistsError:
        raise Failure(f"{path} was created meanwhile; nothing written") from None
    except PermissionError:
        raise Failure(
            f"no permission to write {path}: run as an administrator, or use --user"
        ) from None
    except OSError as exc:
        raise Failure(f"cannot write {path}: {exc.strerror}") from None


def from_yaml_option(kind: str, takes: str):
    """``--from-yaml FILE`` of ``vnode new`` and ``vserver new``; ``takes``: the other options
    it goes with."""
    return click.option(
        "--from-yaml",
        type=click.Path(exists=True, dir_okay=False, path_type=Path),
        help=f"Write it from a vantage6 4.x {kind} configuration in YAML (the documentation's "
        "format) instead of asking: each key is mapped or named with why it is not. Takes "
        f"--name (default: the file's name), {takes} only.",
    )
