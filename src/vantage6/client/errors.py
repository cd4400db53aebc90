"""What can go wrong when talking to a vantage6 server, as exceptions that say so in one line
(the server's own message, not a traceback from deep inside ``requests``)."""

from __future__ import annotations


class ClientError(Exception):
    """Base class of the client's errors."""


class ServerError(ClientError):
    """The server answered with an error status; ``msg`` is its explanation and ``errors``
    (for a bad request) the problems per field."""

    def __init__(self, status: int, msg: str, errors=None, method: str = "", url: str = ""):
        self.status = status
        self.msg = msg
        self.errors = errors
        self.method = method
        self.url = url
        where = f" ({method} {url})" if method else ""
        super().__init__(f"{status}: {msg}{where}")


class ServerUnreachable(ClientError):
    """No answer from the server: wrong address, server down, network or TLS trouble."""


class AuthenticationError(ClientError):
    """Not logged in, a login that needs more (a two-factor code), or a session that ended."""


class TaskFailed(ClientError):
    """A task ended without completing: one of its runs failed, crashed or was killed."""

    def __init__(self, task_id: int, status: str):
        self.task_id = task_id
        self.status = status
        super().__init__(
            f"task {task_id} did not complete: {status}; see client.run.from_task({task_id}) "
            "for the status and log of each run"
        )


class TaskTimeout(ClientError):
    """A task was still running when the time to wait for it ran out."""

    def __init__(self, task_id: int, status: str, seconds: float):
        self.task_id = task_id
        self.status = status
        super().__init__(f"task {task_id} is still {status!r} after waiting {seconds:g} s")
