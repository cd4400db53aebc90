"""Test-only fault injection: a node halted at an exact moment of a run's life, so that a test
can kill it (or the server) there with SIGKILL and check that no run is lost or run twice.

``VANTAGE6_TEST_PAUSE_AT=<point>:<file>`` makes the node, the first time one of its threads
reaches ``<point>``, create ``<file>`` and wait there until the file is removed. The points,
in the order a run passes them (see the daemon):

- ``before-start``: the journal says the run is starting; the runtime has not started it.
- ``running``: the runtime started the algorithm; the server does not know yet.
- ``ended``: the algorithm ended; the node has its outcome but has not noted it.
- ``reported``: the server answered the report; the node has not acted on the answer.

Never set it outside tests: a node halted at a point does no more work in that thread. A node
that reads it logs a warning at start.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from pathlib import Path

log = logging.getLogger(__name__)

ENV = "VANTAGE6_TEST_PAUSE_AT"
POINTS = ("before-start", "running", "ended", "reported")

_lock = threading.Lock()
_armed: tuple[str, Path] | None = None  # the point still to halt at, and the file to create


def arm() -> None:
    """Read :data:`ENV` (the only place that does); a bad value is logged and ignored."""
    global _armed
    value = os.environ.get(ENV)
    with _lock:
        _armed = None
        if not value:
            return
        point, _, flag = value.partition(":")
        if point not in POINTS or not flag:
            log.error(
                "%s=%r is ignored: it must be <point>:<file>, point one of %s", ENV, value, POINTS
            )
            return
        _armed = (point, Path(flag))
    log.warning("%s is set: this node halts at %r (a test's fault point)", ENV, point)


def reached(point: str) -> None:
    """Halt here when armed for ``point`` (once), until the test removes the file."""
    global _armed
    with _lock:
        if _armed is None or _armed[0] != point:
            return
        flag, _armed = _armed[1], None
    log.warning("Halted at fault point %r until %s is removed", point, flag)
    flag.touch()
    while flag.exists():
        time.sleep(0.02)
    log.warning("Going on from fault point %r", point)
