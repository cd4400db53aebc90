"""Node benchmark: wall time of the demo's 3-node federated average, against the same
containers started bare with ``docker run``.

    .venv/bin/python bench/node_bench.py [--runs 5]

Federated: a demo network (``vantage6.dev.network``: ``vserver`` and three ``vnode``
processes with the Docker runtime, unencrypted) runs ``central_average`` of the demo image at
one organization, which creates ``partial_average`` subtasks for all three; the time is from
``POST /task`` to the results in the researcher's hands (``Client.wait_for_results``).

Bare: the same image, input, data and container options with ``docker run --rm``, no server
and no node: the central container talks to a stand-in proxy in this process that starts the
three partial containers (in parallel, each ``docker run``) when the subtask is created and
serves their outputs; the time is from starting the central container to its exit.

Both first run once unmeasured (page cache, image layers). The timeline of the median run
comes from the engine's own container events (create, start, die).
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import shutil
import statistics
import subprocess
import tempfile
import threading
import time
from datetime import datetime
from pathlib import Path

import docker
import jwt
from api_bench import free_port  # bench/ is on the path when run as a script
from waitress.server import create_server

from vantage6.client import Client
from vantage6.dev.demo import IMAGE
from vantage6.dev.network import DemoNetwork
from vantage6.node.config import Database
from vantage6.node.runtime.env import database_setup, encoded, run_environment

NODES = 3
CENTRAL = {"method": "central_average", "kwargs": {"column_name": "age"}}
SUBTASK_ID = 2
BARE = f"bench-bare-{os.getpid()}"  # the prefix of the bare containers' names


class Timeline:
    """The engine's create/start/die events of the benchmark's containers, with their
    wall-clock times, and moments the benchmark adds itself."""

    def __init__(self, engine: docker.DockerClient, prefixes: tuple[str, ...]):
        filters = {"type": "container", "event": ["create", "start", "die"]}
        self.stream = engine.events(decode=True, filters=filters)
        self.prefixes = prefixes
        self.events: list[tuple[float, str, str]] = []
        threading.Thread(target=self._follow, daemon=True).start()

    def _follow(self) -> None:
        try:
            for event in self.stream:
                name = (event.get("Actor") or {}).get("Attributes", {}).get("name", "?")
                if name.startswith(self.prefixes):
                    self.events.append((event["timeNano"] / 1e9, event["Action"], name))
        except Exception:  # the stream closes at the end
            pass

    def add(self, moment: float, action: str, name: str) -> None:
        self.events.append((moment, action, name))

    def show(self, title: str, span: tuple[float, float]) -> None:
        start, end = span
        print(f"\n{title} (seconds from the start):")
        for moment, action, name in sorted(e for e in self.events if start <= e[0] <= end):
            print(f"  {moment - start:6.2f}  {action:6s}  {name}")
        print(f"  {end - start:6.2f}  done")

    def close(self) -> None:
        self.stream.close()


# -- federated ---------------------------------------------------------------------------------


class Federation:
    """The demo network and a researcher of its first organization."""

    def __init__(self, directory: Path, timeline: Timeline):
        self.network = DemoNetwork(directory)
        self.timeline = timeline
        credentials = self.network.create(NODES, free_port(), "docker")
        self.network.start()
        admin = Client(credentials.url, credentials.port, "/api")
        admin.authenticate("root", credentials.root_password)
        self.network.wait_until_online(admin)
        username, password = next(iter(credentials.users.items()))
        self.researcher = Client(credentials.url, credentials.port, "/api")
        self.researcher.authenticate(username, password)
        self.researcher.setup_encryption(None)

    def run(self) -> tuple[float, float]:
        """One federated average: when it started and ended."""
        started = time.time()
        task = self.researcher.task.create(
            collaboration=1,
            organizations=[2],
            name="bench average",
            image=IMAGE,
            input_=CENTRAL,
            databases=[{"label": "default"}],
        )
        results = self.researcher.wait_for_results(task["id"], timeout=120)
        ended = time.time()
        assert "average" in results["data"][0]["result"], results
        self._note_reports(task["id"])
        return started, ended

    def _note_reports(self, task_id: int) -> None:
        """When the nodes reported the runs of the task and its subtask (their clocks are
        this machine's)."""
        subtask_id = task_id + 1  # nothing else creates tasks in this network
        for run in [
            *self.researcher.run.from_task(task_id),
            *self.researcher.run.from_task(subtask_id),
        ]:
            moment = datetime.fromisoformat(run["finished_at"]).timestamp()
            self.timeline.add(moment, "report", f"run {run['id']} {run['status']}")

    def close(self) -> None:
        self.network.stop()
        engine = docker.from_env()  # the nodes' internal networks stay after a stop
        prefix = f"vantage6-{self.network.directory.name}"
        for found in engine.networks.list(names=[prefix]):
            if found.name.startswith(prefix):
                found.remove()
        engine.close()


# -- bare --------------------------------------------------------------------------------------


class BareFederation:
    """The central container and its three partial ones, each a plain ``docker run``; a
    stand-in proxy on the network's gateway answers the central one."""

    def __init__(self, directory: Path, data_files: list[Path], network: str, gateway: str):
        self.directory = directory
        self.data_files = data_files
        self.network = network
        self.server = create_server(self._app, host=gateway, port=0)
        self.host = f"http://{gateway}"
        threading.Thread(target=self.server.run, daemon=True).start()
        self.partials: list[threading.Thread] = []
        self.outputs: list[bytes] = []
        self.number = 0

    def run(self) -> tuple[float, float]:
        """One federated average: when it started and ended."""
        self.partials, self.outputs = [], []
        self.number += 1
        started = time.time()
        output = self._container(f"{BARE}-{self.number}-central", CENTRAL, self.data_files[0])
        ended = time.time()
        assert "average" in json.loads(output), output
        return started, ended

    def _container(self, name: str, input_: dict, data: Path) -> bytes:
        folder = self.directory / name
        folder.mkdir(mode=0o700)
        (folder / "input").write_text(json.dumps(input_))
        (folder / "output").write_bytes(b"")
        (folder / "token").write_text(container_token())
        databases, mounts = database_setup([Database("default", "csv", str(data))], True)
        variables = run_environment(
            host=self.host,
            port=self.server.effective_port,
            run_dir="/mnt/run",
            tmp_dir="/mnt/tmp",
            databases=databases,
            requested=[{"label": "default"}],
            extra={},
        )
        command = ["docker", "run", "--rm", "--name", name, "--network", self.network]
        command += ["--user", f"{os.getuid()}:{os.getgid()}", "--cap-drop", "ALL"]
        command += ["--security-opt", "no-new-privileges"]
        command += ["--mount", f"type=bind,src={folder},dst=/mnt/run"]
        command += ["--mount", f"type=bind,src={self.directory / 'tmp'},dst=/mnt/tmp"]
        for mount in mounts:
            command += ["--mount", f"type=bind,src={mount.source},dst={mount.target},readonly"]
        for key, value in encoded(variables).items():
            command += ["--env", f"{key}={value}"]
        done = subprocess.run([*command, IMAGE], capture_output=True, text=True)
        if done.returncode:
            raise SystemExit(f"bare container {name} failed:\n{done.stdout}{done.stderr}")
        return (folder / "output").read_bytes()

    def _subtask(self, body: dict) -> None:
        for index, organization in enumerate(body["organizations"]):
            name = f"{BARE}-{self.number}-partial-{index}"
            input_ = json.loads(base64.b64decode(organization["input"]))
            data = self.data_files[index % len(self.data_files)]
            thread = threading.Thread(target=self._partial, args=(name, input_, data))
            thread.start()
            self.partials.append(thread)

    def _partial(self, name: str, input_: dict, data: Path) -> None:
        self.outputs.append(self._container(name, input_, data))

    def _answer(self, method: str, path: str, body):
        if method == "POST" and path == "/task":
            self._subtask(body)
            return {"id": SUBTASK_ID}
        if path == "/organization":
            return {"data": [{"id": n} for n in range(2, 2 + NODES)], "links": {}}
        if path == f"/task/{SUBTASK_ID}/status":
            done = all(not thread.is_alive() for thread in self.partials)
            return {"status": "completed" if done else "active"}
        if path == "/result":
            results = [base64.b64encode(output).decode() for output in self.outputs]
            return {"data": [{"id": n, "result": r} for n, r in enumerate(results)], "links": {}}
        return None

    def _app(self, environ, start_response):
        """The stand-in proxy, as a WSGI app (waitress serves it, as it serves the node's)."""
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = json.loads(environ["wsgi.input"].read(length)) if length else None
        answer = self._answer(environ["REQUEST_METHOD"], environ["PATH_INFO"], body)
        payload = json.dumps(answer or {"msg": "no such route"}).encode()
        status = "200 OK" if answer is not None else "404 Not Found"
        start_response(status, [("Content-Type", "application/json")])
        return [payload]

    def close(self) -> None:
        self.server.close()


def container_token() -> str:
    """A token as the central algorithm reads it (the stand-in proxy checks nothing)."""
    subject = {"run_id": 1, "task_id": 1, "collaboration_id": 1, "image": IMAGE}
    subject["databases"] = [{"label": "default"}]
    return jwt.encode({"sub": subject}, "an unchecked secret of 32 bytes or more")


def bare_network(engine: docker.DockerClient):
    """An internal network like a node's, and its gateway (where the stand-in proxy listens)."""
    network = engine.networks.create(f"vantage6-{BARE}-net", driver="bridge", internal=True)
    return network, network.attrs["IPAM"]["Config"][0]["Gateway"]


# -- report ------------------------------------------------------------------------------------


def summary(name: str, times: list[float]) -> str:
    runs = ", ".join(f"{t:.2f}" for t in times)
    return (
        f"{name:10s} median {statistics.median(times):5.2f} s  min {min(times):5.2f} s  "
        f"max {max(times):5.2f} s  ({runs})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="measured runs of each (default 5)")
    args = parser.parse_args()
    directory = Path(tempfile.mkdtemp(prefix="node-bench-"))
    demo = directory / f"bench{os.getpid()}"  # also names its nodes and their containers
    engine = docker.from_env()
    timeline = Timeline(engine, (f"vantage6-{demo.name}-", BARE))
    network, gateway = bare_network(engine)
    federation = bare = None
    try:
        federation = Federation(demo, timeline)
        data_files = [folder / "data.csv" for folder in federation.network.node_dirs()]
        (directory / "bare" / "tmp").mkdir(parents=True, mode=0o700)
        bare = BareFederation(directory / "bare", data_files, network.name, gateway)
        spans = {"federated": [], "bare": []}
        for number in range(args.runs + 1):  # alternating, so that both see the same load
            for name, federated_or_bare in (("federated", federation), ("bare", bare)):
                span = federated_or_bare.run()
                if number:  # the first of each warms up
                    spans[name].append(span)
    finally:
        if federation is not None:
            federation.close()
        if bare is not None:
            bare.close()
        network.remove()
        timeline.close()
        engine.close()
        shutil.rmtree(directory, ignore_errors=True)
    times = {}
    for name, measured in spans.items():
        times[name] = [end - start for start, end in measured]
        median = measured[times[name].index(statistics.median_high(times[name]))]
        timeline.show(f"{name}, median run", median)
    print()
    for name, measured in times.items():
        print(summary(name, measured))
    ratio = statistics.median(times["federated"]) / statistics.median(times["bare"])
    print(f"federated / bare (medians): {ratio:.2f} (budget: <= 3 s and <= 1.3)")


if __name__ == "__main__":
    main()
