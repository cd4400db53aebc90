"""Background duties: every process writes the heartbeats it heard; one process of the
cluster (the holder of a PostgreSQL advisory lock) also sweeps silent nodes offline."""

from __future__ import annotations

import logging

import gevent
import psycopg
from sqlalchemy.engine import Engine, make_url

log = logging.getLogger(__name__)

LOCK_KEY = 0x76366576  # "v6ev": the advisory lock of the cluster's duty holder


class Leadership:
    """Whether this process runs the once-per-cluster duties. On PostgreSQL the lock is held
    by a dedicated connection for the process's life, and freed when the process dies."""

    def __init__(self, engine: Engine):
        self._url = make_url(engine.url).set(drivername="postgresql")
        self._shared = engine.dialect.name == "postgresql"
        self._connection = None

    def held(self) -> bool:
        if not self._shared:
            return True  # SQLite: one machine, and the duties are idempotent
        if self._connection is not None and not self._connection.closed:
            return True
        try:
            connection = psycopg.connect(
                self._url.render_as_string(hide_password=False), autocommit=True
            )
            query = "SELECT pg_try_advisory_lock(%s)"
            (locked,) = connection.execute(query, (LOCK_KEY,)).fetchone()
        except psycopg.Error as exc:
            log.warning("Could not ask for the duty lock: %s", exc)
            return False
        if locked:
            self._connection = connection
            log.info("This process runs the cluster's background duties")
        else:
            connection.close()
        return locked


def run_duties(presence, leadership: Leadership, interval_seconds: float) -> None:
    """Forever: flush heartbeats, and sweep when this process holds the lock."""
    while True:
        gevent.sleep(interval_seconds)
        try:
            presence.flush()
            if leadership.held():
                presence.sweep()
        except Exception:
            log.exception("A background duty failed; trying again in %s s", interval_seconds)
