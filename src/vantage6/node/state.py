"""The little a node remembers between its starts, in ``<task_dir>/node-state.json``.

Runs are not remembered here: the server's open runs and the runtime's labelled containers say
what exists. What is remembered is the port of the node proxy: algorithms that keep running
while the node restarts know the proxy by the port they were started with, so a restarted node
must listen on it again.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path

log = logging.getLogger(__name__)


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

    def _write(self, **changes) -> None:
        """Replace the file in one step, so a crash never leaves half of it."""
        state = {**self._read(), **changes}
        self.path.parent.mkdir(parents=True, exist_ok=True)
        partial = self.path.with_suffix(".tmp")
        partial.write_text(json.dumps(state))
        os.replace(partial, self.path)

    @property
    def proxy_port(self) -> int | None:
        port = self._read().get("proxy_port")
        return port if isinstance(port, int) and 0 < port < 65536 else None

    @proxy_port.setter
    def proxy_port(self, port: int) -> None:
        self._write(proxy_port=port)
