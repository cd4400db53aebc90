"""Runs algorithms as Docker containers, through the docker SDK.

Each run is a container ``vantage6-<node>-run-<run id>`` alone on an internal network of its
own (:mod:`.networks`): no internet, no other run's container, only the node proxy, which
listens on the network's gateway address (the host's firewall keeps it from the host's other
services: .firewall). It runs as the node's own user without capabilities or privilege
escalation, sees its own run folder at ``/mnt/run``, its job's temporary volume at
``/mnt/tmp`` and the node's file databases read-only (see :mod:`.env`). Labels
(``vantage6-type``, ``vantage6-node``, ``vantage6-run``, ``vantage6-job``) are the runtime's
only bookkeeping, so a restarted node finds the runs still going and the ones that ended while
it was down. A run whose image EXPOSEs ports also gets a link to the node's VPN between
algorithms (:mod:`vantage6.node.vpn`), its address in a label for a restarted node.

Exits come from the engine's event stream (the original polled every container each second).
When the stream breaks, the runtime reconnects and first collects what ended meanwhile.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import docker
import requests
from docker.auth import resolve_index_name, resolve_repository_name
from docker.errors import APIError, DockerException, ImageNotFound, NotFound
from docker.types import Mount
from docker.utils import parse_repository_tag

from vantage6.common.netns import NetworkError
from vantage6.common.task_status import TaskStatus
from vantage6.node.config import NodeConfig, Registry
from vantage6.node.runtime import content_trust
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
    RUN_DIR,
    TMP_DIR,
    algorithm_variables,
    database_setup,
    encoded,
    run_environment,
)
from vantage6.node.runtime.folders import RunFolder, job_folder, loaded_uri, remove_job_folder
from vantage6.node.runtime.networks import RunNetworks
from vantage6.node.vpn.ports import exposed_ports
from vantage6.node.vpn.rules import Member

log = logging.getLogger(__name__)

LIVE = frozenset({"running", "restarting", "paused"})
ENDED = frozenset({"exited", "dead"})
ENGINE_ERRORS = (DockerException, requests.RequestException)
RECONNECT_MAX = 30.0  # seconds between attempts to reopen the event stream, at most


class DockerRuntime:
    def __init__(self, config: NodeConfig, client: docker.DockerClient | None = None):
        self.config = config
        self.name = config.name
        self.task_dir = Path(config.task_dir)
        self.client = client or _engine()
        self._extra_env = algorithm_variables(
            config.algorithm_env, config.databases, config.policies.allow_rds
        )
        self.signed_only = content_trust.required()  # DOCKER_CONTENT_TRUST in the environment
        self.networks: RunNetworks | None = None  # once prepared
        self.vpn = None  # the node's NodeVpn, when it has a [vpn] (use_vpn)
        self._lock = threading.Lock()  # guards _claimed and _stream
        self._jobs = threading.Lock()  # job volumes are created and removed one at a time
        self._claimed: set[int] = set()  # runs whose outcome this process handed out
        self._stopping = threading.Event()
        self._stream = None
        self._on_exit: Callable[[Outcome], None] | None = None
        self._watcher: threading.Thread | None = None

    # -- set-up ------------------------------------------------------------------------------

    def prepare(self, proxy: ProxyEndpoints) -> None:
        """The task dir, and the networks of runs still going from before a restart served
        again (the others removed)."""
        self.task_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        if self.signed_only:
            log.info("%s is set: algorithms run only as signed images", content_trust.VARIABLE)
        self.networks = RunNetworks(
            self.client, self.name, self._labels, proxy, self.config.host_firewall
        )
        self.networks.reattach()
        if self.vpn is not None:
            self.vpn.restore(self._vpn_members())

    def use_vpn(self, vpn) -> None:
        """Link the runs whose images ask for it to the node's VPN (a NodeVpn)."""
        self.vpn = vpn

    # -- starting ----------------------------------------------------------------------------

    def start(self, spec: RunSpec) -> dict | None:
        if self.networks is None:
            raise RuntimeError("DockerRuntime.prepare() must run before start()")
        try:
            return self._start(spec)
        except ENGINE_ERRORS as exc:  # the engine failed before the container was made
            log.error("run %s: the Docker engine failed: %s", spec.run_id, _reason(exc))
            raise StartFailed(
                TaskStatus.START_FAILED, f"the Docker engine failed: {_reason(exc)}"
            ) from None

    def _start(self, spec: RunSpec) -> dict | None:
        existing = self._get(spec.run_id)
        if existing is not None:
            if existing.status in LIVE:
                log.info("run %s is already running (%s)", spec.run_id, existing.name)
                return None
            existing.remove(force=True)  # left by an earlier attempt that never reported
        spec = replace(spec, image=self._trusted(spec.image))
        self._ensure_image(spec.image)
        ports = exposed_ports(self.client.images.get(spec.image).attrs.get("Config") or {})
        try:
            address = self._vpn_address(spec, ports) if ports else None
            gateway = self.networks.open(spec.run_id)
            variables, mounts = self._environment(spec, gateway)
            folder = self._folder(spec)
            mounts = [Mount(RUN_DIR, str(folder.path), type="bind"), *mounts]
            container = self._launch(spec, variables, mounts, address)
            if address is not None:
                self._join_vpn(spec.run_id, container)
        except BaseException:
            self._abandon_quietly(spec.run_id)
            raise
        return {"vpn_address": address, "vpn_ports": ports} if address else None

    def _vpn_address(self, spec: RunSpec, ports: list[dict]) -> str:
        """The run's reserved address on the VPN its image asks for; StartFailed saying why
        when this node cannot give it one."""
        wanted = ", ".join(str(entry["port"]) for entry in ports)
        asks = f"image {spec.image} asks for the VPN between algorithms (it exposes {wanted})"
        if self.vpn is None:
            raise StartFailed(
                TaskStatus.FAILED,
                f"{asks}, but this node has none: its owner can set [vpn] subnet to the "
                "server's VPN subnet",
            )
        if self.vpn.problem is not None:
            raise StartFailed(TaskStatus.FAILED, f"{asks}, but {self.vpn.problem}")
        try:
            return self.vpn.allocate(spec.run_id, spec.job_id)
        except NetworkError as exc:
            raise StartFailed(TaskStatus.START_FAILED, f"{asks}, but {exc}") from None

    def _join_vpn(self, run_id: int, container) -> None:
        container.reload()
        try:
            self.vpn.join(run_id, container.attrs["State"]["Pid"])
        except NetworkError as exc:
            log.error("run %s: its VPN link failed: %s", run_id, exc)
            raise StartFailed(
                TaskStatus.START_FAILED, f"the run's link to the VPN failed: {exc}"
            ) from None

    def _trusted(self, image: str) -> str:
        """The image to run: as named, or, with content trust, by its signed digest."""
        if not self.signed_only:
            return image
        try:
            return content_trust.signed_reference(image)
        except content_trust.Unsigned as exc:
            log.warning("image %s refused: %s", image, exc)
            raise StartFailed(TaskStatus.NOT_ALLOWED, str(exc)) from None

    def _folder(self, spec: RunSpec) -> RunFolder:
        try:
            return RunFolder.create(self.task_dir, spec.run_id, spec.input, spec.token, spec.loaded)
        except OSError as exc:
            raise StartFailed(
                TaskStatus.FAILED, f"the run's folder could not be written: {exc}"
            ) from None

    def _environment(self, spec: RunSpec, gateway: str) -> tuple[dict[str, str], list[Mount]]:
        """The run's variables and its database mounts; StartFailed for a task asking for
        databases in a way the node refuses."""
        loaded = {label: loaded_uri(RUN_DIR, label) for label in spec.loaded}
        database_variables, database_mounts = database_setup(self.config.databases, True, loaded)
        try:
            variables = run_environment(
                host=f"http://{gateway}",
                port=self.networks.proxy.port,
                run_dir=RUN_DIR,
                tmp_dir=TMP_DIR,
                databases=database_variables,
                requested=spec.databases,
                extra=self._extra_env,
            )
        except ValueError as exc:
            raise StartFailed(TaskStatus.FAILED, str(exc)) from None
        mounts = [
            Mount(m.target, m.source, type="bind", read_only=m.read_only) for m in database_mounts
        ]
        return variables, mounts

    def _launch(self, spec: RunSpec, variables: dict, mounts: list[Mount], address: str | None):
        """Create and start the container; StartFailed with the engine's own reason when it
        refuses."""
        try:
            container = self._create(spec, variables, mounts, address)
            container.start()
        except ENGINE_ERRORS as exc:
            reason = _reason(exc)
            log.error("run %s: container of %s did not start: %s", spec.run_id, spec.image, reason)
            raise StartFailed(
                TaskStatus.START_FAILED, f"the container of {spec.image} did not start: {reason}"
            ) from None
        log.info("run %s started in %s (%s)", spec.run_id, container.name, spec.image)
        return container

    def _ensure_image(self, image: str) -> None:
        """The image locally present, pulled when the pull policy says so; StartFailed with
        status 'non-existing Docker image' and the engine's reason otherwise."""
        local = self._has_image(image)
        pull = self.config.pull
        if pull == "never" or (pull == "missing" and local):
            if local:
                return
            raise StartFailed(
                TaskStatus.NO_DOCKER_IMAGE,
                f"image {image} is not on this node, and the node does not pull images",
            )
        log.info("pulling image %s", image)
        login = registry_login(self.config.registries, image)
        try:
            self.client.images.pull(image, auth_config=login)
        except ENGINE_ERRORS as exc:
            log.error("image %s could not be pulled: %s", image, _reason(exc))
            raise StartFailed(
                TaskStatus.NO_DOCKER_IMAGE, f"image {image} could not be pulled: {_reason(exc)}"
            ) from None

    def _has_image(self, image: str) -> bool:
        try:
            self.client.images.get(image)
            return True
        except ImageNotFound:
            return False
        except ENGINE_ERRORS as exc:
            raise StartFailed(
                TaskStatus.NO_DOCKER_IMAGE, f"image {image!r} cannot be used: {_reason(exc)}"
            ) from None

    def _create(self, spec: RunSpec, variables: dict, mounts: list[Mount], address: str | None):
        limits = self.config.limits
        options = {
            "nano_cpus": int(limits.cpus * 1e9) if limits.cpus else None,
            "mem_limit": limits.memory,
            "pids_limit": limits.pids,
        }
        labels = self._labels(run=spec.run_id, job=spec.job_id, task=spec.task_id)
        if address is not None:  # how a restarted node finds the run's place on the VPN
            labels["vantage6-vpn-address"] = address
        with self._jobs:
            mounts = [*mounts, Mount(TMP_DIR, self._job_volume(spec.job_id), type="volume")]
            return self.client.containers.create(
                spec.image,
                name=self._container_name(spec.run_id),
                labels=labels,
                environment=encoded(variables),
                network=self.networks.name(spec.run_id),
                mounts=mounts,
                user=f"{os.getuid()}:{os.getgid()}",  # owns the run folder, as the node does
                cap_drop=["ALL"],
                security_opt=["no-new-privileges"],
                **{key: value for key, value in options.items() if value is not None},
            )

    def _job_volume(self, job_id: int) -> str:
        """The job's temporary volume, kept in a folder of the node's user so that the
        containers (running as that user) can write to it."""
        name = f"vantage6-{self.name}-job-{job_id}-tmp"
        folder = job_folder(self.task_dir, job_id)
        try:
            self.client.volumes.get(name)
        except NotFound:
            self.client.volumes.create(
                name,
                driver="local",
                driver_opts={"type": "none", "o": "bind", "device": str(folder)},
                labels=self._labels(kind="job-tmp", job=job_id),
            )
        return name

    # -- watching ----------------------------------------------------------------------------

    def watch(self, on_exit: Callable[[Outcome], None]) -> None:
        self._on_exit = on_exit
        self._watcher = threading.Thread(
            target=self._watch, name=f"vantage6-{self.name}-events", daemon=True
        )
        self._watcher.start()

    def _watch(self) -> None:
        """Follow the engine's ``die`` events of this node's containers, for as long as the
        runtime is open; whatever breaks the stream, reconnect with a growing delay."""
        filters = {"type": "container", "event": "die", "label": self._label_filter()}
        delay = 1.0
        while not self._stopping.is_set():
            try:
                with self._lock:
                    if self._stopping.is_set():
                        return
                    self._stream = self.client.events(decode=True, filters=filters)
                delay = 1.0
                for outcome in self.exited():  # what ended while nobody listened
                    deliver(self._on_exit, outcome)
                for event in self._stream:
                    self._on_die(event)
                problem = "ended"
            except Exception as exc:  # the watcher must outlive anything the engine does
                problem = f"failed ({_reason(exc)})"
                if not isinstance(exc, ENGINE_ERRORS):
                    log.exception("unexpected error while following the Docker events")
            if self._stopping.is_set():
                return
            log.warning("the Docker event stream %s; reconnecting in %.0f s", problem, delay)
            if self._stopping.wait(delay):
                return
            delay = min(delay * 2, RECONNECT_MAX)

    def _on_die(self, event: dict) -> None:
        attributes = (event.get("Actor") or {}).get("Attributes") or {}
        run_id = _int(attributes.get("vantage6-run"))
        if run_id is None or not self._claim(run_id):
            return
        try:
            outcome = self._outcome(self.client.containers.get(event["id"]), run_id)
        except NotFound:
            folder = RunFolder(self.task_dir, run_id)
            code = _int(attributes.get("exitCode"))
            status = finished_status(-1 if code is None else code, folder.killed)
            log_text = "[the container was removed before the node could read its log]"
            outcome = Outcome(run_id, status, folder.output(), log_text)
        except Exception:
            self._unclaim(run_id)
            raise
        deliver(self._on_exit, outcome)

    def _outcome(self, container, run_id: int) -> Outcome:
        state = container.attrs.get("State") or {}
        code = state.get("ExitCode", -1)
        folder = RunFolder(self.task_dir, run_id)
        status = finished_status(code, folder.killed)
        text = log_tail(container.logs(stream=True, follow=False, stdout=True, stderr=True))
        if state.get("OOMKilled"):
            limit = self.config.limits.memory
            text += f"\n[the algorithm ran out of memory (limit {limit or 'none'})]"
        elif status is TaskStatus.CRASHED:
            text += f"\n[the algorithm exited with code {code}]"
        return Outcome(run_id, status, folder.output(), text)

    def _claim(self, run_id: int) -> bool:
        """True for the first caller only: each outcome is handed out once."""
        with self._lock:
            if run_id in self._claimed:
                return False
            self._claimed.add(run_id)
            return True

    def _unclaim(self, run_id: int) -> None:
        with self._lock:
            self._claimed.discard(run_id)

    # -- queries and clean-up ----------------------------------------------------------------

    def running(self) -> set[int]:
        return self._runs_in(LIVE)

    def known(self) -> set[int]:
        return self._runs_in(LIVE | ENDED)

    def _vpn_members(self) -> list[Member]:
        """The running containers that are on the VPN, from their labels."""
        members = []
        for container in self._containers():
            labels = container.labels
            run_id, job_id = _int(labels.get("vantage6-run")), _int(labels.get("vantage6-job"))
            address = labels.get("vantage6-vpn-address")
            if container.status in LIVE and address and run_id is not None and job_id is not None:
                members.append(Member(run_id, job_id, address))
        return members

    def _runs_in(self, states: frozenset[str]) -> set[int]:
        """The runs whose container is in one of ``states``."""
        return {
            run_id
            for container in self._containers()
            if container.status in states
            and (run_id := _int(container.labels.get("vantage6-run"))) is not None
        }

    def exited(self) -> list[Outcome]:
        outcomes = []
        for container in self._containers():
            run_id = _int(container.labels.get("vantage6-run"))
            if container.status not in ENDED or run_id is None or not self._claim(run_id):
                continue
            try:
                outcomes.append(self._outcome(container, run_id))
            except ENGINE_ERRORS as exc:
                self._unclaim(run_id)
                log.warning("run %s ended but cannot be read yet: %s", run_id, _reason(exc))
        return outcomes

    def kill(self, run_id: int) -> bool:
        folder = RunFolder(self.task_dir, run_id)
        try:
            container = self._get(run_id)
            if container is None or container.status not in LIVE:
                return False
            folder.mark_killed()  # before the kill: its die event must find the mark
            container.kill()
        except ENGINE_ERRORS as exc:
            folder.unmark_killed()
            log.warning("run %s could not be killed: %s", run_id, _reason(exc))
            return False
        log.info("run %s killed", run_id)
        return True

    def discard(self, run_id: int) -> None:
        self._abandon(run_id)
        self._unclaim(run_id)

    def _abandon(self, run_id: int) -> None:
        """Remove the run's container, network and folder, and job volumes no container
        needs."""
        container = self._get(run_id)
        if container is not None:
            container.remove(force=True)
        if self.vpn is not None:
            self.vpn.leave(run_id)
        self.networks.close(run_id)
        RunFolder(self.task_dir, run_id).remove()
        with self._jobs:
            busy = {c.labels.get("vantage6-job") for c in self._containers()}
            volumes = self.client.volumes.list(filters={"label": self._label_filter("job-tmp")})
            for volume in volumes:
                job = (volume.attrs.get("Labels") or {}).get("vantage6-job")
                if job in busy or _int(job) is None:
                    continue
                try:
                    volume.remove()
                except APIError as exc:
                    log.warning("volume %s stays: %s", volume.name, _reason(exc))
                    continue
                remove_job_folder(self.task_dir, int(job))

    def _abandon_quietly(self, run_id: int) -> None:
        """Clean up after a start that failed; a failure here is only logged."""
        try:
            self._abandon(run_id)
        except Exception as exc:  # the start's own failure is what counts
            log.warning("run %s: cleaning up failed too: %s", run_id, _reason(exc))

    def close(self) -> None:
        """Stop following events; containers keep running for the next start to find, with
        their networks and the host firewall for them."""
        self._stopping.set()
        with self._lock:
            if self._stream is not None:
                self._stream.close()
        if self._watcher is not None:
            self._watcher.join(timeout=10)
        self.client.close()

    # -- helpers -----------------------------------------------------------------------------

    def _container_name(self, run_id: int) -> str:
        return f"vantage6-{self.name}-run-{run_id}"

    def _get(self, run_id: int):
        try:
            return self.client.containers.get(self._container_name(run_id))
        except NotFound:
            return None

    def _containers(self) -> list:
        return self.client.containers.list(
            all=True, filters={"label": self._label_filter()}, ignore_removed=True
        )

    def _labels(self, kind: str = "algorithm", **ids: int) -> dict[str, str]:
        labels = {"vantage6-type": kind, "vantage6-node": self.name}
        labels.update({f"vantage6-{key}": str(value) for key, value in ids.items()})
        return labels

    def _label_filter(self, kind: str = "algorithm") -> list[str]:
        return [f"{key}={value}" for key, value in self._labels(kind).items()]


def _engine() -> docker.DockerClient:
    try:
        return docker.from_env()
    except DockerException as exc:
        raise RuntimeError(
            f"the Docker engine does not answer ({exc}); start it, or set [node] runtime ="
            " process to run algorithms without isolation (development only)"
        ) from None


def registry_login(registries: tuple[Registry, ...], image: str) -> dict | None:
    """The configured login for the image's registry (Docker Hub when the name has none),
    as the SDK's ``auth_config``."""
    try:
        registry, _ = resolve_repository_name(parse_repository_tag(image)[0])
    except DockerException:
        return None
    for entry in registries:
        host = entry.registry.split("://", 1)[-1].rstrip("/")
        if resolve_index_name(host) == registry:
            return {"username": entry.username, "password": entry.password}
    return None


def _reason(exc: Exception) -> str:
    """The engine's own words for what went wrong."""
    if isinstance(exc, APIError) and exc.explanation:
        return str(exc.explanation)
    return str(exc) or type(exc).__name__


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
