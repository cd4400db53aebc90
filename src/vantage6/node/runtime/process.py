"""A development runtime: each run is a local ``python -m vantage6.algorithm`` process.

For machines without Docker. There is NO isolation: an algorithm reads whatever the node's
user can read and reaches any host, so never use it with real data. It speaks the same
contract as :class:`~.docker.DockerRuntime` (run folders, variables, outcomes) except that
runs do not outlive the node: :meth:`ProcessRuntime.close` stops them (a process cannot be
re-attached), and a restarted node starts them again.

Images map to local packages (:data:`ALGORITHMS`, or the ``algorithms`` argument): the image
name without tag or digest gives the package (``PKG_NAME``) and a folder put on its
``PYTHONPATH`` (``None`` when the package is installed). The demo average image
(``harbor2.vantage6.ai/demo/average`` and ``vantage6/demo-average``) maps to ``v6_average`` in
``node/algorithms/average`` of this source tree.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from docker.utils import parse_repository_tag

import vantage6
from vantage6.common.task_status import TaskStatus
from vantage6.node.config import NodeConfig
from vantage6.node.runtime.base import (
    Outcome,
    ProxyEndpoints,
    RunSpec,
    StartFailed,
    deliver,
    finished_status,
    log_tail,
)
from vantage6.node.runtime.env import (
    algorithm_variables,
    database_setup,
    encoded,
    run_environment,
)
from vantage6.node.runtime.folders import (
    RunFolder,
    job_folder,
    job_path,
    loaded_uri,
    remove_job_folder,
)

log = logging.getLogger(__name__)

LOOPBACK = "127.0.0.1"  # where algorithms reach the node proxy
SOURCE_TREE = Path(__file__).resolve().parents[4]
_AVERAGE = ("v6_average", SOURCE_TREE / "node" / "algorithms" / "average")
ALGORITHMS: dict[str, tuple[str, Path | None]] = {
    "harbor2.vantage6.ai/demo/average": _AVERAGE,
    "vantage6/demo-average": _AVERAGE,
}


@dataclass
class _Run:
    spec: RunSpec
    process: subprocess.Popen
    folder: RunFolder
    killed: bool = False


class ProcessRuntime:
    def __init__(
        self,
        config: NodeConfig,
        algorithms: Mapping[str, tuple[str, Path | None]] = ALGORITHMS,
    ):
        self.config = config
        self.task_dir = Path(config.task_dir)
        self._proxy: ProxyEndpoints | None = None
        self.algorithms = dict(algorithms)
        self._extra_env = algorithm_variables(config.algorithm_env, config.databases)
        self._lock = threading.Lock()
        self._runs: dict[int, _Run] = {}
        self._ended: list[Outcome] = []  # ended before anyone watched
        self._on_exit: Callable[[Outcome], None] | None = None
        self._closed = False

    def prepare(self, proxy: ProxyEndpoints) -> None:
        """Algorithms reach the proxy on this machine's loopback address."""
        log.warning(
            "PROCESS RUNTIME: algorithms run as plain local processes WITHOUT ANY ISOLATION;"
            " they can read every file and reach every host this node can. Development only:"
            " use runtime = docker for real data."
        )
        self.task_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        proxy.listen(LOOPBACK)
        self._proxy = proxy

    def start(self, spec: RunSpec) -> None:
        with self._lock:
            current = self._runs.get(spec.run_id)
            if current is not None and current.process.poll() is None:
                log.info("run %s is already running (pid %s)", spec.run_id, current.process.pid)
                return
        package, package_path = self._package(spec.image)
        run_dir = str(RunFolder(self.task_dir, spec.run_id).path)
        loaded = {label: loaded_uri(run_dir, label) for label in spec.loaded}
        database_variables, _ = database_setup(self.config.databases, False, loaded)
        try:
            variables = run_environment(
                host=f"http://{LOOPBACK}",
                port=self._proxy.port,
                run_dir=run_dir,
                tmp_dir=str(job_path(self.task_dir, spec.job_id)),
                databases=database_variables,
                requested=spec.databases,
                extra=self._extra_env,
            )
        except ValueError as exc:
            raise StartFailed(TaskStatus.FAILED, str(exc)) from None
        try:
            folder = RunFolder.create(
                self.task_dir, spec.run_id, spec.input, spec.token, spec.loaded
            )
            job_folder(self.task_dir, spec.job_id)
            process = self._spawn(folder, package, package_path, variables)
        except OSError as exc:
            RunFolder(self.task_dir, spec.run_id).remove()
            raise StartFailed(TaskStatus.FAILED, f"the run could not start: {exc}") from None
        run = _Run(spec, process, folder)
        with self._lock:
            self._runs[spec.run_id] = run
        threading.Thread(
            target=self._wait, args=(run,), name=f"vantage6-run-{spec.run_id}", daemon=True
        ).start()
        log.info("run %s started as process %s (%s)", spec.run_id, process.pid, package)

    def _package(self, image: str) -> tuple[str, Path | None]:
        repository = parse_repository_tag(image)[0]
        if repository not in self.algorithms:
            raise StartFailed(
                TaskStatus.NO_DOCKER_IMAGE,
                f"the process runtime has no package for image {image}; it knows "
                + ", ".join(sorted(self.algorithms)),
            )
        return self.algorithms[repository]

    def _spawn(self, folder: RunFolder, package: str, path: Path | None, variables: dict):
        """The algorithm process, with only the variables it needs (not the node's own
        environment, which may hold secrets); its output goes to ``log`` in the run folder."""
        python_path = [str(Path(vantage6.__file__).resolve().parents[1])]
        if path is not None:
            python_path.insert(0, str(path))
        environment = {
            **encoded(variables),
            "PKG_NAME": package,
            "PATH": os.environ.get("PATH", os.defpath),
            "PYTHONPATH": os.pathsep.join(python_path),
            "PYTHONUNBUFFERED": "1",
        }
        with open(folder.file("log"), "wb") as log_file:
            return subprocess.Popen(
                [sys.executable, "-m", "vantage6.algorithm"],
                env=environment,
                cwd=folder.path,
                stdin=subprocess.DEVNULL,
                stdout=log_file,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: kill() stops its children too
            )

    def _wait(self, run: _Run) -> None:
        code = run.process.wait()
        text = _read_log(run.folder.file("log"))
        status = finished_status(code, run.killed)
        if status is TaskStatus.CRASHED:
            text += f"\n[the algorithm exited with code {code}]"
        outcome = Outcome(run.spec.run_id, status, run.folder.output(), text)
        with self._lock:
            if self._closed:
                return
            on_exit = self._on_exit
            if on_exit is None:
                self._ended.append(outcome)
        if on_exit is not None:
            deliver(on_exit, outcome)

    def watch(self, on_exit: Callable[[Outcome], None]) -> None:
        with self._lock:
            self._on_exit = on_exit
            ended, self._ended = self._ended, []
        for outcome in ended:
            deliver(on_exit, outcome)

    def kill(self, run_id: int) -> bool:
        with self._lock:
            run = self._runs.get(run_id)
            if run is None or run.process.poll() is not None:
                return False
            run.killed = True
        _stop(run.process)
        log.info("run %s killed", run_id)
        return True

    def running(self) -> set[int]:
        with self._lock:
            return {run_id for run_id, run in self._runs.items() if run.process.poll() is None}

    def exited(self) -> list[Outcome]:
        with self._lock:
            ended, self._ended = self._ended, []
        return ended

    def discard(self, run_id: int) -> None:
        with self._lock:
            run = self._runs.pop(run_id, None)
            jobs = {other.spec.job_id for other in self._runs.values()}
        if run is None:
            RunFolder(self.task_dir, run_id).remove()
            return
        if run.process.poll() is None:
            _stop(run.process)
        run.folder.remove()
        if run.spec.job_id not in jobs:
            remove_job_folder(self.task_dir, run.spec.job_id)

    def close(self) -> None:
        """Stop the runs still going: a new node process cannot re-attach to them."""
        with self._lock:
            self._closed = True
            live = [run for run in self._runs.values() if run.process.poll() is None]
        if live:
            log.warning(
                "stopping %s run(s) of the process runtime; they start again with the node",
                len(live),
            )
        for run in live:
            _stop(run.process)


def _stop(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def _read_log(path: Path) -> str:
    try:
        with open(path, "rb") as log_file:
            return log_tail(iter(lambda: log_file.read(65536), b""))
    except OSError as exc:  # discarded while it ran
        return f"[the log could not be read: {exc}]"
