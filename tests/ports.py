"""Free TCP ports for the servers the tests start.

``scripts/test`` runs the SQLite and the PostgreSQL pass side by side. A port one pass has just
found free would be free for the other too until someone binds it, so each pass takes its
ports from a range of its own, ``VANTAGE6_TEST_PORTS`` (``low-high``), below the kernel's
ephemeral range, where nothing else picks ports. Without it, the kernel picks one.
"""

from __future__ import annotations

import os
import random
import socket

RANGE = os.environ.get("VANTAGE6_TEST_PORTS", "")


def free_port(host: str = "127.0.0.1") -> int:
    """A port nothing listens on at ``host`` now."""
    if not RANGE:
        with socket.socket() as probe:
            probe.bind((host, 0))
            return probe.getsockname()[1]
    low, high = (int(end) for end in RANGE.split("-"))
    for port in random.sample(range(low, high + 1), min(500, high - low + 1)):
        with socket.socket() as probe:
            try:
                probe.bind((host, port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port in VANTAGE6_TEST_PORTS={RANGE} at {host}")
