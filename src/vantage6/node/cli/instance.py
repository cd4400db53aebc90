"""Which node a ``vnode`` command is about (vantage6.common.cli_select) and in which
environment, and its ini file read as the node reads it (:func:`load`) or raw, for the
settings the commands change.

Environments (the seed's ``-e application|dev|test|acc|prod``) are the ``[<section>@<env>]``
sections of the one ini file (vantage6.node.config); each has its own pid and log file.
"""

from __future__ import annotations

import configparser
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from vantage6.common import cli_select
from vantage6.common.cli_output import Failure
from vantage6.common.configdirs import Scope, list_configs
from vantage6.node.config import (
    APPLICATION,
    ConfigError,
    NodeConfig,
    apply_environment,
    environments,
    load_config,
)

KIND = "node"


@dataclass(frozen=True)
class NodeInstance(cli_select.Instance):
    KIND: ClassVar[str] = KIND
    COMMAND: ClassVar[str] = "vnode"

    def section(self, section: str) -> str:
        """The name of ``section`` as this environment's own, e.g. ``node@test``."""
        return section if self.environment == APPLICATION else f"{section}@{self.environment}"

    def load(self) -> NodeConfig:
        """The checked configuration; every problem in it named in one :class:`Failure`."""
        try:
            return load_config(self.config, self.environment)
        except ConfigError as exc:
            raise Failure(str(exc)) from None
        except OSError as exc:  # a secret file it names that we may not read
            raise Failure(f"{self.config}: cannot read {exc.filename}: {exc.strerror}") from None

    def raw(self) -> configparser.ConfigParser:
        """The ini file's sections and keys, unchecked (as the node parses them)."""
        parser = configparser.ConfigParser(interpolation=None, default_section="\0none")
        parser.optionxform = str
        return cli_select.read_ini(self.config, parser)

    def setting(self, section: str, key: str) -> str | None:
        """A setting as this environment has it (its own section's, else the inherited one)."""
        parser = self.raw()
        apply_environment(parser, self.environment)
        value = parser.get(section, key, fallback="").strip()
        return value or None

    def path_setting(self, section: str, key: str) -> Path | None:
        """A path setting, relative ones starting at the ini file's folder (as the node)."""
        value = self.setting(section, key)
        return None if value is None else (self.config.parent / Path(value).expanduser()).resolve()


def all_instances(scope: Scope | None = None) -> list[NodeInstance]:
    """Every environment of every configuration found, for ``list``, ``stop --all``."""
    instances = []
    for found in list_configs(KIND, scope):
        try:
            found_environments = environments(NodeInstance.named(found).raw())
        except Failure:
            found_environments = [APPLICATION]  # unreadable: listed, its problem shown there
        for env in found_environments or [APPLICATION]:
            instances.append(NodeInstance.named(found, environment=env))
    return instances


ENVIRONMENT = cli_select.environment_option("The environment in the configuration file.")

pass_instance = cli_select.pass_instance(NodeInstance, ENVIRONMENT, extra_keys=("environment",))
