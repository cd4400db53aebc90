"""The node's journal of its runs: how far each got, kept on disk so that a node that
restarts, even after ``kill -9``, neither loses a run that finished nor runs one twice.

One JSON file per run in ``<task_dir>/journal/``, outside every run folder (no algorithm can
touch it), replaced in one step at each change (:mod:`vantage6.node.durable`):

- ``starting``: the node is about to hand the run to the runtime; the algorithm has not run.
- ``started``: the runtime started the algorithm; ``attempt`` counts its starts, ``notes``
  say why it was started again (they go before the run's log).
- ``finished``: the algorithm ended; its status, output, log and end time are here, and
  ``report`` is the report once made. An encrypted result differs each time it is made, so a
  report whose answer was lost is sent again exactly as it was the first time.

An entry only moves forward (an end the runtime's thread noted is never undone by the worker
noting the start), and goes once the server has the report.
"""

from __future__ import annotations

import base64
import json
import logging
import threading
from dataclasses import dataclass, field, replace
from enum import StrEnum
from pathlib import Path

from vantage6.common.task_status import TaskStatus
from vantage6.node.durable import write_durably
from vantage6.node.runtime.base import Outcome

log = logging.getLogger(__name__)


class Stage(StrEnum):
    STARTING = "starting"
    STARTED = "started"
    FINISHED = "finished"


_ORDER = list(Stage)


@dataclass(frozen=True)
class Entry:
    run_id: int
    stage: Stage
    attempt: int = 1
    notes: tuple[str, ...] = ()
    status: TaskStatus | None = None  # once finished, as the algorithm ended
    output: bytes = field(default=b"", repr=False)
    log: str = field(default="", repr=False)
    finished_at: str | None = None
    report: dict | None = field(default=None, repr=False)  # the PATCH body, once made


class RunJournal:
    """The entries of one node's runs; shared by the worker and the runtime's threads."""

    def __init__(self, task_dir: Path):
        self.folder = Path(task_dir) / "journal"
        self._lock = threading.Lock()
        self._entries = {entry.run_id: entry for entry in self._load()}

    def get(self, run_id: int) -> Entry | None:
        with self._lock:
            return self._entries.get(run_id)

    def entries(self) -> list[Entry]:
        with self._lock:
            return sorted(self._entries.values(), key=lambda entry: entry.run_id)

    def starting(self, run_id: int, attempt: int = 1, notes: tuple[str, ...] = ()) -> None:
        """The run is about to start (again): a fresh entry."""
        with self._lock:
            self._put(Entry(run_id, Stage.STARTING, attempt, notes))

    def started(self, run_id: int) -> None:
        self._advance(run_id, Stage.STARTED)

    def finished(self, outcome: Outcome, finished_at: str) -> None:
        """How the algorithm ended; only the first end noted counts."""
        self._advance(
            outcome.run_id,
            Stage.FINISHED,
            status=outcome.status,
            output=outcome.output,
            log=outcome.log,
            finished_at=finished_at,
        )

    def reporting(self, run_id: int, report: dict) -> None:
        """The report as it is sent, to be sent again unchanged when its answer is lost."""
        with self._lock:
            entry = self._entries.get(run_id)
            if entry is not None and entry.stage is Stage.FINISHED:
                self._put(replace(entry, report=report))

    def forget(self, run_id: int) -> None:
        """The server has the run's report (or no longer wants it): the entry goes."""
        with self._lock:
            if self._entries.pop(run_id, None) is not None:
                self._path(run_id).unlink(missing_ok=True)

    def _advance(self, run_id: int, stage: Stage, **fields) -> None:
        """Moves the entry on to ``stage``; never back, and never past its first end."""
        with self._lock:
            entry = self._entries.get(run_id)
            if entry is None:
                entry = Entry(run_id, stage)
            elif entry.stage is Stage.FINISHED or _ORDER.index(stage) < _ORDER.index(entry.stage):
                return
            self._put(replace(entry, stage=stage, **fields))

    def _put(self, entry: Entry) -> None:
        self.folder.parent.mkdir(mode=0o700, parents=True, exist_ok=True)  # the task dir
        self.folder.mkdir(mode=0o700, exist_ok=True)
        write_durably(self._path(entry.run_id), json.dumps(_to_json(entry)).encode())
        self._entries[entry.run_id] = entry

    def _path(self, run_id: int) -> Path:
        return self.folder / f"run-{run_id:09d}.json"

    def _load(self) -> list[Entry]:
        found = []
        for path in sorted(self.folder.glob("run-*.json")):
            try:
                found.append(_from_json(json.loads(path.read_text())))
            except (OSError, ValueError, KeyError, TypeError) as exc:
                log.error("The run journal %s cannot be read (%s); ignoring it", path, exc)
        for leftover in self.folder.glob(".run-*"):  # written when a crash came
            leftover.unlink(missing_ok=True)
        return found


def _to_json(entry: Entry) -> dict:
    return {
        "run_id": entry.run_id,
        "stage": entry.stage.value,
        "attempt": entry.attempt,
        "notes": list(entry.notes),
        "status": entry.status.value if entry.status else None,
        "output": base64.b64encode(entry.output).decode(),
        "log": entry.log,
        "finished_at": entry.finished_at,
        "report": entry.report,
    }


def _from_json(document: dict) -> Entry:
    return Entry(
        run_id=int(document["run_id"]),
        stage=Stage(document["stage"]),
        attempt=int(document["attempt"]),
        notes=tuple(document["notes"]),
        status=TaskStatus(document["status"]) if document["status"] else None,
        output=base64.b64decode(document["output"]),
        log=document["log"],
        finished_at=document["finished_at"],
        report=document["report"],
    )
