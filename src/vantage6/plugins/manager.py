"""Building the plugin manager of a server or node process."""

from __future__ import annotations

from collections.abc import Iterable

import pluggy

from vantage6.plugins import PROJECT, hookspecs


def build_plugin_manager(
    group: str, builtins: Iterable[tuple[str, object]] = (), blocked: Iterable[str] = ()
) -> pluggy.PluginManager:
    """A manager with the built-in plugins and those installed under entry point ``group``.

    ``blocked`` names plugins (entry point or built-in names) that must not load. A hook
    implementation whose name matches no specification (a typo) fails here, at start-up.
    """
    manager = pluggy.PluginManager(PROJECT)
    manager.add_hookspecs(hookspecs)
    for name in blocked:
        manager.set_blocked(name)
    for name, plugin in builtins:
        if not manager.is_blocked(name):
            manager.register(plugin, name=name)
    manager.load_setuptools_entrypoints(group)
    manager.check_pending()
    return manager
