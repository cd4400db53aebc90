"""Which server a command is about: a named configuration in the system or user folder, or
an ini file given with ``--config``, and one of its environments.

Environments (the seed's ``-e application|dev|test|acc|prod``) are sections of the one ini
file: ``application`` is ``[app:main]`` (served by ``[server:main]``), any other environment
``ENV`` is ``[app:ENV]``, served by ``[server:ENV]`` when the file has one, else by
``[server:main]``. Each environment has its own pid, log and (by default) database file.
"""

from __future__ import annotations

import configparser
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from vantage6.common import cli_select
from vantage6.common.cli_output import Failure
from vantage6.common.configdirs import Scope, list_configs
from vantage6.server.listen import DEFAULT_LISTEN, parse_listen

KIND = "server"
APPLICATION = cli_select.APPLICATION
ENVIRONMENTS = (APPLICATION, *cli_select.ENVIRONMENTS)


def app_name(environment: str) -> str:
    return "main" if environment == APPLICATION else environment


def read_ini(path: Path) -> configparser.ConfigParser:
    """The ini file as PasteDeploy reads it (``%(here)s`` included); errors name the file."""
    parser = configparser.ConfigParser(
        defaults={"here": str(path.parent), "__file__": str(path)}, strict=False
    )
    return cli_select.read_ini(path, parser)


def environments(parser: configparser.ConfigParser) -> list[str]:
    """The environments an ini file defines, in the order of :data:`ENVIRONMENTS`."""
    return [env for env in ENVIRONMENTS if parser.has_section(f"app:{app_name(env)}")]


@dataclass(frozen=True)
class Instance(cli_select.Instance):
    KIND: ClassVar[str] = KIND
    COMMAND: ClassVar[str] = "vserver"

    @property
    def app_name(self) -> str:
        return app_name(self.environment)

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
            return load_settings(raw, config_folder=str(self.config.parent))
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
            setting = f"listen in [{section}]"
        else:
            value = f"{values['host']}:{values.get('port', '')}"
            setting = f"host/port in [{section}]"
        try:
            return parse_listen(value)
        except ValueError as exc:
            raise Failure(f"{setting} of {self.config}: {exc}") from None

    def url(self, settings: dict) -> str:
        """The API's address on this machine (an any-interface bind is reached on loopback)."""
        host, port = self.listen()
        host = {"0.0.0.0": "127.0.0.1", "::": "::1"}.get(host, host)
        host = f"[{host}]" if ":" in host else host
        return f"http://{host}:{port}{settings['vantage6.api_path']}"


def resolve(name: str | None, config: str | None, system: bool | None, environment: str):
    return Instance.resolve(name, config, system, environment=environment)


def all_instances(scope: Scope | None = None) -> list[Instance]:
    """Every environment of every configuration found, for ``list``, ``stop --all``."""
    instances = []
    for found in list_configs(KIND, scope):
        try:
            found_environments = environments(read_ini(found.path))
        except Failure:
            found_environments = [APPLICATION]  # unreadable: listed, its problem shown there
        for env in found_environments or [APPLICATION]:
            instances.append(Instance.named(found, environment=env))
    return instances


ENVIRONMENT = cli_select.environment_option("The environment in the configuration file.")


def instance_options(function):
    """The options that select a server: ``--name`` or ``--config``, scope, environment."""
    options = cli_select.selection_options(KIND, Instance.COMMAND)
    return cli_select.with_options([*options, ENVIRONMENT])(function)


def pass_instance(function):
    """Like :func:`instance_options`, handing the command the resolved :class:`Instance`."""
    return cli_select.pass_instance(Instance, ENVIRONMENT, extra_keys=("environment",))(function)
