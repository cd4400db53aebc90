"""Which configuration a ``vserver`` or ``vnode`` command is about: a named one in the system
or user folder (vantage6.common.configdirs), or an ini file anywhere given with ``--config``;
and where that instance keeps its pid and log file.

:class:`Instance` is the part both command lines share; each subclasses it with its ``KIND``
(the configuration folder's name) and ``COMMAND`` (for the hints printed).
"""

from __future__ import annotations

import configparser
import functools
import hashlib
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

import click

from vantage6.common import background
from vantage6.common.cli_output import Failure
from vantage6.common.configdirs import (
    ConfigLookupError,
    FoundConfig,
    Scope,
    data_dir,
    find_config,
    folder_names,
    list_configs,
)

APPLICATION = "application"  # the settings outside every environment's own
ENVIRONMENTS = ("dev", "test", "acc", "prod")  # the seed's DTAP environments


@dataclass(frozen=True)
class Instance:
    KIND: ClassVar[str]  # "server" or "node"
    COMMAND: ClassVar[str]  # "vserver" or "vnode"

    name: str
    config: Path
    scope: Scope | None  # None: given with --config
    state_dir: Path
    environment: str = APPLICATION  # dev, test, acc, prod, or none of them

    @property
    def label(self) -> str:
        suffix = "" if self.environment == APPLICATION else f" ({self.environment})"
        return f"{self.name!r}{suffix}"

    @property
    def stem(self) -> str:
        """Names the pid and log file: each environment runs as an instance of its own."""
        return self.name if self.environment == APPLICATION else f"{self.name}-{self.environment}"

    @property
    def pid_file(self) -> Path:
        return self.state_dir / f"{self.stem}.pid"

    @property
    def log_file(self) -> Path:
        return self.state_dir / f"{self.stem}.log"

    def state_files(self) -> list[tuple[str, str]]:
        """The rows ``files`` shows for the instance's own files."""
        return [
            ("log file", str(self.log_file)),
            ("pid file", str(self.pid_file)),
            ("data folder", str(self.state_dir)),
        ]

    def selector_parts(self) -> list[str]:
        parts = [f"--config {self.config}"]
        if self.scope is not None:
            parts = [f"--name {self.name}", f"--{self.scope.value}"]
        if self.environment != APPLICATION:
            parts.append(f"-e {self.environment}")
        return parts

    @property
    def selector(self) -> str:
        """The options that select this instance again, for the hints we print."""
        return " ".join(self.selector_parts())

    def pid(self) -> int | None:
        """The pid of this instance's running process, if it runs."""
        return background.read_pid(self.pid_file, marker=str(self.config))

    @classmethod
    def named(cls, found: FoundConfig, **extra):
        return cls(
            found.name,
            found.path,
            found.scope,
            data_dir(cls.KIND, found.scope, found.name),
            **extra,
        )

    @classmethod
    def from_file(cls, path: Path, **extra):
        """An ini file outside the configuration folders: its state goes to the user's data
        folder, under its name and a digest of its path (two ``x.ini`` files never mix)."""
        digest = hashlib.sha256(str(path).encode()).hexdigest()[:8]
        state_dir = data_dir(cls.KIND, Scope.USER, f"{path.stem}-{digest}")
        return cls(path.stem, path, None, state_dir, **extra)

    @classmethod
    def resolve(cls, name: str | None, config: str | None, system: bool | None, **extra):
        """The instance the options select; without any, the only configuration there is."""
        if name and config:
            raise click.UsageError("give --name or --config, not both")
        if config:
            path = Path(config).expanduser().resolve()
            if not path.is_file():
                raise Failure(f"{path}: no such configuration file")
            return cls.from_file(path, **extra)
        scope = scope_of(system)
        try:
            found = find_config(cls.KIND, name or cls._choose_name(scope), scope)
        except ConfigLookupError as exc:
            raise Failure(str(exc)) from None
        except ValueError as exc:  # not a name a configuration file can have
            raise click.BadParameter(str(exc), param_hint="--name") from None
        return cls.named(found, **extra)

    @classmethod
    def _choose_name(cls, scope: Scope | None) -> str:
        """Without --name: the only configuration there is, or the one picked at the prompt."""
        names = sorted({found.name for found in list_configs(cls.KIND, scope)})
        if not names:
            raise Failure(
                f"no {cls.KIND} configuration in {folder_names(cls.KIND, scope)}; create one "
                f"with `{cls.COMMAND} new`"
            )
        if len(names) == 1:
            return names[0]
        if not sys.stdin.isatty():
            raise click.UsageError(
                f"there are several {cls.KIND}s ({', '.join(names)}): pick one with --name"
            )
        return click.prompt(f"Which {cls.KIND}", type=click.Choice(names))


def read_ini(path: Path, parser: configparser.ConfigParser) -> configparser.ConfigParser:
    """``parser`` with the ini file ``path`` read into it; errors name the file."""
    try:
        with path.open(encoding="utf-8") as file:
            parser.read_file(file)
    except OSError as exc:
        raise Failure(f"cannot read {path}: {exc.strerror}") from None
    except configparser.Error as exc:
        raise Failure(f"{path} is not a valid ini file: {exc}") from None
    return parser


def scope_of(system: bool | None) -> Scope | None:
    return None if system is None else (Scope.SYSTEM if system else Scope.USER)


def selection_options(kind: str, command: str) -> list:
    """``--name``, ``--config`` and ``--system/--user``, as each command that selects one
    instance has them."""
    return [
        click.option(
            "-n", "--name", help=f"The {kind}'s configuration name (see `{command} list`)."
        ),
        click.option(
            "-c",
            "--config",
            type=click.Path(dir_okay=False),
            help="An ini file anywhere, instead of a name from the configuration folders.",
        ),
        scope_option(),
    ]


def environment_option(help: str):
    """``-e/--environment``, the same for vserver and vnode."""
    return click.option(
        "-e",
        "--environment",
        type=click.Choice((APPLICATION, *ENVIRONMENTS)),
        default=APPLICATION,
        show_default=True,
        help=help,
    )


def scope_option():
    return click.option(
        "--system/--user",
        "system",
        default=None,
        help="Look only in the system (or only in the user) folder. Default: both.",
    )


def with_options(options):
    """A decorator adding ``options`` (click options), first one on top of ``--help``."""

    def decorate(function):
        for option in reversed(options):
            function = option(function)
        return function

    return decorate


def pass_instance(cls: type[Instance], *extra_options, extra_keys: tuple[str, ...] = ()):
    """The selection options (plus ``extra_options``, whose values named in ``extra_keys``
    go to :meth:`Instance.resolve`), handing the command the resolved instance."""

    def decorate(function):
        @with_options([*selection_options(cls.KIND, cls.COMMAND), *extra_options])
        @functools.wraps(function)
        def command(name, config, system, **kwargs):
            extra = {key: kwargs.pop(key) for key in extra_keys}
            return function(cls.resolve(name, config, system, **extra), **kwargs)

        return command

    return decorate
