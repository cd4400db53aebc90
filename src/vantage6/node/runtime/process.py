"""A development runtime: each run is a local ``python -m vantage6.algorithm`` process (or
``Rscript`` running ``vtg``'s wrapper, for an R algorithm).

For machines without Docker. There is NO isolation: an algorithm reads whatever the node's
user can read and reaches any host, so never use it with real data. It speaks the same
contract as :class:`~.docker.DockerRuntime` (run folders, variables, outcomes), and as with
containers, runs outlive the node: each algorithm runs under a small supervisor
(:mod:`.supervisor`) in a session of its own, which holds the run's lock while it lives and
writes the algorithm's exit code into the run's folder. A restarted node finds a run still
going by its held lock (and waits for it), and one that ended meanwhile by its exit code. A
run whose supervisor is gone without one (killed, or the machine went down) left no outcome:
the daemon takes it as interrupted.

Images map to local packages (:data:`ALGORITHMS`, or the ``algorithms`` argument): the image
name without tag or digest gives the package (``PKG_NAME``) and a folder put on its
``PYTHONPATH`` (``None`` when the package is installed). The demo average image
(``harbor2.vantage6.ai/demo/average`` and ``vantage6/demo-average``) maps to ``v6_average`` in
``node/algorithms/average`` of this source tree. A folder holding an R package (its
``DESCRIPTION``) is installed, with ``vtg``, into the node's own R library on first use
(:mod:`.r_library`); ``vantage6/coxph`` maps to ``vtg.coxph`` in ``R/vtg.coxph``.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Mapping
from pathlib import Path

from docker.utils import parse_repository_tag

import vantage6
from vantage6.common.task_status import TaskStatus
from vantage6.node.config import NodeConfig
from vantage6.node.runtime import r_library, supervisor
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
    "vantage6/coxph": ("vtg.coxph", SOURCE_TREE / "R" / "vtg.coxph"),  # an R package
}


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
        self._extra_env = algorithm_variables(
            config.algorithm_env, config.databases, config.policies.allow_rds
        )
        self._lock = threading.Lock()
        self._claimed: set[int] = set()  # runs whose outcome this process handed out
        self._waiting: set[int] = set()  # runs a thread of this process waits for
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

    # -- starting ----------------------------------------------------------------------------

    def start(self, spec: RunSpec) -> None:
        if _alive(RunFolder(self.task_dir, spec.run_id)):
            log.info("run %s is already running", spec.run_id)
            return
        package, package_path = self._package(spec.image)
        algorithm, language_env = self._algorithm(package_path)
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
            process = self._spawn(
                folder, spec.job_id, algorithm, {**language_env, "PKG_NAME": package}, variables
            )
        except OSError as exc:
            RunFolder(self.task_dir, spec.run_id).remove()
            raise StartFailed(TaskStatus.FAILED, f"the run could not start: {exc}") from None
        with self._lock:
            self._claimed.discard(spec.run_id)
            self._waiting.add(spec.run_id)
        self._wait_in_thread(spec.run_id, process)
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

    def _algorithm(self, path: Path | None) -> tuple[list[str], dict[str, str]]:
        """The command that runs the package in ``path``, and the variables it needs: Python's
        wrapper with the package on its path, or, for an R package, R's with a library
        holding it (installed now when it is not yet)."""
        if r_library.is_r_package(path):
            try:
                command = r_library.command()
                library = r_library.library_with(
                    self.task_dir / "R-library", r_library.VTG_SOURCE, path
                )
            except r_library.InstallFailed as exc:
                raise StartFailed(TaskStatus.FAILED, str(exc)) from None
            return command, {"R_LIBS": str(library)}
        python_path = [str(Path(vantage6.__file__).resolve().parents[1])]
        if path is not None:
            python_path.insert(0, str(path))
        return [sys.executable, "-m", "vantage6.algorithm"], {
            "PYTHONPATH": os.pathsep.join(python_path),
            "PYTHONUNBUFFERED": "1",
        }

    def _spawn(self, folder: RunFolder, job_id: int, algorithm: list[str], own_env, variables):
        """The run's supervisor, holding the run's lock from before it runs; it and the
        algorithm get only the variables the algorithm needs (not the node's own environment,
        which may hold secrets), and their output goes to ``log`` in the run folder."""
        environment = {
            **encoded(variables),
            **own_env,
            "PATH": os.environ.get("PATH", os.defpath),
        }
        command = [sys.executable, "-m", supervisor.__name__, str(folder.path), "--"]
        lock = os.open(folder.file(supervisor.LOCK), os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(lock, fcntl.LOCK_EX)
            with open(folder.file("log"), "wb") as log_file:
                process = subprocess.Popen(
                    [*command, *algorithm],
                    env=environment,
                    cwd=folder.path,
                    stdin=subprocess.DEVNULL,
                    stdout=log_file,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,  # outlives the node; kill() stops its whole group
                    pass_fds=(lock,),
                )
            os.write(lock, json.dumps({"pid": process.pid, "job_id": job_id}).encode())
        finally:
            os.close(lock)
        return process

    # -- ends --------------------------------------------------------------------------------

    def watch(self, on_exit: Callable[[Outcome], None]) -> None:
        """Report each run that ends from now on, also those still going (or ended unseen)
        from before a restart of the node."""
        with self._lock:
            self._on_exit = on_exit
            ended, self._ended = self._ended, []
            found = [  # not those that left no end (interrupted): nothing to wait for
                folder.run_id
                for folder in self._runs_on_disk()
                if folder.run_id not in self._claimed | self._waiting
                and (_alive(folder) or _has_end(folder))
            ]
            self._waiting.update(found)
        for outcome in ended:
            deliver(on_exit, outcome)
        for run_id in found:
            self._wait_in_thread(run_id)

    def _wait_in_thread(self, run_id: int, process: subprocess.Popen | None = None) -> None:
        threading.Thread(
            target=self._wait, args=(run_id, process), name=f"vantage6-run-{run_id}", daemon=True
        ).start()

    def _wait(self, run_id: int, process: subprocess.Popen | None) -> None:
        """Until the run's supervisor ends (this process's child, or one from before a restart,
        whose lock then comes free); then hand out how the run ended."""
        folder = RunFolder(self.task_dir, run_id)
        try:
            if process is not None:
                code = process.wait()
            else:
                _wait_for_lock(folder.file(supervisor.LOCK))
                code = None
            self._finish(folder, code)
        finally:
            with self._lock:
                self._waiting.discard(run_id)

    def _finish(self, folder: RunFolder, supervisor_code: int | None) -> None:
        if not folder.path.exists():
            return  # discarded while it ran
        outcome = _outcome(folder, supervisor_code)
        if outcome is None:
            log.warning(
                "run %s: its supervisor is gone without the algorithm's exit code; the "
                "algorithm was interrupted",
                folder.run_id,
            )
            return
        with self._lock:
            if self._closed or folder.run_id in self._claimed:
                return
            self._claimed.add(folder.run_id)
            on_exit = self._on_exit
            if on_exit is None:
                self._ended.append(outcome)
                return
        deliver(on_exit, outcome)

    # -- queries and clean-up ----------------------------------------------------------------

    def kill(self, run_id: int) -> bool:
        folder = RunFolder(self.task_dir, run_id)
        pid = _record(folder).get("pid")
        if pid is None or not _alive(folder):
            return False
        folder.mark_killed()  # before the kill: whoever sees the end must find the mark
        _stop(pid)
        log.info("run %s killed", run_id)
        return True

    def running(self) -> set[int]:
        return {folder.run_id for folder in self._runs_on_disk() if _alive(folder)}

    def known(self) -> set[int]:
        with self._lock:
            awaited = self._waiting | {outcome.run_id for outcome in self._ended}
        return {
            folder.run_id
            for folder in self._runs_on_disk()
            if folder.run_id in awaited or _alive(folder) or _has_end(folder)
        }

    def exited(self) -> list[Outcome]:
        with self._lock:
            ended, self._ended = self._ended, []
            skip = self._claimed | self._waiting
        for folder in self._runs_on_disk():
            if folder.run_id in skip or _alive(folder):
                continue
            outcome = _outcome(folder, None)
            with self._lock:
                if outcome is None or folder.run_id in self._claimed:
                    continue
                self._claimed.add(folder.run_id)
            ended.append(outcome)
        return ended

    def discard(self, run_id: int) -> None:
        folder = RunFolder(self.task_dir, run_id)
        record = _record(folder)
        if record.get("pid") is not None and _alive(folder):
            _stop(record["pid"])
        folder.remove()
        with self._lock:
            self._claimed.discard(run_id)
        job_id = record.get("job_id")
        if job_id is not None and job_id not in {
            _record(other).get("job_id") for other in self._runs_on_disk()
        }:
            remove_job_folder(self.task_dir, job_id)

    def close(self) -> None:
        """Stop handing out outcomes; the runs keep going for the node's next start."""
        with self._lock:
            self._closed = True
        going = self.running()
        if going:
            log.info("%d run(s) keep running; the node's next start finds them", len(going))

    def _runs_on_disk(self) -> list[RunFolder]:
        """Runs started here and not discarded (each has its supervisor's record)."""
        return [
            folder
            for folder in RunFolder.existing(self.task_dir)
            if folder.file(supervisor.LOCK).exists()
        ]


