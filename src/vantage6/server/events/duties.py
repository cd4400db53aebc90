"""Background duties: every process writes the heartbeats it heard; one process of the
cluster (on PostgreSQL, the holder of an advisory lock) also sweeps silent nodes offline."""

from __future__ import annotations

import logging

import gevent
from sqlalchemy.engine import Engine

log = logging.getLogger(__name__)


class SoleProcess:
    """SQLite: one machine, and the duties are idempotent, so every process runs them."""

    def held(self) -> bool:
        return True


def leadership_for(engine: Engine):
    """What tells this process whether it runs the once-per-cluster duties."""
    if engine.dialect.name != "postgresql":
        return SoleProcess()
    from vantage6.server.events.postgresql import AdvisoryLockLeadership

    return AdvisoryLockLeadership(engine)


def run_duties(presence, leadership, interval_seconds: float) -> None:
    """Forever: flush heartbeats, and sweep when this process holds the lock."""
    while True:
        gevent.sleep(interval_seconds)
        try:
            presence.flush()
            if leadership.held():
                presence.sweep()
        except Exception:
            log.exception("A background duty failed; trying again in %s s", interval_seconds)
