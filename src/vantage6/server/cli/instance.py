"""Which server a command is about: a named configuration in the system or user folder, or
an ini file given with ``--config``, and one of its environments.

Environments (the seed's ``-e application|dev|test|acc|prod``) are sections of the one ini
file: ``application`` is ``[app:main]`` (served by ``[server:main]``), any other environment
``ENV`` is ``[app:ENV]``, served by ``[server:ENV]`` when the file has one, else by
``[server:main]``. Each environment has its own pid, log and (by default) database file.
"""

from __future__ import annotations

import configparser
import functools
import hashlib
import sys
from dataclasses import dataclass
from pathlib import Path

import click

from vantage6.common import background
from vantage6.common.configdirs import (
    ConfigLookupError,
    Scope,
    config_dir,
    data_dir,
    find_config,
    list_configs,
)
from vantage6.server.cli.output import Failure

KIND = "server"
APPLICATION = "application"
ENVIRONMENTS = (APPLICATION, "dev", "test", "acc", "prod")
DEFAULT_LISTEN = "0.0.0.0:7601"  # the gevent runner's default (vantage6.server.serve)


def app_name(environment: str) -> str:
    return "main" if environment == APPLICATION else environment


def read_ini(path: Path) -> configparser.ConfigParser:
    """The ini file as PasteDeploy reads it (``%(here)s`` included); errors name the file."""
    parser = configparser.ConfigParser(
        defaults={"here": str(path.parent), "__file__": str(path)}, strict=False
    )
    try:
        with path.open(encoding="utf-8") as file:
            parser.read_file(file)
    except OSError as exc:
        raise Failure(f"cannot read {path}: {exc.strerror}") from None
    except configparser.Error as exc:
        raise Failure(f"{path} is not a valid ini file: {exc}") from None
    return parser


def environments(parser: configparser.ConfigParser) -> list[str]:
    """The environments an ini file defines, in the order of :data:`ENVIRONMENTS`."""
    return [env for env in ENVIRONMENTS if parser.has_section(f"app:{app_name(env)}")]


@dataclass(frozen=True)
class Instance:
    name: str
    config: Path
    environment: str
    scope: Scope | None  # None: given with --config
    state_dir: Path

    @property
    def label(self) -> str:
        suffix = "" if self.environment == APPLICATION else f" ({self.environment})"
        return f"{self.name!r}{suffix}"

    @property
    def stem(self) -> str:
        return self.name if self.environment == APPLICATION else f"{self.name}-{self.environment}"

    @property
    def app_name(self) -> str:
        return app_name(self.environment)

    @property
    def pid_file(self) -> Path:
        return self.state_dir / f"{self.stem}.pid"

    @property
    def log_file(self) -> Path:
        return self.state_dir / f"{self.stem}.log"

    @property
    def selector(self) -> str:
        """The options that select this instance again, for the hints we print."""
        if self.scope is None:
            parts = [f"--config {self.config}"]
        else:
            parts = [f"--name {self.name}", f"--{self.scope.value}"]
        if self.environment != APPLICATION:
            parts.append(f"-e {self.environment}")
        return " ".join(parts)

    def ini(self) -> configparser.ConfigParser:
        parser = read_ini(self.config)
        if not parser.has_section(f"app:{self.app_name}"):
            found = ", ".join(environments(parser)) or "none"
            raise Failure(
                f"{self.config} has no [app:{self.app_name}] section for environment "
                f"{self.environment!r} (environments in it: {found})"
            )
        return parser

    def server_section(self, parser: configparser.ConfigParser) -> str:
        own = f"server:{self.app_name}"
        return own if parser.has_section(own) else "server:main"

    def settings(self) -> dict:
        """The checked settings of this environment (as the server reads them)."""
        from pyramid.exceptions import ConfigurationError
        from pyramid.paster import get_appsettings

        from vantage6.server.settings import load_settings

        self.ini()
        where = f"{self.config} [app:{self.app_name}]"
        try:
            raw = get_appsettings(str(self.config), name=self.app_name)
        except Exception as exc:  # PasteDeploy's errors have no common base class
            raise Failure(f"cannot load {where}: {exc}") from None
        try:
            return load_settings(raw)
        except ConfigurationError as exc:
            raise Failure(f"{where}: {exc}") from None

    def listen(self) -> tuple[str, int]:
        """Host and port the server binds, from its ``[server:...]`` section."""
        parser = self.ini()
        section = self.server_section(parser)
        if not parser.has_section(section):
            raise Failure(f"{self.config} has no [{section}] section")
        values = parser[section]
        if "listen" in values or "host" not in values:
            value = values.get("listen", DEFAULT_LISTEN).split()[0]
            host, _, port = value.rpartition(":")
            setting = f"listen in [{section}]"
        else:
            host, port = values["host"], values.get("port", "")
            setting = f"host/port in [{section}]"
        if not port.isdigit() or not 0 < int(port) < 65536:
            raise Failure(f"{setting} of {self.config}: {port!r} is not a port number")
        return host.strip("[]") or "0.0.0.0", int(port)

    def url(self, settings: dict) -> str:
        """The API's address on this machine (an any-interface bind is reached on loopback)."""
        host, port = self.listen()
        host = {"0.0.0.0": "127.0.0.1", "::": "::1"}.get(host, host)
        host = f"[{host}]" if ":" in host else host
        return f"http://{host}:{port}{settings['vantage6.api_path']}"

    def pid(self) -> int | None:
        """The pid of this instance's running server, if it runs."""
        return background.read_pid(self.pid_file, marker=str(self.config))


