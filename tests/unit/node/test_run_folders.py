"""Run folders: private, complete or absent; and the capped log of a run."""

from __future__ import annotations

import stat

import pytest

from vantage6.common.task_status import TaskStatus
from vantage6.node.runtime import folders
from vantage6.node.runtime.base import finished_status, log_tail
from vantage6.node.runtime.folders import RunFolder, job_folder, remove_job_folder


def mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_run_folder_holds_its_files_for_the_node_user_only(tmp_path):
    folder = RunFolder.create(tmp_path, 12, b'{"method": "m"}', "the.token")
    assert folder.path == tmp_path / "run-000000012"
    assert mode(folder.path) == 0o700
    assert {p.name: (p.read_bytes(), mode(p)) for p in folder.path.iterdir()} == {
        "input": (b'{"method": "m"}', 0o600),
        "output": (b"", 0o600),
        "token": (b"the.token", 0o600),
    }


def test_a_new_attempt_replaces_the_old_folder(tmp_path):
    first = RunFolder.create(tmp_path, 1, b"old", "t1")
    first.file("output").write_bytes(b"stale result")
    first.mark_killed()
    second = RunFolder.create(tmp_path, 1, b"new", "t2")
    assert second.output() == b""
    assert second.file("input").read_bytes() == b"new"
    assert not second.killed


def test_a_folder_that_cannot_be_written_is_not_left_half_written(tmp_path, monkeypatch):
    write = folders._write_private

    def disk_full_at_the_token(path, content):
        if path.name == "token":
            raise OSError(28, "No space left on device")
        write(path, content)

    monkeypatch.setattr(folders, "_write_private", disk_full_at_the_token)
    with pytest.raises(OSError, match="No space left"):
        RunFolder.create(tmp_path, 2, b"in", "t")
    assert list(tmp_path.iterdir()) == []


def test_the_kill_mark_lives_outside_the_mounted_folder_and_goes_with_it(tmp_path):
    folder = RunFolder.create(tmp_path, 3, b"", "t")
    folder.mark_killed()
    assert folder.killed and RunFolder(tmp_path, 3).killed
    assert not any(p.name.endswith("killed") for p in folder.path.iterdir())
    folder.remove()
    assert list(tmp_path.iterdir()) == []
    assert folder.output() == b""


def test_job_folders(tmp_path):
    path = job_folder(tmp_path, 9)
    assert path == tmp_path / "job-9-tmp" and mode(path) == 0o700
    assert job_folder(tmp_path, 9) == path  # reused
    remove_job_folder(tmp_path, 9)
    assert not path.exists()


def test_the_status_of_an_ended_run():
    assert finished_status(0, killed=False) is TaskStatus.COMPLETED
    assert finished_status(1, killed=False) is TaskStatus.CRASHED
    assert finished_status(137, killed=True) is TaskStatus.KILLED
    assert finished_status(0, killed=True) is TaskStatus.KILLED


def test_a_short_log_is_kept_whole():
    assert log_tail([b"one\n", b"two\n"]) == "one\ntwo\n"


def test_a_long_log_keeps_its_end_and_says_it_was_cut():
    chunks = [f"line {i}\n".encode() for i in range(10_000)]
    text = log_tail(chunks, limit=1000)
    total = sum(len(c) for c in chunks)
    assert text.startswith(f"[log truncated: the last 1000 of {total} bytes]\n")
    assert text.endswith("line 9999\n")
    assert len(text.split("\n", 1)[1].encode()) == 1000


def test_a_log_cut_inside_a_character_still_decodes():
    assert log_tail([b"\xc3\xa9" * 10], limit=5).endswith("éé")
