"""Building the plugin manager of a server or node process.

A process loads its built-in plugins and the installed plugins its configuration enables by
entry point name; installing a package alone changes nothing. Any name, built-in or installed,
can be blocked.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Iterable
from importlib.metadata import entry_points

import pluggy

from vantage6.plugins import PROJECT

log = logging.getLogger(__name__)

SERVER = "vantage6.server"
NODE = "vantage6.node"

# Entry point group -> the module of its hook specifications.
SPECS = {SERVER: "vantage6.plugins.hookspecs.server", NODE: "vantage6.plugins.hookspecs.node"}

# Entry point group -> (name, module) of the built-in plugins, registered like any other.
BUILTINS = {
    SERVER: (
        ("vantage6.jwt", "vantage6.server.security.jwt_backend"),
        ("vantage6.password", "vantage6.server.security.password_backend"),
    ),
    NODE: (("vantage6.runtimes", "vantage6.node.runtime.builtin"),),
}


class PluginError(Exception):
    """A plugin that cannot be loaded as configured: the process must not start."""


def plugin_manager(
    group: str, enabled: Iterable[str] = (), blocked: Iterable[str] = ()
) -> pluggy.PluginManager:
    """A manager with ``group``'s hooks, its built-in plugins and the installed plugins named
    in ``enabled`` (entry point names of ``group``).

    ``blocked`` names plugins (built-in or installed) that must not load, even when enabled.
    An enabled name that is not installed, or a hook implementation that matches no
    specification (a typo), raises :class:`PluginError` here, at start-up.
    """
    if group not in SPECS:
        raise PluginError(f"unknown plugin group {group!r}: expected one of {', '.join(SPECS)}")
    manager = pluggy.PluginManager(PROJECT)
    manager.add_hookspecs(importlib.import_module(SPECS[group]))
    for name in blocked:
        manager.set_blocked(name)
    try:
        for name, module in BUILTINS[group]:
            if not manager.is_blocked(name):
                manager.register(importlib.import_module(module), name=name)
        for name in _installed(group, enabled):
            if manager.is_blocked(name):
                log.warning("Plugin %r is enabled but also blocked: not loaded", name)
            else:
                manager.load_setuptools_entrypoints(group, name=name)
        manager.check_pending()
    except pluggy.PluginValidationError as exc:
        hooks = ", ".join(
            sorted(name for name, caller in vars(manager.hook).items() if caller.has_spec())
        )
        raise PluginError(f"{exc} (the hooks of {group}: {hooks})") from None
    return manager


def _installed(group: str, names: Iterable[str]) -> list[str]:
    """``names`` in order, each once, after checking that each is installed."""
    wanted = list(dict.fromkeys(names))
    installed = {entry_point.name for entry_point in entry_points(group=group)}
    missing = [name for name in wanted if name not in installed]
    if missing:
        raise PluginError(
            f"no installed plugin of group {group} is named {', '.join(map(repr, missing))} "
            f"(installed: {', '.join(sorted(installed)) or 'none'}); pip install the plugin "
            "package, or correct the name"
        )
    return wanted
