"""Where ``vserver`` and ``vnode`` keep configuration files and instance data, per OS.

Two scopes, as in the seed's table: *system* (for every user of the machine) and *user*.
Configuration files are ``<config dir>/<kind>/<name>.ini``; an instance's database, log and
pid files are in ``<data dir>/<kind>/<name>/``. ``kind`` is ``"server"`` or ``"node"``.

- system, Linux: ``/etc/xdg/vantage6`` (config), ``/usr/local/share/vantage6`` (data)
- system, macOS: ``/Library/Application Support/vantage6`` (both)
- system, Windows: ``C:\\ProgramData\\vantage6`` (both)
- user, Linux: ``~/.config/vantage6`` (config), ``~/.local/share/vantage6`` (data)
- user, macOS: ``~/Library/Application Support/vantage6`` (both)
- user, Windows: ``C:\\Users\\<user>\\AppData\\Local\\vantage6`` (both)

The folders come from platformdirs, so on Linux the XDG variables (``XDG_CONFIG_HOME``,
``XDG_DATA_HOME``, ``XDG_CONFIG_DIRS``, ``XDG_DATA_DIRS``) move them, which is how the tests
keep out of the real ones.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

import platformdirs

APP = "vantage6"
SUFFIX = ".ini"
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


def config_dir(kind: str, scope: Scope) -> Path:
    """The folder holding the ``<name>.ini`` files of ``kind`` in ``scope``."""
    dirs = _dirs()
    base = dirs.site_config_dir if scope is Scope.SYSTEM else dirs.user_config_dir
    return Path(base) / kind


def data_dir(kind: str, scope: Scope, name: str) -> Path:
    """The folder of one instance's database, log and pid files."""
    dirs = _dirs()
    base = dirs.site_data_dir if scope is Scope.SYSTEM else dirs.user_data_dir
    return Path(base) / kind / name


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
    return config_dir(kind, scope) / f"{check_name(name)}{SUFFIX}"


def list_configs(kind: str, scope: Scope | None = None) -> list[FoundConfig]:
    """Every configuration of ``kind`` in ``scope`` (both scopes when None), system first."""
    scopes = [scope] if scope else [Scope.SYSTEM, Scope.USER]
    found = []
    for each in scopes:
        folder = config_dir(kind, each)
        if folder.is_dir():
            found += [
                FoundConfig(path.stem, path, each)
                for path in sorted(folder.glob(f"*{SUFFIX}"))
                if _NAME.fullmatch(path.stem)
            ]
    return found


def find_config(kind: str, name: str, scope: Scope | None = None) -> FoundConfig:
    """The configuration called ``name``; without a scope, it must exist in exactly one."""
    check_name(name)
    matches = [found for found in list_configs(kind, scope) if found.name == name]
    if len(matches) == 1:
        return matches[0]
    if not matches:
        where = " or ".join(str(config_dir(kind, s)) for s in ([scope] if scope else Scope))
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