def named_instance(name: str, path: Path, scope: Scope, environment: str) -> Instance:
    return Instance(name, path, environment, scope, data_dir(KIND, scope, name))


def file_instance(path: Path, environment: str) -> Instance:
    """An ini file outside the configuration folders: its state goes to the user's data
    folder, under its name and a digest of its path (two ``server.ini`` files never mix)."""
    digest = hashlib.sha256(str(path).encode()).hexdigest()[:8]
    return Instance(
        path.stem, path, environment, None, data_dir(KIND, Scope.USER, f"{path.stem}-{digest}")
    )


def scope_of(system: bool | None) -> Scope | None:
    return None if system is None else (Scope.SYSTEM if system else Scope.USER)


def resolve(name: str | None, config: str | None, system: bool | None, environment: str):
    if name and config:
        raise click.UsageError("give --name or --config, not both")
    if config:
        path = Path(config).expanduser().resolve()
        if not path.is_file():
            raise Failure(f"{path}: no such configuration file")
        return file_instance(path, environment)
    scope = scope_of(system)
    try:
        found = find_config(KIND, name or _choose_name(scope), scope)
    except ConfigLookupError as exc:
        raise Failure(str(exc)) from None
    except ValueError as exc:  # not a name a configuration file can have
        raise click.BadParameter(str(exc), param_hint="--name") from None
    return named_instance(found.name, found.path, found.scope, environment)


def _choose_name(scope: Scope | None) -> str:
    """Without --name: the only configuration there is, or the one picked at the prompt."""
    names = sorted({found.name for found in list_configs(KIND, scope)})
    if not names:
        where = " or ".join(str(config_dir(KIND, s)) for s in ([scope] if scope else Scope))
        raise Failure(f"no server configuration in {where}; create one with `vserver new`")
    if len(names) == 1:
        return names[0]
    if not sys.stdin.isatty():
        raise click.UsageError(
            f"there are several servers ({', '.join(names)}): pick one with --name"
        )
    return click.prompt("Which server", type=click.Choice(names))


def all_instances(scope: Scope | None = None) -> list[Instance]:
    """Every environment of every configuration found, for ``list``, ``stop --all``."""
    instances = []
    for found in list_configs(KIND, scope):
        try:
            found_environments = environments(read_ini(found.path))
        except Failure:
            found_environments = [APPLICATION]  # unreadable: listed, its problem shown there
        for env in found_environments or [APPLICATION]:
            instances.append(named_instance(found.name, found.path, found.scope, env))
    return instances


_OPTIONS = (
    click.option("-n", "--name", help="The server's configuration name (see `vserver list`)."),
    click.option(
        "-c",
        "--config",
        type=click.Path(dir_okay=False),
        help="An ini file anywhere, instead of a name from the configuration folders.",
    ),
    click.option(
        "--system/--user",
        "system",
        default=None,
        help="Look only in the system (or only in the user) folder. Default: both.",
    ),
    click.option(
        "-e",
        "--environment",
        type=click.Choice(ENVIRONMENTS),
        default=APPLICATION,
        show_default=True,
        help="The environment in the configuration file.",
    ),
)


def instance_options(function):
    """The options that select a server: ``--name`` or ``--config``, scope, environment."""
    for option in reversed(_OPTIONS):
        function = option(function)
    return function


def pass_instance(function):
    """Like :func:`instance_options`, handing the command the resolved :class:`Instance`."""

    @instance_options
    @functools.wraps(function)
    def command(name, config, system, environment, **kwargs):
        return function(resolve(name, config, system, environment), **kwargs)

    return command
