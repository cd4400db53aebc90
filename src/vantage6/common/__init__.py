"""Code shared by the server, the node, the client and the algorithm tools.

The names below are importable from here as the seeds' examples do
(``from vantage6.common import bytes_to_base64s, info, ...``). They are loaded on first use:
algorithm images carry ``vantage6.common`` without the libraries these need (click,
cryptography, platformdirs).
"""

from importlib import import_module
from pkgutil import extend_path

# Modules of the original's vantage6.common that we do not have stay importable when it is
# installed too (see vantage6/__init__.py); ours win.
__path__ = extend_path(__path__, __name__)

_HOMES = {
    "base64s_to_bytes": "vantage6.common.encryption",
    "bytes_to_base64s": "vantage6.common.encryption",
    "check_config_write_permissions": "vantage6.common.configdirs",
    "debug": "vantage6.common.console",
    "error": "vantage6.common.console",
    "info": "vantage6.common.console",
    "warning": "vantage6.common.console",
}

__all__ = sorted(_HOMES)


def __getattr__(name: str):
    try:
        home = _HOMES[name]
    except KeyError:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
    return getattr(import_module(home), name)
