"""The plugin host: plugins need only ``from vantage6.plugins import hookimpl``."""

import pluggy

PROJECT = "vantage6"

hookimpl = pluggy.HookimplMarker(PROJECT)

__all__ = ["PROJECT", "hookimpl"]
