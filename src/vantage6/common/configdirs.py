"""Where ``vserver`` and ``vnode`` keep configuration files and instance data, per OS.

Two scopes, as in the seed's table: *system* (for every user of the machine) and *user*.
Configuration files are ``<config dir>/<kind>/<name>.ini``; an instance's database, log and
pid files are in ``<data dir>/<kind>/<name>/``. ``kind`` is ``"server"`` or ``"node"``.

- system, Linux: ``/etc/xdg/vantage6`` (config), ``/usr/local/share/vantage6`` (data); but
  node configurations are written to ``/etc/vantage6/node``, as the seed's table says, and read
  from there and from ``/etc/xdg/vantage6/node``, where earlier versions wrote them
- system, macOS: ``/Library/Application Support/vantage6`` (both)
- system, Windows: ``C:\\ProgramData\\vantage6`` (both)
- user, Linux: ``~/.config/vantage6`` (config), ``~/.local/share/vantage6`` (data)
- user, macOS: ``~/Library/Application Support/vantage6`` (both)
- user, Windows: ``C:\\Users\\<user>\\AppData\\Local\\vantage6`` (both)

The folders come from platformdirs, so on Linux the XDG variables (``XDG_CONFIG_HOME``,
``XDG_DATA_HOME``, ``XDG_CONFIG_DIRS``, ``XDG_DATA_DIRS``) move them, which is how the tests
keep out of the real ones; with ``XDG_CONFIG_DIRS`` set, node configurations follow it too.
"""

from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

import platformdirs

APP = "vantage6"
SUFFIX = ".ini"
# Linux, system-wide: where the seed keeps node configurations, and where we kept them before.
SEED_SYSTEM_NODE_DIR = Path("/etc/vantage6/node")
XDG_SYSTEM_NODE_DIR = Path("/etc/xdg/vantage6/node")
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")


class Scope(StrEnum):
    SYSTEM = "system"
    USER = "user"


class ConfigLookupError(LookupError):
    """No configuration, or more than one, answers to a name."""


@dataclass(frozen=True)
class FoundConfig:
    name: str
    path: Path
    scope: Scope


def _dirs() -> platformdirs.PlatformDirs:
    # appauthor=False: no "vantage6\vantage6" doubling on Windows; roaming=False: AppData\Local.
    return platformdirs.PlatformDirs(APP, appauthor=False, roaming=False)


def config_dirs(kind: str, scope: Scope) -> list[Path]:
    """The folders holding the ``<name>.ini`` files of ``kind`` in ``scope``: new ones go to
    the first; a name there hides the same name in the next."""
    seed_default = sys.platform.startswith("linux") and not os.environ.get("XDG_CONFIG_DIRS")
    if kind == "node" and scope is Scope.SYSTEM and seed_default:
        return [SEED_SYSTEM_NODE_DIR, XDG_SYSTEM_NODE_DIR]
    dirs = _dirs()
    base = dirs.site_config_dir if scope is Scope.SYSTEM else dirs.user_config_dir
    return [Path(base) / kind]


def config_dir(kind: str, scope: Scope) -> Path:
    """The folder new ``<name>.ini`` files of ``kind`` in ``scope`` are written to."""
    return config_dirs(kind, scope)[0]


def data_dir(kind: str, scope: Scope, name: str) -> Path:
    """The folder of one instance's database, log and pid files."""
    dirs = _dirs()
    base = dirs.site_data_dir if scope is Scope.SYSTEM else dirs.user_data_dir
    return Path(base) / kind / name


def folder_names(kind: str, scope: Scope | None) -> str:
    """Where configurations of ``kind`` are looked for in ``scope`` (None: both), for messages."""
    scopes = [scope] if scope else list(Scope)
    return " or ".join(str(folder) for each in scopes for folder in config_dirs(kind, each))


def check_name(name: str) -> str:
    """A configuration name is also a file name: letters, digits, ``_ . -``, no leading dot."""
    if not _NAME.fullmatch(name or ""):
        raise ValueError(
            f"{name!r} is not a valid name: use letters, digits, '_', '.' and '-', "
            "starting with a letter or digit"
        )
    return name


def config_path(kind: str, name: str, scope: Scope) -> Path:
    """Where the configuration ``name`` of ``kind`` lives (or would live) in ``scope``."""
    paths = [folder / f"{check_name(name)}{SUFFIX}" for folder in config_dirs(kind, scope)]
    return next((path for path in paths if path.is_file()), paths[0])


def list_configs(kind: str, scope: Scope | None = None) -> list[FoundConfig]:
    """Every configuration of ``kind`` in ``scope`` (both scopes when None), system first."""
    scopes = [scope] if scope else [Scope.SYSTEM, Scope.USER]
    found = []
    for each in scopes:
        in_scope = {}
        for folder in config_dirs(kind, each):
            for path in sorted(folder.glob(f"*{SUFFIX}")):  # none when the folder is missing
                if _NAME.fullmatch(path.stem):
                    in_scope.setdefault(path.stem, FoundConfig(path.stem, path, each))
        found += sorted(in_scope.values(), key=lambda config: config.name)
    return found


def find_config(kind: str, name: str, scope: Scope | None = None) -> FoundConfig:
    """The configuration called ``name``; without a scope, it must exist in exactly one."""
    check_name(name)
    matches = [found for found in list_configs(kind, scope) if found.name == name]
    if len(matches) == 1:
        return matches[0]
    if not matches:
        where = folder_names(kind, scope)
        raise ConfigLookupError(f"no {kind} configuration named {name!r} in {where}")
    raise ConfigLookupError(
        f"{kind} configuration {name!r} exists at system and at user level "
        f"({matches[0].path} and {matches[1].path}): choose one with --system or --user"
    )


def check_config_write_permissions(system_folders: bool = False) -> bool:
    """Whether this user may write server and node configurations in the system (or user)
    folders: each folder must be writable, or creatable under its nearest existing parent."""
    scope = Scope.SYSTEM if system_folders else Scope.USER
    for kind in ("server", "node"):
        folder = config_dir(kind, scope)
        while not folder.exists():
            folder = folder.parent
        if not os.access(folder, os.W_OK | os.X_OK):
            return False
    return True
