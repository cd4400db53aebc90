"""Files a node must find intact after any crash (``kill -9``, or the machine losing power):
each is replaced in one step, so a reader sees the old content or the new, never half, and
is on disk before the writer goes on."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_durably(path: Path, data: bytes, mode: int = 0o600) -> None:
    """Put ``data`` at ``path`` in one step: a temporary file beside it, flushed to disk and
    renamed over ``path``; then the folder is flushed too, so the rename itself lasts."""
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(descriptor, "wb") as file:
            os.fchmod(file.fileno(), mode)
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    flush_to_disk(path.parent)


def flush_to_disk(path: Path) -> None:
    """Have what was written to the file (or the entries of the folder) at ``path`` reach the
    disk; a path that is gone is left alone."""
    try:
        descriptor = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        return
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