def _alive(folder: RunFolder) -> bool:
    """Whether the run's supervisor lives: its lock is held."""
    try:
        descriptor = os.open(folder.file(supervisor.LOCK), os.O_RDONLY)
    except FileNotFoundError:
        return False
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(descriptor)
    return False


def _wait_for_lock(path: Path) -> None:
    """Until nobody holds the lock of ``path`` (at once when there is no such file)."""
    try:
        descriptor = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        return
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
    finally:
        os.close(descriptor)


def _record(folder: RunFolder) -> dict:
    """What the node noted when it started the run: the supervisor's pid and the job."""
    try:
        record = json.loads(folder.file(supervisor.LOCK).read_text() or "{}")
    except (OSError, ValueError):
        return {}
    return record if isinstance(record, dict) else {}


def _exit_code(folder: RunFolder) -> int | None:
    try:
        return int(folder.file(supervisor.EXIT_CODE).read_text())
    except (OSError, ValueError):
        return None


def _has_end(folder: RunFolder) -> bool:
    """Whether the run left how it ended: an exit code, or the mark that it was killed."""
    return folder.killed or folder.file(supervisor.EXIT_CODE).exists()


def _outcome(folder: RunFolder, supervisor_code: int | None) -> Outcome | None:
    """How the run ended, from its exit code, else the supervisor's own (stopped by a
    signal) or the kill mark; None when it left none of these (it was interrupted)."""
    code = _exit_code(folder)
    if code is None:
        code = supervisor_code
    if code is None and not folder.killed:
        return None
    status = finished_status(-1 if code is None else code, folder.killed)
    text = _read_log(folder.file("log"))
    if status is TaskStatus.CRASHED:
        text += f"\n[the algorithm exited with code {code}]"
    return Outcome(folder.run_id, status, folder.output(), text)


def _stop(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def _read_log(path: Path) -> str:
    try:
        with open(path, "rb") as log_file:
            return log_tail(iter(lambda: log_file.read(65536), b""))
    except OSError as exc:  # discarded while it ran
        return f"[the log could not be read: {exc}]"
