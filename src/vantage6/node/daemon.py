"""The node's life: log in, check encryption, start the runtime and the proxy, then follow the
server's events until stopped.

The server's open runs, the runtime's runs and the node's journal of each run's progress
(:mod:`vantage6.node.journal`) are compared on every (re)connect (``sync``) and now and then.
A run is started only when nothing says it ever ran; one whose algorithm ended is reported
(again, after a restart: the server takes a repeated report as the same one), never started
again; one still running is waited for; one that was interrupted (its algorithm died with the
node) is started again ``[node] restart_interrupted`` times, then failed. All work on runs
(start, kill, report) goes through one worker thread, so a resync and a ``new_task`` event
that race can never start the same run twice.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import queue
import threading
import time

from vantage6.common.encryption import (
    FORMATS_KEY,
    CryptorBase,
    DecryptionError,
    InvalidKey,
    cryptor_for,
    formats_read,
    is_legacy,
    public_key_fingerprint,
)
from vantage6.common.task_status import TaskStatus
from vantage6.node import data_loading, fault_points, policies
from vantage6.node.config import NodeConfig
from vantage6.node.events import EventStream
from vantage6.node.journal import Entry, RunJournal, Stage
from vantage6.node.proxy import NodeProxy
from vantage6.node.proxy_listeners import free_port
from vantage6.node.recipient_keys import RecipientKeyChanged, RecipientKeys
from vantage6.node.runtime.base import Outcome, RunSpec, StartFailed
from vantage6.node.runtime.folders import RunFolder
from vantage6.node.server import Interrupted, Rejected, ServerClient, ServerError
from vantage6.node.state import NodeState
from vantage6.node.vpn.overlay import NodeVpn
from vantage6.plugins.manager import NODE, PluginError, plugin_manager

log = logging.getLogger(__name__)

RESYNC_SECONDS = 300.0  # a resync now and then catches what a lost event would have missed
RETRY_SECONDS = 10.0  # how soon to resync after the server failed us
CONFLICT = 409  # the server's answer once a run finished (e.g. killed) while we worked on it
FORBIDDEN = 403  # e.g. a study: a node may view only those its organization is in


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
        self.journal = RunJournal(config.task_dir)
        self.cryptor: CryptorBase | None = None
        self.proxy: NodeProxy | None = None
        self.events: EventStream | None = None
        self._work: queue.Queue = queue.Queue()
        self._stopped = threading.Event()
        self.started = threading.Event()  # logged in, runtime and proxy up, events started
        self._fatal: Exception | None = None
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
        fault_points.arm()
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
        if config.vpn is not None:
            self._set_up_vpn()
        self.runtime.prepare(self.proxy)
        self.runtime.watch(self._on_exit)
        self._next_resync = time.monotonic() + RESYNC_SECONDS  # the first sync event resyncs
        self.events = EventStream(
            self.server, self._on_event, self._on_fatal, shared=self._shared_config()
        )
        self.events.start()
        self.started.set()

    def _set_up_vpn(self) -> None:
        """The node's tunnel to the VPN hub, for the runtime to link algorithms to. A VPN
        that cannot come up does not stop the node: the runs that ask for it fail saying why."""
        use_vpn = getattr(self.runtime, "use_vpn", None)
        if use_vpn is None:
            log.error(
                "[vpn] is set, but runtime %s cannot link algorithms to a VPN (the docker "
                "runtime can): algorithms run without it",
                self.config.runtime,
            )
            return
        vpn = NodeVpn(self.config, self.server)
        vpn.start()
        use_vpn(vpn)

    def _shared_config(self) -> dict:
        """What the server may show of this node: its databases, and the encryption formats
        it reads, by which writers tell it from a vantage6 4.x node (``formats_of``)."""
        config = self.config
        return {
            "encryption": config.encryption_enabled,
            FORMATS_KEY: formats_read(config.allow_legacy_encryption),
            "database_labels": [database.label for database in config.databases],
            "database_types": {f"db_type_{db.label}": db.type for db in config.databases},
        }

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
        """(In the runtime's thread.) Noted at once: from then on, a restart reports the run."""
        self._note_end(outcome)
        self._work.put(("exit", outcome.run_id))

    def _note_end(self, outcome: Outcome) -> None:
        fault_points.reached("ended")
        self.journal.finished(outcome, now_iso())

    def _on_event(self, name: str, data) -> None:
        if name in ("sync", "new_task", "kill_containers"):
            self._work.put((name, data))

    # -- the worker --------------------------------------------------------------------------

    def _work_loop(self) -> None:
        handlers = {
            "sync": lambda _: self._resync(),
            "new_task": self._new_task,
            "kill_containers": self._kill,
            "exit": lambda run_id: self._per_run(run_id, self._report, run_id),
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
        """Make the runtime and the journal agree with the server: report what ended, stop
        what the server no longer wants, take up what is open and not running."""
        self._next_resync = time.monotonic() + RESYNC_SECONDS
        open_runs = self._open_runs()
        open_ids = {run["id"] for run in open_runs}
        running = self.runtime.running()  # before exited(): a run ending in between is in both
        for outcome in self.runtime.exited():
            self._note_end(outcome)
        # what the runtime or the journal hold, before reports let go of it (open_runs
        # still lists those): none of it is to be taken up again
        known = self.runtime.known()
        ended = {entry.run_id for entry in self.journal.entries() if entry.stage is Stage.FINISHED}
        for entry in self.journal.entries():
            if entry.stage is Stage.FINISHED:
                self._per_run(entry.run_id, self._report, entry.run_id)
            elif entry.run_id not in open_ids | known:
                log.info("Run %s is no longer open at the server; forgetting it", entry.run_id)
                self._clean_up(entry.run_id)
        self._admit_running(open_runs, running)
        for run_id in running - open_ids:
            log.info("Run %s is no longer open at the server; stopping its algorithm", run_id)
            self.runtime.kill(run_id)
        for run in open_runs:
            if run["id"] in running and run["status"] == TaskStatus.INITIALIZING:
                self._per_run(run["id"], self._patch, run["id"], TaskStatus.ACTIVE)
            elif run["id"] not in known | ended:
                self._per_run(run["id"], self._take_up, run)
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
        known = self.runtime.known()
        for run in self._open_runs(task_id=int(data["id"])):
            if run["id"] not in known:
                self._per_run(run["id"], self._take_up, run)

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
        entry = self.journal.get(run_id)
        try:
            self._patch(run_id, TaskStatus.FAILED, log=reason)
        except ServerError as exc:
            log.warning("Run %s could not be marked failed either: %s", run_id, exc.msg)
        if entry is not None and entry.stage is Stage.FINISHED:
            try:
                self._clean_up(run_id)
            except Exception:
                log.exception("Run %s: what its algorithm left could not be removed", run_id)

    def _clean_up(self, run_id: int) -> None:
        """The node is done with the run: what its algorithm left goes, its journal entry
        too, and its token no longer opens the proxy."""
        try:
            self.runtime.discard(run_id)
        finally:
            self.journal.forget(run_id)
            self.proxy.containers.dismiss(run_id)

    def _plugin_objections(self, run: dict, task: dict) -> str | None:
        """What the ``vantage6_validate_run`` plugins object to, as one text (None: nothing)."""
        answers = self.plugins.hook.vantage6_validate_run(run=run, task=task, config=self.config)
        problems = [problem for answer in answers for problem in answer or ()]
        return "; ".join(problems) or None

    def _take_up(self, run: dict) -> None:
        """An open run the runtime does not hold: start it, unless it ran already. One whose
        end is in the journal is reported, not started; one that was started and left no
        trace in the runtime was interrupted."""
        run_id = run["id"]
        entry = self.journal.get(run_id)
        if entry is None:  # active at the server though: it was started, the journal is lost
            active = run["status"] == TaskStatus.ACTIVE
            entry = Entry(run_id, Stage.STARTED if active else Stage.STARTING)
        if entry.stage is Stage.STARTED:
            self._interrupted(run, entry)
        elif entry.stage is Stage.STARTING:  # the node stopped before the algorithm ran
            self._start_run(run, entry.attempt, entry.notes)

    def _interrupted(self, run: dict, entry: Entry) -> None:
        """Started again while ``[node] restart_interrupted`` allows, else failed; the run's
        log says which."""
        run_id, allowed = run["id"], self.config.restart_interrupted
        if entry.attempt > allowed:
            reason = (
                f"{INTERRUPTED} (attempt {entry.attempt}). It is not started again ([node] "
                f"restart_interrupted = {allowed}); create a new task to run it again."
            )
            log.warning("Run %s: %s", run_id, reason)
            self._patch(run_id, TaskStatus.FAILED, log=_with_notes(entry.notes, reason))
            self._clean_up(run_id)
            return
        note = f"{INTERRUPTED}. The node started it again (attempt {entry.attempt + 1})."
        log.warning("Run %s: %s", run_id, note)
        self._start_run(run, entry.attempt + 1, (*entry.notes, note))

    def _start_run(self, run: dict, attempt: int = 1, notes: tuple[str, ...] = ()) -> None:
        """Start the run's algorithm (``attempt``: its how-manieth start; ``notes``: what its
        log is to say first) unless the input, the policies or the databases stop it."""
        run_id, task = run["id"], run["task"]
        try:
            data = self.cryptor.decrypt_str_to_bytes(run["input"] or "")
        except (DecryptionError, ValueError) as exc:
            log.warning("Run %s of task %s: its input cannot be read: %s", run_id, task["id"], exc)
            self._refuse(run_id, TaskStatus.FAILED, f"The node cannot read the input: {exc}")
            return
        init_user = (task.get("init_user") or {}).get("id")
        # A subtask's init_org is the organization whose algorithm asked for it; whom the
        # work is for is whoever started the job (the original server does not say: init_org).
        originator = (task.get("job_init_org") or task["init_org"])["id"]
        reason = (
            self._outside_study(task)
            or policies.check(self.config.policies, task["image"], originator, init_user)
            or policies.input_refused(self.config.policies, data)
        )
        if reason is None:
            reason = self._plugin_objections(run, task)
        if reason is not None:
            log.info("Run %s of task %s not allowed: %s", run_id, task["id"], reason)
            self._refuse(run_id, TaskStatus.NOT_ALLOWED, reason)
            return
        databases = [_database(entry) for entry in task.get("databases") or []]
        missing = self._missing_databases(databases)
        if missing:
            self._refuse(run_id, TaskStatus.FAILED, missing)
            return
        try:
            loaded = data_loading.load_requested(self.plugins, self.config, databases)
        except data_loading.LoadFailed as exc:
            log.warning("Run %s of task %s failed: %s", run_id, task["id"], exc)
            self._refuse(run_id, TaskStatus.FAILED, str(exc))
            return
        # a run killed meanwhile gets 409 here, which _per_run takes as the end of it
        token = self.server.request(
            "POST", "/token/container", json={"task_id": task["id"], "image": task["image"]}
        )["container_token"]
        if run["status"] == TaskStatus.PENDING:
            self._patch(run_id, TaskStatus.INITIALIZING, started_at=now_iso())
        spec = RunSpec(
            run_id, task["id"], task["job_id"], task["image"], data, token, databases, loaded
        )
        self.proxy.containers.admit(run_id, token, task["job_id"])
        self.journal.starting(run_id, attempt, notes)
        fault_points.reached("before-start")
        try:
            started = self.runtime.start(spec) or {}
        except StartFailed as exc:
            log.warning("Run %s did not start: %s", run_id, exc.log)
            self._refuse(run_id, exc.status, _with_notes(notes, exc.log))
            return
        except Exception as exc:
            log.exception("Run %s did not start", run_id)
            failure = f"The node could not start it: {exc}"
            self._refuse(run_id, TaskStatus.START_FAILED, _with_notes(notes, failure))
            return
        self.journal.started(run_id)
        fault_points.reached("running")
        log.info("Run %s of task %s started (image %s)", run_id, task["id"], task["image"])
        try:
            self._patch(run_id, TaskStatus.ACTIVE, **started)
        except ServerError as exc:
            if exc.status != CONFLICT:
                raise
            log.info("Run %s was stopped at the server while it started; stopping it", run_id)
            self.runtime.kill(run_id)

    def _outside_study(self, task: dict) -> str | None:
        """Why the task's study (``study`` in the task: a link, or null) does not include
        this node's organization; None when it does, or when the task is for no study."""
        study = task.get("study")
        if not study:
            return None
        try:
            members = self.server.request("GET", f"/study/{study['id']}/organization")
        except ServerError as exc:
            if exc.status != FORBIDDEN:
                raise
            members = []  # it sees the studies of its own organization only
        own = self.server.organization_id
        return policies.outside_study(study["id"], own, [member["id"] for member in members])

    def _refuse(self, run_id: int, status: TaskStatus, reason: str) -> None:
        """The run ends without its algorithm running (again): the server hears why, and
        what an earlier start of it left goes."""
        self._patch(run_id, status, log=reason)
        if self.journal.get(run_id) is not None:
            self._clean_up(run_id)

    def _missing_databases(self, databases: list[dict]) -> str | None:
        labels = [db["label"] for db in databases if self.config.database(db["label"]) is None]
        if not labels:
            return None
        have = ", ".join(db.label for db in self.config.databases) or "none"
        return f"This node has no database {', '.join(map(repr, labels))} (it has: {have})"

    def _report(self, run_id: int) -> None:
        """Send the run's report, made once and kept in the journal: a report whose answer
        was lost goes again unchanged, and the server takes it as the same report. Then the
        node is done with the run. Kept for the next resync when the server cannot take it."""
        entry = self.journal.get(run_id)
        if entry is None or entry.stage is not Stage.FINISHED:
            return  # reported already (a resync got to it before its exit event)
        report = entry.report or self._make_report(entry)
        if report is not None:
            self._send_report(run_id, report)
        self._clean_up(run_id)

    def _make_report(self, entry: Entry) -> dict | None:
        """The report of how the run ended, its result encrypted for whoever created the
        task; None when the run already finished at the server (e.g. killed meanwhile)."""
        run = self.server.request("GET", f"/run/{entry.run_id}", params={"include": "task"})
        if TaskStatus(run["status"]).is_finished:
            log.info("Run %s already %s at the server; cleaning up", entry.run_id, run["status"])
            return None
        text = _with_notes(entry.notes, entry.log)
        report = {"status": entry.status.value, "log": text, "finished_at": entry.finished_at}
        # A 4.x client (legacy input) reads only the legacy format; never on the server's say.
        legacy = self.config.allow_legacy_encryption and is_legacy(run.get("input") or "")
        try:
            initiator = run["task"]["init_org"]["id"]
            report["result"] = self._encrypt_for(initiator, entry.output, legacy)
        except (InvalidKey, ValueError, RecipientKeyChanged) as exc:
            report.update(status=TaskStatus.FAILED.value, log=f"{text}\n{exc}".strip())
        self.journal.reporting(entry.run_id, report)
        return report

    def _send_report(self, run_id: int, report: dict) -> None:
        try:
            self.server.request("PATCH", f"/run/{run_id}", json=report)
        except ServerError as exc:
            if exc.transient:
                raise
            if exc.status == CONFLICT:
                log.info("Run %s finished at the server meanwhile: %s", run_id, exc.msg)
                return
            log.error("The server refused the report of run %s: %s", run_id, exc)
            self._patch(run_id, TaskStatus.FAILED, log=f"The server refused the outcome: {exc.msg}")
            return
        fault_points.reached("reported")
        log.info("Run %s reported %s", run_id, report["status"])

    def _encrypt_for(self, organization_id: int, data: bytes, legacy: bool = False) -> str:
        if not self.config.encryption_enabled:
            return self.cryptor.encrypt_bytes_to_str(data)
        organization = self.server.request("GET", f"/organization/{organization_id}")
        if not organization.get("public_key"):
            raise InvalidKey(
                f"organization {organization_id} has no public key, so the result cannot be "
                "encrypted for it"
            )
        self.recipient_keys.check(organization_id, organization["public_key"])
        return self.cryptor.encrypt_bytes_to_str(data, organization["public_key"], legacy)

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


INTERRUPTED = (
    "The run's algorithm was interrupted: it had started, but when the node restarted it was "
    "gone without a trace of how it ended"
)


def _with_notes(notes: tuple[str, ...], text: str) -> str:
    """A run's log with what the node has to say about its earlier starts before it."""
    return "\n".join((*notes, text)) if notes else text


def _database(entry: dict) -> dict:
    """A task's database request as runs get it: its label plus its parameters."""
    parameters = entry.get("parameters")
    if isinstance(parameters, str):
        parameters = json.loads(parameters) if parameters else {}
    return {"label": entry["label"], **(parameters or {})}
