"""The admin shell (``pshell <ini>``): the models as ``db``, with save/get/delete working.

A plain session is opened for the shell; ``obj.save()`` commits it. Bad input is reported in
one line and rolled back, and the shell carries on.
"""

import sys

from sqlalchemy.orm import Session

from vantage6.common.task_status import TaskStatus
from vantage6.server import models
from vantage6.server.models.errors import ModelError
from vantage6.server.models.rule import Operation, Scope
from vantage6.server.models.shell import bound_shell_session


class ShellSession(Session):
    """The shell's database session (obj.save() commits it)."""


def open_shell_session(engine) -> ShellSession:
    # No autoflush: a half-built object must not be flushed by a query typed meanwhile;
    # what is stored is what save() stores.
    return ShellSession(bind=engine, autoflush=False)


def namespace(session: ShellSession) -> dict:
    def commit():
        """Commit what was changed without save()."""
        session.commit()

    def rollback():
        """Undo changes that were not saved yet."""
        session.rollback()

    return {
        "db": models,
        "Scope": Scope,
        "Operation": Operation,
        "TaskStatus": TaskStatus,
        "session": session,
        "commit": commit,
        "rollback": rollback,
    }


def _one_line_model_errors(previous_hook):
    def hook(kind, value, traceback):
        if isinstance(value, ModelError):
            print(f"{kind.__name__}: {value}", file=sys.stderr)
        else:
            previous_hook(kind, value, traceback)

    return hook


def setup(env):
    """``[pshell] setup`` hook: bind a shell session for the lifetime of the shell."""
    session = open_shell_session(env["registry"]["dbengine"])
    env.update(namespace(session))
    previous_hook = sys.excepthook
    sys.excepthook = _one_line_model_errors(previous_hook)
    try:
        with bound_shell_session(session):
            yield
    finally:
        sys.excepthook = previous_hook
        session.rollback()
        session.close()
