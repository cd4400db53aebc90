"""The audit log file: one JSON object per line, each chained to the one before by a hash.

An entry is ``{"seq", "time", "who", "kind", "what", "object", "prev", "hash"}``: ``prev`` is
the previous entry's ``hash`` (64 zeros for the first) and ``hash`` the SHA-256 of the entry's
canonical JSON without ``hash``. Changing, removing, inserting or reordering entries breaks the
chain at the first entry concerned; cutting entries off the end is caught by comparing the
last hash with one kept elsewhere (``vantage6-audit verify --head``).
"""

from __future__ import annotations

import datetime as dt
import fcntl
import hashlib
import json
import os
import threading
from dataclasses import dataclass
from pathlib import Path

GENESIS = "0" * 64
FIELDS = ("seq", "time", "who", "kind", "what", "object", "prev", "hash")
BLOCK = 4096

_locks: dict[str, threading.Lock] = {}
_locks_lock = threading.Lock()


class AuditLogError(Exception):
    """The log cannot be appended to (its last line is broken, or the file is unusable)."""


def canonical(value) -> bytes:
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=True, default=str
    ).encode()


def entry_hash(entry: dict) -> str:
    return hashlib.sha256(canonical({k: v for k, v in entry.items() if k != "hash"})).hexdigest()


class AuditLog:
    """Appends entries; safe for threads and greenlets of one process, and for processes.

    Within a process, writers queue on a lock before taking the file lock: under gevent a
    blocking ``flock`` would stall every greenlet, including the one holding it.
    """

    def __init__(self, path: str | os.PathLike):
        self.path = Path(path)
        with _locks_lock:
            self._lock = _locks.setdefault(os.path.realpath(self.path), threading.Lock())

    def check(self) -> None:
        """Fail now, not at the first entry, when the file cannot be appended to."""
        with self._locked() as fd:
            _last_entry(fd, self.path)

    def append(self, who: str | None, kind: str, what: str, object: dict) -> dict:
        with self._locked() as fd:
            last = _last_entry(fd, self.path)
            entry = {
                "seq": last["seq"] + 1 if last else 1,
                "time": dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds"),
                "who": who,
                "kind": kind,
                "what": what,
                "object": object,
                "prev": last["hash"] if last else GENESIS,
            }
            entry["hash"] = entry_hash(entry)
            _write_all(fd, canonical(entry) + b"\n")
        return entry

    def _locked(self):
        return _Locked(self.path, self._lock)


class _Locked:
    """The file open for appending, held under the process lock and an exclusive flock."""

    def __init__(self, path: Path, lock: threading.Lock):
        self.path, self.lock, self.fd = path, lock, None

    def __enter__(self) -> int:
        self.lock.acquire()
        try:
            self.fd = os.open(self.path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o600)
            fcntl.flock(self.fd, fcntl.LOCK_EX)
        except BaseException:
            self.__exit__()
            raise
        return self.fd

    def __exit__(self, *exc) -> None:
        try:
            if self.fd is not None:
                os.close(self.fd)  # releases the flock
        finally:
            self.fd = None
            self.lock.release()


def _last_entry(fd: int, path: Path) -> dict | None:
    line = _last_line(fd, path)
    if line is None:
        return None
    try:
        entry = json.loads(line)
        if not isinstance(entry, dict) or not isinstance(entry.get("seq"), int):
            raise ValueError("not an entry")
        if not isinstance(entry.get("hash"), str):
            raise ValueError("no hash")
    except ValueError:
        raise AuditLogError(f"{path}: its last line is not an entry; run vantage6-audit verify")
    return entry


def _last_line(fd: int, path: Path) -> bytes | None:
    offset = os.fstat(fd).st_size
    tail = b""
    while offset > 0 and b"\n" not in tail[:-1]:
        start = max(0, offset - BLOCK)
        tail = os.pread(fd, offset - start, start) + tail
        offset = start
    if not tail:
        return None
    if not tail.endswith(b"\n"):
        raise AuditLogError(f"{path} ends with an incomplete line; run vantage6-audit verify")
    return tail[:-1].rsplit(b"\n", 1)[-1]


def _write_all(fd: int, data: bytes) -> None:
    while data:
        data = data[os.write(fd, data) :]


@dataclass(frozen=True)
class Verdict:
    entries: int  # the intact entries (before the broken one, if any)
    head: str  # the hash of the last intact entry
    broken_line: int | None = None
    problem: str | None = None


def verify(path: str | os.PathLike, head: str | None = None) -> Verdict:
    """Check the whole chain: the first broken line and why, if any. With ``head`` (a hash
    kept from an earlier check), also that the log still holds that entry."""
    previous, count, seen_head = GENESIS, 0, head is None
    with open(path, "rb") as lines:
        for number, raw in enumerate(lines, 1):
            entry, problem = _entry_problem(raw, number, previous)
            if problem:
                return Verdict(count, previous, number, problem)
            previous, count = entry["hash"], number
            seen_head = seen_head or previous == head
    if not seen_head:
        return Verdict(
            count,
            previous,
            None,
            f"no entry has the hash {head}: entries were cut off the end of the log",
        )
    return Verdict(count, previous)


def _entry_problem(raw: bytes, number: int, previous: str) -> tuple[dict | None, str | None]:
    if not raw.endswith(b"\n"):
        return None, "the line is incomplete (a write was cut off)"
    try:
        entry = json.loads(raw)
    except ValueError:
        return None, "the line is not JSON"
    if not isinstance(entry, dict):
        return None, "the line is not a JSON object"
    missing = [field for field in FIELDS if field not in entry]
    if missing:
        return None, f"the entry misses {', '.join(missing)}"
    if entry["hash"] != entry_hash(entry):
        return None, "the hash does not match the content: the entry was changed"
    if entry["prev"] != previous:
        return None, (
            "prev is not the hash of the entry before: entries before it were removed, "
            "inserted or reordered"
        )
    if entry["seq"] != number:
        return None, f"seq is {entry['seq']!r}, not {number}"
    return entry, None
