"""The chain: tampering is found at the first broken line, by ``vantage6-audit verify`` too;
concurrent writers (threads, processes) never interleave or fork the chain."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner
from vantage6_audit_log.chain import AuditLog, verify
from vantage6_audit_log.cli import cli


@pytest.fixture
def log_path(tmp_path) -> Path:
    path = tmp_path / "audit.jsonl"
    audit = AuditLog(path)
    for number in range(1, 6):
        audit.append(who=f"user:{number}", kind="event", what="new_task", object={"id": number})
    return path


def lines(path: Path) -> list[str]:
    return path.read_text().splitlines(keepends=True)


def rewrite(path: Path, new_lines: list[str]) -> None:
    path.write_text("".join(new_lines))


def edited(line: str, **changes) -> str:
    entry = json.loads(line)
    entry.update(changes)
    return json.dumps(entry) + "\n"


def run_verify(path: Path, *options) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["verify", str(path), *options])
    return result.exit_code, result.output


def test_an_intact_log_verifies(log_path):
    verdict = verify(log_path)
    assert (verdict.entries, verdict.problem) == (5, None)
    assert verdict.head == json.loads(lines(log_path)[-1])["hash"]
    code, output = run_verify(log_path)
    assert code == 0 and f"OK, 5 entries; last hash {verdict.head}" in output


def changed_content(original):
    return original[:2] + [edited(original[2], who="user:99")] + original[3:]


def removed(original):
    return original[:1] + original[2:]


def swapped(original):
    return original[:1] + [original[2], original[1]] + original[3:]


def inserted(original):
    return original[:3] + [original[1]] + original[3:]


def rehashed_edit(original):
    """A forger who recomputes the edited entry's hash is caught by the next entry."""
    from vantage6_audit_log.chain import entry_hash

    entry = json.loads(original[2])
    entry["who"] = "user:99"
    entry["hash"] = entry_hash(entry)
    return original[:2] + [json.dumps(entry) + "\n"] + original[3:]


def not_json(original):
    return original[:3] + ["garbage\n"] + original[3:]


def cut_mid_line(original):
    return original[:4] + [original[4][:20]]


def first_cut_off(original):
    return original[1:]


@pytest.mark.parametrize(
    "tamper, line, why",
    [
        (changed_content, 3, "the hash does not match the content: the entry was changed"),
        (removed, 2, "prev is not the hash of the entry before"),
        (swapped, 2, "prev is not the hash of the entry before"),
        (inserted, 4, "prev is not the hash of the entry before"),
        (rehashed_edit, 4, "prev is not the hash of the entry before"),
        (not_json, 4, "the line is not JSON"),
        (cut_mid_line, 5, "the line is incomplete"),
        (first_cut_off, 1, "prev is not the hash of the entry before"),
    ],
)
def test_tampering_is_reported_at_the_first_broken_line(log_path, tamper, line, why):
    rewrite(log_path, tamper(lines(log_path)))
    verdict = verify(log_path)
    assert (verdict.broken_line, verdict.entries) == (line, line - 1)
    assert why in verdict.problem
    code, output = run_verify(log_path)
    assert code == 1
    assert f"BROKEN: line {line}: {why}" in output
    assert f"the first {line - 1} entries are intact" in output


def test_entries_cut_off_the_end_are_found_with_a_kept_head(log_path):
    head = verify(log_path).head
    rewrite(log_path, lines(log_path)[:3])
    assert verify(log_path).problem is None  # the chain alone cannot tell
    code, output = run_verify(log_path, "--head", head)
    assert code == 1 and f"no entry has the hash {head}: entries were cut off" in output
    rewrite(log_path, lines(log_path))
    code, _ = run_verify(log_path, "--head", verify(log_path).head)
    assert code == 0


def test_the_console_command_is_installed(log_path):
    command = shutil.which("vantage6-audit", path=str(Path(sys.executable).parent))
    assert command, "pip install -e plugins/vantage6-audit-log installs vantage6-audit"
    done = subprocess.run([command, "verify", str(log_path)], capture_output=True, text=True)
    assert done.returncode == 0 and "OK, 5 entries" in done.stdout
    rewrite(log_path, removed(lines(log_path)))
    done = subprocess.run([command, "verify", str(log_path)], capture_output=True, text=True)
    assert done.returncode == 1 and "line 2" in done.stderr


def test_threads_of_one_process_never_interleave_lines(tmp_path):
    path = tmp_path / "audit.jsonl"
    writers = [AuditLog(path), AuditLog(path)]  # two objects, one file: one lock still
    big = {"kill_list": [{"run_id": n, "task_id": n} for n in range(300)]}  # > one pipe buffer

    def write(number):
        for _ in range(40):
            writers[number % 2].append(who=f"user:{number}", kind="event", what="x", object=big)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    verdict = verify(path)
    assert (verdict.problem, verdict.entries) == (None, 240)


WRITER = """
import sys
from vantage6_audit_log.chain import AuditLog
log = AuditLog(sys.argv[1])
for number in range(100):
    log.append(who=sys.argv[2], kind="event", what="x", object={"n": number})
"""


def test_processes_writing_one_log_keep_one_chain(tmp_path):
    path = tmp_path / "audit.jsonl"
    writers = [
        subprocess.Popen([sys.executable, "-c", WRITER, str(path), f"node:{n}"]) for n in range(3)
    ]
    assert [writer.wait(timeout=60) for writer in writers] == [0, 0, 0]
    verdict = verify(path)
    assert (verdict.problem, verdict.entries) == (None, 300)
