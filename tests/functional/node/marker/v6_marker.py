"""A test algorithm that leaves a mark each time it executes, so that tests can count how often
a run's algorithm ran (tests/functional/node/crashes.py)."""

import os
import time


def mark(seconds: float = 0.0, marker: str | None = None) -> dict:
    """Note this execution in ``marker`` (a line with its process id) when given, then take
    ``seconds``."""
    if marker:
        with open(marker, "a") as file:
            file.write(f"{os.getpid()}\n")
    time.sleep(seconds)
    return {"slept": seconds}
