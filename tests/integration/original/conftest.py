"""The original 4.x components run by one test process at a time on this machine.

``scripts/test`` runs the SQLite and PostgreSQL passes side by side. Run there together, the
original nodes of both passes mixed up their runs now and then (a container token refused as
another node's, results missing or not their own; both passes' fresh databases number runs
alike), which they never did one pass at a time. So each module of this folder holds a lock
that the other pass's waits for.
"""

from __future__ import annotations

import fcntl

import pytest

LOCK = "/tmp/vantage6-tests-original.lock"


@pytest.fixture(scope="module", autouse=True)
def one_test_process_at_a_time():
    with open(LOCK, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield
