"""The container tokens this node handed to the algorithms it runs, and the job of each.

The node proxy serves only requests carrying one of these, and decrypts only results of the
job its token was given for. The job comes from the node itself (the task it started the run
for), never from the token's own claims, which the proxy cannot verify. Tokens are kept as
SHA-256 digests, so the time a lookup takes tells nothing about them.
"""

from __future__ import annotations

import hashlib
import threading


class ContainerTokens:
    def __init__(self):
        self._jobs: dict[bytes, int] = {}  # token digest -> job id
        self._digests: dict[int, bytes] = {}  # run id -> its token's digest
        self._lock = threading.Lock()

    def admit(self, run_id: int, token: str, job_id: int) -> None:
        """The algorithm of ``run_id`` (of job ``job_id``) may use the proxy with ``token``."""
        digest = _digest(token)
        with self._lock:
            self._forget(run_id)
            self._jobs[digest] = job_id
            self._digests[run_id] = digest

    def dismiss(self, run_id: int) -> None:
        """The run ended: its token no longer opens the proxy."""
        with self._lock:
            self._forget(run_id)

    def admitted(self, run_id: int) -> bool:
        with self._lock:
            return run_id in self._digests

    def job_of(self, token: str) -> int | None:
        """The job of an admitted token; None for any other."""
        with self._lock:
            return self._jobs.get(_digest(token))

    def _forget(self, run_id: int) -> None:
        digest = self._digests.pop(run_id, None)
        if digest is not None:
            self._jobs.pop(digest, None)


def _digest(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()
