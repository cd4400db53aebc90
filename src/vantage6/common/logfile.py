"""The log of a service (server or node): the terminal in the foreground, a size-rotated file
in the background.

:func:`vantage6.common.background.spawn` points the service's stdout and stderr at its log
file and names that file in ``VANTAGE6_LOG_FILE``. The ini's logging sections then configure
:class:`ServiceLog`, which is a :class:`~logging.handlers.RotatingFileHandler` on that file
when stderr writes to it (a background start), and a plain handler on stderr otherwise
(``pserve``, ``vnode start``, ``--attach``; also a child that merely inherited the variable).
Only this handler writes log records to the file, so nothing duplicates them into it; output
outside logging (a traceback at start, a library's print) still reaches the file through
stderr, and each rollover takes stdout and stderr along to the new file (they would otherwise
write on into the renamed one, and after ``backupCount`` rollovers into a deleted one).
"""

from __future__ import annotations

import logging
import logging.handlers
import os
import sys

LOG_FILE_ENV = "VANTAGE6_LOG_FILE"
MAX_BYTES = 10 * 2**20
BACKUP_COUNT = 5
OUTPUT = (1, 2)  # the file descriptors of stdout and stderr


def background_log() -> str | None:
    """The log file this process was started into: the one ``VANTAGE6_LOG_FILE`` names,
    when stderr writes to it."""
    path = os.environ.get(LOG_FILE_ENV)
    if not path:
        return None
    try:
        named, stderr = os.stat(path), os.fstat(2)
    except OSError:
        return None
    return path if os.path.samestat(named, stderr) else None


class ServiceLog(logging.handlers.RotatingFileHandler):
    """In the ini: ``class = vantage6.common.logfile.ServiceLog`` with, optionally,
    ``kwargs = {'maxBytes': ..., 'backupCount': ...}`` (0 maxBytes: never rotate)."""

    def __new__(cls, *args, **kwargs):
        path = background_log()
        if path is None:
            return logging.StreamHandler(sys.stderr)
        handler = super().__new__(cls)
        handler._path = path
        return handler

    def __init__(self, maxBytes: int = MAX_BYTES, backupCount: int = BACKUP_COUNT):  # noqa: N803
        super().__init__(self._path, "a", maxBytes, backupCount, encoding="utf-8")

    def doRollover(self) -> None:  # noqa: N802 - logging's name
        rotated = os.fstat(self.stream.fileno()) if self.stream else None
        super().doRollover()
        if rotated is not None and self.stream is not None:
            self._take_output_along(rotated)

    def _take_output_along(self, rotated: os.stat_result) -> None:
        """stdout and stderr to the new file, where they wrote to the one just rotated."""
        for stream in (sys.stdout, sys.stderr):
            if stream is not None:
                stream.flush()
        for descriptor in OUTPUT:
            try:
                if os.path.samestat(os.fstat(descriptor), rotated):
                    os.dup2(self.stream.fileno(), descriptor)
            except OSError:
                pass  # closed: nothing to take along
