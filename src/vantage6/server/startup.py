"""What ``pserve`` and ``pshell`` build from the ini file, with start-up failures told in one
line instead of a traceback.

The ini's ``[server:main]`` (``use = egg:vantage6#gevent_ws``, :mod:`vantage6.server.serve`)
and ``[app:main]`` (``use = egg:vantage6``, :func:`app_factory`) are built through these
entry points, the server first. A failure its operator can fix is raised as a Pyramid
``ConfigurationError`` (a bad setting, a database that cannot be opened or reached, a schema
to migrate, a port in use); it ends the process with status 1 and one line on stderr naming
the ini file, the setting and what to do. Anything else is a bug, and keeps its traceback.

The server section's ``workers`` is known before the app is built (the server factory tells
:func:`plan_workers`): an app that several processes would serve wrongly is refused before it
opens its database, and its background starts in each worker instead of in the process that
built it (:mod:`vantage6.server.events`).
"""

from __future__ import annotations

import contextlib

from pyramid.exceptions import (
    ConfigurationConflictError,
    ConfigurationError,
    ConfigurationExecutionError,
)
from sqlalchemy.engine import make_url

from vantage6.server import main
from vantage6.server.settings import load_settings

# Pyramid's own, about code that configures the app wrongly: their traceback is the help.
_PROGRAMMING_ERRORS = (ConfigurationConflictError, ConfigurationExecutionError)

# The processes that will serve the app this process builds: pserve builds the server first,
# then the app, in one process, and the server factory (serve.py) says here how many.
_plan = {"workers": 1}


def plan_workers(workers: int) -> None:
    """Called by the server factory: ``workers`` processes will serve the app built next."""
    _plan["workers"] = workers


def planned_workers() -> int:
    """How many processes will serve the app: 1 unless a server factory said otherwise."""
    return _plan["workers"]


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
        if planned_workers() > 1:
            _refuse_per_process_state(
                load_settings(settings, config_folder=global_config.get("here"))
            )
        return main(global_config, **settings)


def _refuse_per_process_state(settings: dict) -> None:
    """Workers are processes that share the database, and events through PostgreSQL's bus,
    only. SQLite's writers queue within one process (another would find the database locked)
    and the memory bus carries events within one process: both are refused."""
    workers = f"workers = {planned_workers()} in the server section"
    if make_url(settings["sqlalchemy.url"]).get_backend_name() != "postgresql":
        raise ConfigurationError(
            f"{workers} needs a PostgreSQL database, not SQLite (sqlalchemy.url): one process "
            "serves an SQLite database; set workers = 1, or run on PostgreSQL"
        )
    bus = settings["vantage6.events.bus"]
    if bus != "postgresql":
        raise ConfigurationError(
            f"{workers} needs vantage6.events.bus = postgresql, not {bus}: the {bus} bus "
            "carries events only within one process"
        )
