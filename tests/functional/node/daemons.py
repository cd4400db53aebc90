"""Helpers for tests that run node daemons against a real ``pserve``: a server that can be
stopped and started again on its port and database, node ini files, and daemons in threads
or (to be killed) in processes of their own.
Shared by the functional (process runtime) and integration (Docker) node tests."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest

from tests.functional.test_serve import BIN, free_port, ini_copy, wait_for
from tests.functional.ws_server import FAST_EVENTS, Server
from vantage6.node.config import load_config
from vantage6.node.daemon import Node
from vantage6.node.runner import READY

REPOSITORY = Path(__file__).resolve().parents[3]


def plain(value) -> str:
    """An input or result as unencrypted collaborations carry it: base64 of its JSON."""
    return base64.b64encode(json.dumps(value).encode()).decode()


def unplain(value: str):
    return json.loads(base64.b64decode(value))


def eventually(check, timeout: float = 20, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.1)
    pytest.fail(f"{what} not reached within {timeout}s")


class RestartableServer(Server):
    """pserve on development.ini (a copy); :meth:`crash` and :meth:`start` again keep the port
    and the database, as a restarted server would."""

    def __init__(self, directory: Path, database_url: str, **settings):
        port = free_port()
        super().__init__(port)
        (directory / "var").mkdir(parents=True, exist_ok=True)
        settings = {**FAST_EVENTS, "sqlalchemy.url": database_url, **settings}
        self.ini = ini_copy("development.ini", directory, port, **settings)
        self.directory = directory
        self.port = port
        self.process = None

    def start(self) -> None:
        with open(self.directory / "pserve.log", "a") as log:
            self.process = subprocess.Popen(
                [str(BIN / "pserve"), str(self.ini)],
                cwd=self.directory,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        wait_for(f"{self.api}/health", self.process)

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=15)

    def crash(self) -> None:
        self.process.kill()
        self.process.wait(timeout=5)

    @property
    def root_org(self) -> int:
        return self.ok("GET", "/user?username=root")["data"][0]["organization"]["id"]

    def collaboration(self, organizations: int = 1, encrypted: bool = False) -> dict:
        """A new collaboration of root's organization and ``organizations`` new ones, each of
        those with a node: ``{"collab", "root_org", "orgs": [...], "keys": [...]}``."""
        suffix = uuid.uuid4().hex[:8]
        orgs = [
            self.ok("POST", "/organization", {"name": f"org-{i}-{suffix}"})["id"]
            for i in range(organizations)
        ]
        body = {
            "name": f"collab-{suffix}",
            "organization_ids": [self.root_org, *orgs],
            "encrypted": encrypted,
        }
        collaboration = self.ok("POST", "/collaboration", body)["id"]
        keys = [
            self.ok("POST", "/node", {"collaboration_id": collaboration, "organization_id": org})[
                "api_key"
            ]
            for org in orgs
        ]
        return {"collab": collaboration, "root_org": self.root_org, "orgs": orgs, "keys": keys}

    def root_node_key(self, ids: dict) -> str:
        """A node for root's own organization in the collaboration."""
        body = {"collaboration_id": ids["collab"], "organization_id": ids["root_org"]}
        return self.ok("POST", "/node", body)["api_key"]

    def task(self, ids: dict, image: str, input_, organizations=None, **extra) -> dict:
        body = {
            "name": "t",
            "image": image,
            "collaboration_id": ids["collab"],
            "organizations": [
                {"id": org, "input": input_ if isinstance(input_, str) else plain(input_)}
                for org in organizations or ids["orgs"][:1]
            ],
            **extra,
        }
        return self.ok("POST", "/task", body)

    def runs(self, task: dict) -> list[dict]:
        return self.ok("GET", f"/run?task_id={task['id']}")["data"]

    def run_of(self, task: dict) -> dict:
        return self.runs(task)[0]

    def run_reaches(self, task: dict, status: str, timeout: float = 20) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            run = self.run_of(task)
            if run["status"] == status:
                return run
            time.sleep(0.1)
        subtasks = self.ok("GET", f"/task?parent_id={task['id']}")["data"]
        pytest.fail(
            f"run of task {task['id']} not {status!r} within {timeout}s: {run['status']!r}, "
            f"log {run['log']!r}; subtasks (status, runs' statuses): "
            f"{[(t['status'], [r['status'] for r in self.runs(t)]) for t in subtasks]}"
        )

    def results(self, task: dict) -> list:
        """The task's results (unencrypted), in the order of its runs."""
        data = self.ok("GET", f"/result?task_id={task['id']}")["data"]
        return [unplain(item["result"]) for item in data]


def write_ini(folder: Path, server: Server, api_key: str, extra: str = "", **node) -> Path:
    """A node.ini for ``server``; ``node`` adds keys to [node] (e.g. runtime, name)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "node.ini"
    settings = {"api_key": api_key, "task_dir": "tasks", "runtime": "process", **node}
    lines = "".join(f"{key} = {value}\n" for key, value in settings.items())
    path.write_text(
        f"[node]\n{lines}[server]\nurl = http://127.0.0.1\nport = {server.port}\n"
        f"api_path = /api\n{extra}"
    )
    return path


class Running:
    """A node daemon in a thread, as ``vnode start`` runs it."""

    def __init__(self, config_path: Path, runtime=None, plugins=None, server=None):
        self.config = load_config(config_path)
        self.node = Node(self.config, runtime=runtime, server=server, plugins=plugins)
        self.error: Exception | None = None
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    @property
    def runtime(self):
        return self.node.runtime

    def _run(self) -> None:
        try:
            self.node.run()
        except Exception as exc:
            self.error = exc

    def wait_connected(self, timeout: float = 20) -> Running:
        eventually(
            lambda: self.error or (self.node.events and self.node.events.connected.is_set()),
            timeout,
            "node connected",
        )
        assert self.error is None, self.error
        return self

    def stop(self) -> None:
        self.node.stop()
        self.thread.join(timeout=20)
        assert not self.thread.is_alive()


class NodeProcess:
    """A node in a process of its own, as ``vnode start`` runs it, so that it can be killed
    (SIGKILL); ``module`` runs it (``vantage6.node.runner`` or a test's variant of it), with
    ``environment`` added to this one's. Its output goes to ``log``."""

    def __init__(
        self, config: Path, log: Path, module: str = "vantage6.node.runner", **environment
    ):
        self.log = log
        with open(log, "ab") as output:
            self.process = subprocess.Popen(
                [sys.executable, "-m", module, str(config)],
                cwd=REPOSITORY,
                env={**os.environ, **environment},
                stdout=output,
                stderr=subprocess.STDOUT,
            )

    @property
    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_ready(self, timeout: float = 60) -> NodeProcess:
        eventually(
            lambda: self.process.poll() is not None or READY in self.output, timeout, "node ready"
        )
        assert self.process.poll() is None, self.output
        return self

    def kill(self) -> None:
        self.process.kill()
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=20)
