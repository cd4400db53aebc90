"""The little a node remembers between its starts, in ``<task_dir>/node-state.json``.

Runs are not remembered here but in their journal (:mod:`vantage6.node.journal`). What is
remembered here:

- the port of the node proxy: algorithms that keep running while the node restarts know the
  proxy by the port they were started with, so a restarted node must listen on it again;
- the fingerprint of each organization's public key the node encrypted for (see
  :mod:`vantage6.node.recipient_keys`), so that a key replaced at the server is noticed.

The node and ``vnode trust-key`` (another process) both change the file: each change reads,
changes and replaces it under an exclusive lock on ``node-state.lock``, so none is lost, and
the replacement is one rename, so a crash never leaves half of it.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
from pathlib import Path

from vantage6.node.durable import write_durably

log = logging.getLogger(__name__)

KEYS = "recipient_keys"  # organization id (as text) -> public key fingerprint


class NodeState:
    def __init__(self, task_dir: Path):
        self.path = Path(task_dir) / "node-state.json"

    def _read(self) -> dict:
        try:
            state = json.loads(self.path.read_text())
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as exc:
            log.warning("Ignoring the unreadable node state in %s: %s", self.path, exc)
            return {}
        return state if isinstance(state, dict) else {}

    @contextlib.contextmanager
    def _changing(self):
        """The state to change in place; written back in one step when the block ends."""
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)  # the task dir
        with open(self.path.with_suffix(".lock"), "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            state = self._read()
            yield state
            write_durably(self.path, json.dumps(state).encode())

    @property
    def proxy_port(self) -> int | None:
        port = self._read().get("proxy_port")
        return port if isinstance(port, int) and 0 < port < 65536 else None

    @proxy_port.setter
    def proxy_port(self, port: int) -> None:
        with self._changing() as state:
            state["proxy_port"] = port

    def key_fingerprint(self, organization_id: int) -> str | None:
        """The fingerprint remembered for the organization's public key, if any."""
        return _keys(self._read()).get(str(organization_id))

    def remember_key(self, organization_id: int, fingerprint: str) -> str:
        """Remember ``fingerprint`` for the organization unless one is remembered already;
        returns the one remembered now (so two callers at once agree on the first)."""
        with self._changing() as state:
            keys = state[KEYS] = _keys(state)
            return keys.setdefault(str(organization_id), fingerprint)

    def replace_key(self, organization_id: int, fingerprint: str) -> str | None:
        """Remember ``fingerprint`` for the organization whatever was remembered; returns
        the fingerprint it replaces (None: there was none)."""
        with self._changing() as state:
            keys = state[KEYS] = _keys(state)
            old, keys[str(organization_id)] = keys.get(str(organization_id)), fingerprint
            return old


def _keys(state: dict) -> dict:
    keys = state.get(KEYS)
    return keys if isinstance(keys, dict) else {}
