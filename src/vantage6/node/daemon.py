"""The node's life: log in, check encryption, start the runtime and the proxy, then follow the
server's events until stopped.

What runs where is never remembered by the node itself: the server's open runs and the
runtime's labelled containers are the truth, compared on every (re)connect (``sync``) and now
and then. All work on runs (start, kill, report) goes through one worker thread, so a resync and
a ``new_task`` event that race can never start the same run twice.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import queue
import threading
import time

from vantage6.common.encryption import (
    CryptorBase,
    DecryptionError,
    InvalidKey,
    cryptor_for,
    public_key_fingerprint,
)
from vantage6.common.task_status import TaskStatus
from vantage6.node import data_loading, policies
from vantage6.node.config import NodeConfig
from vantage6.node.events import EventStream
from vantage6.node.proxy import NodeProxy
from vantage6.node.proxy_listeners import free_port
from vantage6.node.recipient_keys import RecipientKeyChanged, RecipientKeys
from vantage6.node.runtime.base import Outcome, RunSpec, StartFailed
from vantage6.node.runtime.folders import RunFolder
from vantage6.node.server import Interrupted, Rejected, ServerClient, ServerError
from vantage6.node.state import NodeState
from vantage6.plugins.manager import NODE, PluginError, plugin_manager

log = logging.getLogger(__name__)

RESYNC_SECONDS = 300.0  # a resync now and then catches what a lost event would have missed
RETRY_SECONDS = 10.0  # how soon to resync after the server failed us
CONFLICT = 409  # the server's answer once a run finished (e.g. killed) while we worked on it


class NodeError(Exception):
    """The node cannot (go on) run(ning); the message tells its owner what to do."""


def node_plugins(config: NodeConfig):
    """The built-in runtimes and the plugins that ``[node] plugins`` names."""
    try:
        return plugin_manager(NODE, config.plugins, config.blocked_plugins)
    except PluginError as exc:
        raise NodeError(f"{config.path}: [node] plugins: {exc}") from None


def now_iso() -> str:
    return dt.datetime.now(dt.UTC).isoformat()


class Node:
    """One node process. ``run()`` blocks until :meth:`stop` (or a fatal error)."""

    def __init__(
        self, config: NodeConfig, runtime=None, server: ServerClient | None = None, plugins=None
    ):
        self.config = config
        self.plugins = plugins or node_plugins(config)
        self.server = server or ServerClient(config.api_url)
        self.runtime = runtime
        self.recipient_keys = RecipientKeys.of(config)
        self.cryptor: CryptorBase | None = None
        self.proxy: NodeProxy | None = None
        self.events: EventStream | None = None
        self._work: queue.Queue = queue.Queue()
        self._stopped = threading.Event()
        self.started = threading.Event()  # logged in, runtime and proxy up, events started
        self._fatal: Exception | None = None
        self._unreported: dict[int, Outcome] = {}  # ended runs the server has not taken yet
        self._mine: set[int] = set()  # runs in the runtime, until their outcome is reported
        self._next_resync = 0.0

    # -- life cycle --------------------------------------------------------------------------

    def run(self) -> None:
        """Set everything up, then work until stopped; :class:`NodeError` when it cannot."""
        try:
            try:
                self._start()
            except ServerError as exc:
                raise NodeError(f"The node could not start: the server answered {exc}") from None
            self._work_loop()
        finally:
            self._shutdown()
        if self._fatal is not None:
            raise self._fatal

    def stop(self) -> None:
        """Ask the node to stop (from a signal handler or another thread)."""
        self._stopped.set()
        self._work.put(("stop", None))

    def _start(self) -> None:
        config = self.config
        try:
            self.server.authenticate(config.api_key, stop=self._stopped)
        except Interrupted:
            log.info("Stopped before the server answered")
            return
        except Rejected:
            raise NodeError(
                f"The server at {config.api_url} refused this node's API key ([node] api_key "
                f"in {config.path}); ask the collaboration's administrator for a valid one"
            ) from None
        except ServerError as exc:
            raise NodeError(f"Cannot log in at {config.api_url}: {exc.msg}") from None
        log.info(
            "Logged in as node %s of organization %s in collaboration %s",
            self.server.node_id,
            self.server.organization_id,
            self.server.collaboration_id,
        )
        self.cryptor = self._set_up_encryption()
        if self.runtime is None:
            self.runtime = self.plugins.hook.vantage6_node_runtime(config=config)
        if self.runtime is None:
            raise NodeError(
                f"{config.path}: no plugin provides runtime = {config.runtime} (is the "
                "built-in vantage6.runtimes in [node] plugins.blocked?)"
            )
        self.proxy = NodeProxy(
            self.server, self.cryptor, self.recipient_keys, port=self._proxy_port()
        )
        # before the proxy listens: algorithms still running from before a restart use it
        self._admit_running(self._open_runs(), self.runtime.running())
        self.runtime.prepare(self.proxy)
        self.runtime.watch(self._on_exit)
        self._next_resync = time.monotonic() + RESYNC_SECONDS  # the first sync event resyncs
        self.events = EventStream(self.server, self._on_event, self._on_fatal)
        self.events.start()
        self.started.set()

    def _set_up_encryption(self) -> CryptorBase:
        """The collaboration's setting must match ours; our organization's public key on the
        server must be ours (uploaded when it is not)."""
        server, config = self.server, self.config
        collaboration = server.request("GET", f"/collaboration/{server.collaboration_id}")
        if bool(collaboration["encrypted"]) != config.encryption_enabled:
            state = "encrypted" if collaboration["encrypted"] else "not encrypted"
            raise NodeError(
                f"Collaboration {collaboration['name']!r} is {state}, but this node has "
                f"[encryption] enabled = {str(config.encryption_enabled).lower()} in "
                f"{config.path}. Set enabled = {str(bool(collaboration['encrypted'])).lower()}"
                + (
                    " and private_key to your organization's key"
                    if collaboration["encrypted"]
                    else ""
                )
            )
        try:
            cryptor = cryptor_for(
                config.encryption_enabled,
                config.private_key,
                allow_legacy=config.allow_legacy_encryption,
            )
        except InvalidKey as exc:
            raise NodeError(f"[encryption] private_key in {config.path}: {exc}") from None
        if config.encryption_enabled:
            publish_public_key(server, cryptor)
            self.recipient_keys.own(server.organization_id, cryptor.public_key_str)
        return cryptor

    def _proxy_port(self) -> int:
        """The configured port, else the one of the last start (algorithms still running
        from then know it), else a free one; remembered for the next start."""
        state = NodeState(self.config.task_dir)
        wanted = self.config.proxy_port or state.proxy_port
        port = free_port(wanted) if wanted else None
        if wanted and port is None:
            if self.config.proxy_port:
                raise NodeError(
                    f"[proxy] port {wanted} in {self.config.path} is in use on this machine; "
                    "choose another, or 0 for any free port"
                )
            log.warning(
                "The proxy port of the last start (%s) is taken; algorithms still running from "
                "then cannot reach the proxy",
                wanted,
            )
        state.proxy_port = port = port or free_port()
        return port

    def _shutdown(self) -> None:
        """Stop listening and serving; running algorithms keep going (a restart finds them)."""
        if self.events is not None:
            self.events.close()
        if self.runtime is not None:
            self.runtime.close()
        if self.proxy is not None:
            self.proxy.stop()
        self.server.close()
        log.info("Node stopped")

    def _on_fatal(self, exc: Exception) -> None:
        log.error("The server no longer accepts this node's API key; stopping")
        self._fatal = NodeError(f"The server refused this node's API key ({exc.msg})")
        self.stop()

    def _on_exit(self, outcome: Outcome) -> None:
        """(In the runtime's thread.) Noted at once, so that no start sees the run as gone."""
        self._unreported.setdefault(outcome.run_id, outcome)
        self._work.put(("exit", outcome))

    def _on_event(self, name: str, data) -> None:
        if name in ("sync", "new_task", "kill_containers"):
            self._work.put((name, data))

    # -- the worker --------------------------------------------------------------------------

    def _work_loop(self) -> None:
        handlers = {
            "sync": lambda _: self._resync(),
            "new_task": self._new_task,
            "kill_containers": self._kill,
            "exit": lambda outcome: self._per_run(outcome.run_id, self._report, outcome),
        }
        while not self._stopped.is_set():
            wait = min(max(self._next_resync - time.monotonic(), 0.05), 1.0)
            try:
                kind, data = self._work.get(timeout=wait)
            except queue.Empty:
                if time.monotonic() < self._next_resync:
                    continue
                if not self.events.connected.is_set():
                    self._next_resync = time.monotonic() + RETRY_SECONDS
                    continue
                kind, data = "sync", None
            if kind == "stop":
                return
            try:
                handlers[kind](data)
            except Rejected as exc:
                self._on_fatal(exc)
            except ServerError as exc:
                log.warning("Server call failed while handling %s: %s", kind, exc)
                self._next_resync = time.monotonic() + RETRY_SECONDS
            except Exception:
                log.exception("Handling %s failed", kind)
                self._next_resync = time.monotonic() + RETRY_SECONDS

    def _open_runs(self, **filters) -> list[dict]:
        params = {"state": "open", "node_id": self.server.node_id, "include": "task", **filters}
        return list(self.server.pages("/run", params))

    def _resync(self) -> None:
        """Make the runtime agree with the server: report what ended, stop what the server no
        longer wants, start what is open and not running."""
        self._next_resync = time.monotonic() + RESYNC_SECONDS
        open_runs = self._open_runs()
        open_ids = {run["id"] for run in open_runs}
        running = self.runtime.running()  # before exited(): a run ending in between is in both
        self._mine |= running
        for outcome in self.runtime.exited():
            self._unreported.setdefault(outcome.run_id, outcome)
        for outcome in list(self._unreported.values()):
            self._per_run(outcome.run_id, self._report, outcome)
        self._admit_running(open_runs, running)
        for run_id in running - open_ids:
            log.info("Run %s is no longer open at the server; stopping its algorithm", run_id)
            self.runtime.kill(run_id)
        for run in open_runs:
            if self._is_new(run["id"], running):
                self._per_run(run["id"], self._start_run, run)
        log.info("Resynced: %d open run(s), %d running here", len(open_runs), len(running))

    def _admit_running(self, open_runs: list[dict], running: set[int]) -> None:
        """Let the algorithms of open runs that are running use the proxy with the token they
        were started with (after a restart, this process did not start them)."""
        for run in open_runs:
            run_id = run["id"]
            if run_id not in running or self.proxy.containers.admitted(run_id):
                continue
            token = RunFolder(self.config.task_dir, run_id).token()
            if token is None:
                log.warning(
                    "Run %s: its token cannot be read; its algorithm cannot use the proxy", run_id
                )
                continue
            self.proxy.containers.admit(run_id, token, run["task"]["job_id"])

    def _new_task(self, data) -> None:
        running = self.runtime.running()
        for run in self._open_runs(task_id=int(data["id"])):
            if self._is_new(run["id"], running):
                self._per_run(run["id"], self._start_run, run)

    def _is_new(self, run_id: int, running: set[int]) -> bool:
        """Whether the runtime has never had this run (as far as this process knows)."""
        return run_id not in running and run_id not in self._mine and run_id not in self._unreported

    def _kill(self, data) -> None:
        """Stop the runs of ours a ``kill_containers`` event names; the server already marked
        them killed, their outcomes then only clean up."""
        if data.get("collaboration_id") != self.server.collaboration_id:
            return
        if "node_id" in data:
            targets = self.runtime.running() if data["node_id"] == self.server.node_id else set()
        else:
            targets = {
                entry["run_id"]
                for entry in data.get("kill_list", [])
                if entry.get("organization_id") == self.server.organization_id
            }
        for run_id in sorted(targets):
            if self.runtime.kill(run_id):
                log.info("Killed run %s", run_id)

    # -- one run -----------------------------------------------------------------------------

    def _per_run(self, run_id: int, work, *args) -> None:
        """Do ``work`` for one run. A server that is away stops the whole pass (the next
        resync tries again); anything else wrong with this run fails it, once, so that it is
        neither retried forever nor in the way of the other runs."""
        try:
            work(*args)
        except ServerError as exc:
            if exc.transient or isinstance(exc, Rejected):
                raise
            if exc.status == CONFLICT:
                log.info("Run %s finished at the server meanwhile: %s", run_id, exc.msg)
                return
            log.error("Run %s: the server refused a call: %s", run_id, exc)
            self._give_up(run_id, f"The node could not handle this run: {exc.msg}")
        except Exception as exc:
            log.exception("Run %s could not be handled", run_id)
            self._give_up(run_id, f"The node could not handle this run: {exc}")

    def _give_up(self, run_id: int, reason: str) -> None:
        """Mark the run failed; when its algorithm had ended, remove what it left (no report
        will, e.g. when its task was deleted meanwhile)."""
        ended = self._unreported.pop(run_id, None) is not None
        try:
            self._patch(run_id, TaskStatus.FAILED, log=reason)
        except ServerError as exc:
            log.warning("Run %s could not be marked failed either: %s", run_id, exc.msg)
        if ended:
            try:
                self.runtime.discard(run_id)
            except Exception:
                log.exception("Run %s: what its algorithm left could not be removed", run_id)
            self._forget(run_id)

    def _forget(self, run_id: int) -> None:
        """The run is no longer in the runtime: its token no longer opens the proxy."""
        self._mine.discard(run_id)
        self.proxy.containers.dismiss(run_id)

    def _plugin_objections(self, run: dict, task: dict) -> str | None:
        """What the ``vantage6_validate_run`` plugins object to, as one text (None: nothing)."""
        answers = self.plugins.hook.vantage6_validate_run(run=run, task=task, config=self.config)
        problems = [problem for answer in answers for problem in answer or ()]
        return "; ".join(problems) or None

    def _start_run(self, run: dict) -> None:
        run_id, task = run["id"], run["task"]
        if run["status"] == TaskStatus.ACTIVE:
            # active at the server, yet no container here: it ran, and we cannot know how it
            # ended; running it again could run it twice
            self._patch(run_id, TaskStatus.FAILED, log=LOST)
            return
        try:
            data = self.cryptor.decrypt_str_to_bytes(run["input"] or "")
        except (DecryptionError, ValueError) as exc:
            log.warning("Run %s of task %s: its input cannot be read: %s", run_id, task["id"], exc)
            self._patch(run_id, TaskStatus.FAILED, log=f"The node cannot read the input: {exc}")
            return
        init_user = (task.get("init_user") or {}).get("id")
        # A subtask's init_org is the organization whose algorithm asked for it; whom the
        # work is for is whoever started the job (the original server does not say: init_org).
        originator = (task.get("job_init_org") or task["init_org"])["id"]
        reason = policies.check(self.config.policies, task["image"], originator, init_user)
        if reason is None:
            reason = self._plugin_objections(run, task)
        if reason is not None:
            log.info("Run %s of task %s not allowed: %s", run_id, task["id"], reason)
            self._patch(run_id, TaskStatus.NOT_ALLOWED, log=reason)
            return
        databases = [_database(entry) for entry in task.get("databases") or []]
        missing = self._missing_databases(databases)
        if missing:
            self._patch(run_id, TaskStatus.FAILED, log=missing)
            return
        try:
            loaded = data_loading.load_requested(self.plugins, self.config, databases)
        except data_loading.LoadFailed as exc:
            log.warning("Run %s of task %s failed: %s", run_id, task["id"], exc)
            self._patch(run_id, TaskStatus.FAILED, log=str(exc))
            return
        # a run killed meanwhile gets 409 here, which _per_run takes as the end of it
        token = self.server.request(
            "POST", "/token/container", json={"task_id": task["id"], "image": task["image"]}
        )["container_token"]
        self._patch(run_id, TaskStatus.INITIALIZING, started_at=now_iso())
        spec = RunSpec(
            run_id, task["id"], task["job_id"], task["image"], data, token, databases, loaded
        )
        self._mine.add(run_id)
        self.proxy.containers.admit(run_id, token, task["job_id"])
        try:
            self.runtime.start(spec)
        except StartFailed as exc:
            self._forget(run_id)
            log.warning("Run %s did not start: %s", run_id, exc.log)
            self._patch(run_id, exc.status, log=exc.log)
            return
        except Exception as exc:
            self._forget(run_id)
            log.exception("Run %s did not start", run_id)
            self._patch(run_id, TaskStatus.START_FAILED, log=f"The node could not start it: {exc}")
            return
        log.info("Run %s of task %s started (image %s)", run_id, task["id"], task["image"])
        try:
            self._patch(run_id, TaskStatus.ACTIVE)
        except ServerError as exc:
            if exc.status != CONFLICT:
                raise
            log.info("Run %s was stopped at the server while it started; stopping it", run_id)
            self.runtime.kill(run_id)

    def _missing_databases(self, databases: list[dict]) -> str | None:
        labels = [db["label"] for db in databases if self.config.database(db["label"]) is None]
        if not labels:
            return None
        have = ", ".join(db.label for db in self.config.databases) or "none"
        return f"This node has no database {', '.join(map(repr, labels))} (it has: {have})"

    def _report(self, outcome: Outcome) -> None:
        """Send the run's result (encrypted for whoever created the task) and log; then the
        runtime may forget it. Kept for the next resync when the server cannot take it now."""
        run_id = outcome.run_id
        if run_id not in self._unreported:
            return  # reported already (a resync got to it before its exit event)
        run = self.server.request("GET", f"/run/{run_id}", params={"include": "task"})
        if TaskStatus(run["status"]).is_finished:
            log.info("Run %s already %s at the server; cleaning up", run_id, run["status"])
        else:
            self._send_outcome(outcome, run["task"]["init_org"]["id"])
        self.runtime.discard(run_id)
        self._unreported.pop(run_id, None)
        self._forget(run_id)

    def _send_outcome(self, outcome: Outcome, init_org: int) -> None:
        run_id = outcome.run_id
        try:
            result = self._encrypt_for(init_org, outcome.output)
        except (InvalidKey, ValueError, RecipientKeyChanged) as exc:
            self._patch(run_id, TaskStatus.FAILED, log=f"{outcome.log}\n{exc}".strip())
            return
        try:
            self._patch(
                run_id, outcome.status, result=result, log=outcome.log, finished_at=now_iso()
            )
        except ServerError as exc:
            if exc.transient:
                raise
            if exc.status == CONFLICT:
                return
            log.error("The server refused the outcome of run %s: %s", run_id, exc)
            self._patch(run_id, TaskStatus.FAILED, log=f"The server refused the outcome: {exc.msg}")
        log.info("Run %s reported %s", run_id, outcome.status)

    def _encrypt_for(self, organization_id: int, data: bytes) -> str:
        if not self.config.encryption_enabled:
            return self.cryptor.encrypt_bytes_to_str(data)
        organization = self.server.request("GET", f"/organization/{organization_id}")
        if not organization.get("public_key"):
            raise InvalidKey(
                f"organization {organization_id} has no public key, so the result cannot be "
                "encrypted for it"
            )
        self.recipient_keys.check(organization_id, organization["public_key"])
        return self.cryptor.encrypt_bytes_to_str(data, organization["public_key"])

    def _patch(self, run_id: int, status: TaskStatus, **fields) -> None:
        self.server.request("PATCH", f"/run/{run_id}", json={"status": status.value, **fields})


def publish_public_key(server: ServerClient, cryptor) -> bool:
    """Make the public key the server has for the node's organization ``cryptor``'s (nodes
    may edit their own organization); True when it had to be uploaded. Also ``vnode
    create-private-key``'s upload."""
    path = f"/organization/{server.organization_id}"
    organization = server.request("GET", path)
    stored = organization.get("public_key")
    if stored and cryptor.verify_public_key(stored):
        return False
    if stored:
        log.warning(
            "The server had another public key for organization %s (%s) than the one of this "
            "node's private key (SHA-256 %s): someone replaced it, another node or user of the "
            "organization with another private key, or someone who wants to read what is "
            "encrypted for it. Uploading this node's key again",
            organization["id"],
            _described(stored),
            public_key_fingerprint(cryptor.public_key_str),
        )
    else:
        log.info(
            "Uploading the public key of organization %s (the server had none)", organization["id"]
        )
    server.request("PATCH", path, json={"public_key": cryptor.public_key_str})
    return True


def _described(public_key_b64: str) -> str:
    try:
        return f"SHA-256 {public_key_fingerprint(public_key_b64)}"
    except InvalidKey:
        return "an unusable key"


LOST = (
    "The node restarted and this run's algorithm was gone (its container was removed); it is "
    "not started again, as that could run it twice. Create a new task to run it again."
)


def _database(entry: dict) -> dict:
    """A task's database request as runs get it: its label plus its parameters."""
    parameters = entry.get("parameters")
    if isinstance(parameters, str):
        parameters = json.loads(parameters) if parameters else {}
    return {"label": entry["label"], **(parameters or {})}
