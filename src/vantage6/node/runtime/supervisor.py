"""``python -m vantage6.node.runtime.supervisor RUN_DIR -- COMMAND...``: runs one algorithm of
the process runtime and records how it ended, so that a node that restarted meanwhile still
learns it.

The node starts it already holding the run's lock (the file :data:`LOCK` in the run folder,
locked by the node and passed on), so the lock is held exactly as long as the supervisor
lives: a held lock means the run is going. When the algorithm ends, its output is flushed to
disk and its exit code written to :data:`EXIT_CODE` in one step; only then does the supervisor
end and the lock come free. The algorithm does not inherit the lock.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from vantage6.node.durable import flush_to_disk, write_durably

LOCK = "supervisor"  # held while the supervisor lives; holds {"pid": ..., "job_id": ...}
EXIT_CODE = "exit-code"


def main(arguments: list[str]) -> int:
    if len(arguments) < 3 or arguments[1] != "--":
        print(
            "usage: python -m vantage6.node.runtime.supervisor RUN_DIR -- COMMAND...",
            file=sys.stderr,
        )
        return 2
    run_dir, command = Path(arguments[0]), arguments[2:]
    code = subprocess.call(command)  # close_fds: the lock stays with the supervisor
    flush_to_disk(run_dir / "output")
    write_durably(run_dir / EXIT_CODE, f"{code}\n".encode())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
