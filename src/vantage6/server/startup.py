"""What ``pserve`` and ``pshell`` build from the ini file, with start-up failures told in one
line instead of a traceback.

The ini's ``[server:main]`` (``use = egg:vantage6#gevent_ws``, :mod:`vantage6.server.serve`)
and ``[app:main]`` (``use = egg:vantage6``, :func:`app_factory`) are built through these
entry points, the server first. A failure its operator can fix is raised as a Pyramid
``ConfigurationError`` (a bad setting, a database that cannot be opened or reached, a schema
to migrate, a port in use); it ends the process with status 1 and one line on stderr naming
the ini file, the setting and what to do. Anything else is a bug, and keeps its traceback.
"""

from __future__ import annotations

import contextlib

from pyramid.exceptions import (
    ConfigurationConflictError,
    ConfigurationError,
    ConfigurationExecutionError,
)

from vantage6.server import main

# Pyramid's own, about code that configures the app wrongly: their traceback is the help.
_PROGRAMMING_ERRORS = (ConfigurationConflictError, ConfigurationExecutionError)


@contextlib.contextmanager
def failures_in_one_line(global_config: dict):
    """Turn a ``ConfigurationError`` into an exit with its message on one line."""
    try:
        yield
    except _PROGRAMMING_ERRORS:
        raise
    except ConfigurationError as exc:
        where = global_config.get("__file__", "the ini file")
        message = " ".join(str(exc).split())
        raise SystemExit(f"vantage6 server not started ({where}): {message}") from None


def app_factory(global_config: dict, **settings):
    """``paste.app_factory``: the app of :func:`vantage6.server.main`."""
    with failures_in_one_line(global_config):
        return main(global_config, **settings)
