"""The run journal: each step of a run on disk before the node goes on, only ever forward, and
read back whole by the next start of the node."""

from __future__ import annotations

import logging
import stat

from vantage6.common.task_status import TaskStatus
from vantage6.node.journal import RunJournal, Stage
from vantage6.node.runtime.base import Outcome

ENDED = "2026-03-24T11:00:00.123456+00:00"


def test_every_step_is_what_the_next_start_reads(tmp_path):
    journal = RunJournal(tmp_path)
    journal.starting(7)
    assert RunJournal(tmp_path).get(7).stage is Stage.STARTING
    journal.started(7)
    assert RunJournal(tmp_path).get(7).stage is Stage.STARTED
    journal.finished(Outcome(7, TaskStatus.COMPLETED, b"\x00\xffout", "the log"), ENDED)
    report = {"status": "completed", "result": "encrypted once", "finished_at": ENDED}
    journal.reporting(7, report)
    entry = RunJournal(tmp_path).get(7)
    assert entry == journal.get(7)
    assert (entry.stage, entry.status, entry.output, entry.log) == (
        Stage.FINISHED,
        TaskStatus.COMPLETED,
        b"\x00\xffout",
        "the log",
    )
    assert (entry.finished_at, entry.report) == (ENDED, report)


def test_an_end_is_never_undone_and_only_the_first_counts(tmp_path):
    journal = RunJournal(tmp_path)
    journal.starting(3)
    journal.finished(Outcome(3, TaskStatus.COMPLETED, b"1", "first"), ENDED)  # a quick run
    journal.started(3)  # the worker noting the start, after the runtime's thread noted the end
    journal.finished(Outcome(3, TaskStatus.KILLED, b"", "again"), "later")
    entry = RunJournal(tmp_path).get(3)
    assert (entry.stage, entry.status, entry.log) == (Stage.FINISHED, TaskStatus.COMPLETED, "first")


def test_a_start_again_is_a_fresh_entry_with_its_attempt_and_notes(tmp_path):
    journal = RunJournal(tmp_path)
    journal.starting(4)
    journal.started(4)
    journal.starting(4, attempt=2, notes=("interrupted",))
    entry = RunJournal(tmp_path).get(4)
    assert (entry.stage, entry.attempt, entry.notes) == (Stage.STARTING, 2, ("interrupted",))


def test_an_end_of_a_run_never_started_here_is_noted_too(tmp_path):
    """E.g. a container a node of an earlier version started."""
    RunJournal(tmp_path).finished(Outcome(5, TaskStatus.CRASHED, b"", "log"), ENDED)
    entry = RunJournal(tmp_path).get(5)
    assert (entry.stage, entry.attempt, entry.status) == (Stage.FINISHED, 1, TaskStatus.CRASHED)


def test_forgotten_entries_and_what_a_crash_left_are_gone(tmp_path, caplog):
    journal = RunJournal(tmp_path)
    journal.starting(1)
    journal.starting(2)
    journal.forget(1)
    journal.forget(9)  # nothing to forget
    (journal.folder / ".run-000000002.json.x1y2").write_text('{"half')  # a write cut short
    (journal.folder / "run-000000003.json").write_text("{not json")
    again = RunJournal(tmp_path)
    assert [entry.run_id for entry in again.entries()] == [2]
    assert sorted(path.name for path in journal.folder.iterdir()) == [
        "run-000000002.json",
        "run-000000003.json",
    ]
    assert "run-000000003.json cannot be read" in caplog.text
    assert caplog.records[-1].levelno == logging.ERROR


def test_only_the_nodes_user_reads_the_journal(tmp_path):
    journal = RunJournal(tmp_path)
    journal.starting(1)
    assert stat.S_IMODE(journal.folder.stat().st_mode) == 0o700
    assert stat.S_IMODE((journal.folder / "run-000000001.json").stat().st_mode) == 0o600
