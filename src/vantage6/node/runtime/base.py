"""What every runtime offers the daemon: start a run, report how it ended, clean up after it.

A runtime reports each run's end exactly once per node process: through ``on_exit`` while it
watches, or through :meth:`Runtime.exited` for runs that ended while nobody watched (a restart).
Runs outlive the node process, and what a runtime keeps of a run until it is discarded
(a container, a record on disk) is how a restarted node tells a run still going or ended
from one that was interrupted (:meth:`Runtime.known`).
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Protocol

from vantage6.common.task_status import TaskStatus

log = logging.getLogger(__name__)

LOG_LIMIT = 64 * 1024  # bytes of an algorithm's log kept for the server


@dataclass(frozen=True)
class RunSpec:
    """One run as the daemon hands it to the runtime."""

    run_id: int
    task_id: int
    job_id: int
    image: str
    input: bytes = field(repr=False)  # the decrypted input file content
    token: str = field(repr=False)  # container token from POST /token/container
    # the task's requested databases: [{"label", "query"?, "sheet_name"?, "preprocessing"?}]
    databases: list[dict] = field(default_factory=list)
    # parquet content per label of the databases a node plugin loaded, handed over instead
    loaded: dict[str, bytes] = field(default_factory=dict, repr=False)


@dataclass(frozen=True)
class Outcome:
    run_id: int
    status: TaskStatus  # COMPLETED, CRASHED (non-zero exit), KILLED, ...
    output: bytes = field(repr=False)  # the output file (b"" when there is none)
    log: str = field(repr=False)  # size-capped log, or the real reason it failed


class StartFailed(Exception):
    """The run could not start; ``log`` says why in words its initiator can act on."""

    def __init__(self, status: TaskStatus, log: str):
        super().__init__(log)
        self.status = status
        self.log = log


class ProxyEndpoints(Protocol):
    """The node proxy as runtimes see it: one port, served on the addresses they open (each
    address where their runs reach this machine, e.g. the gateway of each run's network)."""

    port: int

    def listen(self, host: str) -> int:
        """Serve on ``host`` too (OSError when the port is taken there); returns the port."""

    def close(self, host: str) -> None:
        """Stop serving on ``host``."""


class Runtime(Protocol):
    def prepare(self, proxy: ProxyEndpoints) -> None:
        """Set up what runs need and have ``proxy`` serve where they reach it, also for
        runs still going from before a restart of the node."""

    def start(self, spec: RunSpec) -> dict | None:
        """Return once the run started, with what the server is to know of it besides
        (``vpn_address`` and ``vpn_ports`` of a run on the VPN); raise :class:`StartFailed`
        otherwise."""

    def watch(self, on_exit: Callable[[Outcome], None]) -> None:
        """Report each run that ends from now on (in a thread of the runtime)."""

    def kill(self, run_id: int) -> bool:
        """Stop the run; its outcome then says KILLED. False when it was not running."""

    def running(self) -> set[int]:
        """Runs of this node that are running, also those started before a restart (also
        asked before :meth:`prepare`)."""

    def exited(self) -> list[Outcome]:
        """Runs of this node that ended and were not reported yet."""

    def known(self) -> set[int]:
        """Runs whose end is or will be reported: running, or ended and not discarded. A run
        that was started and is not among them was interrupted (it died with no trace of how
        it ended, e.g. with its machine, or its container was removed)."""

    def discard(self, run_id: int) -> None:
        """Remove what is left of a run whose outcome was reported."""

    def close(self) -> None:
        """Stop watching; runs keep going so that a restarted node finds them again."""


def finished_status(exit_code: int, killed: bool) -> TaskStatus:
    if killed:
        return TaskStatus.KILLED
    return TaskStatus.COMPLETED if exit_code == 0 else TaskStatus.CRASHED


def log_tail(chunks: Iterable[bytes], limit: int = LOG_LIMIT) -> str:
    """The last ``limit`` bytes of a log read in chunks, saying so when the start was cut."""
    kept: deque[bytes] = deque()
    size = total = 0
    for chunk in chunks:
        kept.append(chunk)
        size += len(chunk)
        total += len(chunk)
        while size - len(kept[0]) >= limit:
            size -= len(kept.popleft())
    data = b"".join(kept)[-limit:]
    text = data.decode("utf-8", errors="replace")
    if total > limit:
        return f"[log truncated: the last {limit} of {total} bytes]\n{text}"
    return text


def deliver(on_exit: Callable[[Outcome], None], outcome: Outcome) -> None:
    """Hand an outcome to the daemon; its failure is logged, never fatal to the runtime."""
    log.info("run %s ended: %s", outcome.run_id, outcome.status.value)
    try:
        on_exit(outcome)
    except Exception:
        log.exception("handling the outcome of run %s failed", outcome.run_id)
