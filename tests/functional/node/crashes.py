"""Exactly once under crashes, for both runtimes: a real server, a real node process, a task of
the marking test algorithm (``marker/``), and a SIGKILL of the node or of the server at one
point of the run's life (the node halts there: :mod:`vantage6.node.fault_points`). Then
everything goes on, and the run must complete with its result, its algorithm having run once
(the tests count its executions), and the node must be done with it."""

from __future__ import annotations

import itertools
import time
from pathlib import Path

from tests.functional.node.daemons import NodeProcess, RestartableServer, eventually, write_ini
from vantage6.node import fault_points
from vantage6.node.daemon import INTERRUPTED

KILL_POINTS = fault_points.POINTS
# (victim, point): at "reported" the server has answered already, so killing it there would
# be a restart with nothing in flight
CASES = [("node", point) for point in KILL_POINTS] + [
    ("server", point) for point in KILL_POINTS if point != "reported"
]


def marking(point: str, marker: Path | None = None) -> dict:
    """The algorithm's input: it lasts long enough to outlive a node killed while it runs
    (a restarted node must wait for it), and marks each execution in ``marker``."""
    kwargs = {"seconds": 3.0 if point == "running" else 0.2}
    if marker is not None:
        kwargs["marker"] = str(marker)
    return {"method": "mark", "kwargs": kwargs}


class Site:
    """An organization, in a collaboration of its own, whose node runs in processes: one after
    another, as a test kills them. Subclasses say how the node runs the algorithm."""

    module = "vantage6.node.runner"  # runs the node process
    image = ""

    def __init__(self, server: RestartableServer, folder: Path, extra: str = "", **node):
        self.server = server
        self.ids = server.collaboration(1)
        self.folder = folder
        self.ini = write_ini(folder, server, self.ids["keys"][0], extra, **node)
        self.task_dir = folder / "tasks"
        self._lives = itertools.count(1)

    def start_node(self, **environment) -> NodeProcess:
        log = self.folder / f"node-{next(self._lives)}.log"
        return NodeProcess(self.ini, log, self.module, **environment).wait_ready()

    def start_halting(self, point: str) -> tuple[NodeProcess, Path]:
        """A node that halts at ``point``, and the file that says it halted."""
        flag = self.folder / f"halted-at-{point}"
        return self.start_node(**{fault_points.ENV: f"{point}:{flag}"}), flag

    def task(self, point: str) -> dict:
        return self.server.task(self.ids, self.image, marking(point))

    def crash_server(self, flag: Path) -> None:
        """Kill the server while the node halts at ``flag``'s point, and let the node go on."""
        self.server.crash()
        flag.unlink()  # the node goes on while the server is down ...
        time.sleep(1)
        self.server.start()  # ... and is found again


def run_through_a_crash(site: Site, victim: str, point: str) -> dict:
    """With a node that halts at ``point``, creates a task, kills ``victim`` there and lets
    everything go on; returns the run once it completed and the node is done with it."""
    server = site.server
    node, flag = site.start_halting(point)
    try:
        task = site.task(point)
        eventually(flag.exists, 60, f"the node halting at {point}")
        if victim == "node":
            node.kill()
            node = site.start_node()
        else:
            site.crash_server(flag)
        run = server.run_reaches(task, "completed", 90)
        eventually(
            lambda: f"Run {run['id']} reported completed" in node.output,
            60,
            "the node's report answered",
        )
        eventually(
            lambda: (
                not list(site.task_dir.glob("journal/*.json"))
                and not list(site.task_dir.glob("run-*"))
            ),
            20,
            "the node done with the run",
        )
    finally:
        node.stop()
    assert "finished at the server meanwhile" not in node.output
    assert INTERRUPTED not in run["log"]
    return run
