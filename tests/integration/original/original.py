"""The original vantage6 4.x node and client (``scripts/setup-original`` installs them in
.venv-4x, pinned) beside our server, for the mixed-fleet tests. Skipped where they are not
installed, except in CI, where they are required."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import uuid
from pathlib import Path

import docker
import yaml

from tests.functional.node.daemons import REPOSITORY, eventually
from tests.functional.test_serve import free_port
from tests.integration.test_demo_image import engine_with, unavailable

VENV = REPOSITORY / ".venv-4x"
PYTHON = VENV / "bin" / "python"
HERE = Path(__file__).parent


def required() -> None:
    if not PYTHON.exists():
        unavailable("the original vantage6 4.x is not installed: run scripts/setup-original")


class OriginalNode:
    """``vnode-local start`` of the original node in a process of its own, with a 4.x YAML
    configuration: a CSV of ``ages`` as its default database, local images allowed (nothing
    is pulled here), and its home, proxy port and Docker names of its own.

    Its algorithm containers reach its proxy on the Docker bridge's gateway: outside its own
    image the node would send them to ``host.docker.internal``, which Linux does not have."""

    def __init__(self, folder: Path, server, api_key: str, ages: list, engine, **config):
        self.folder = folder
        self.name = f"orig-{uuid.uuid4().hex[:8]}"
        self.engine = engine
        folder.mkdir(parents=True, exist_ok=True)
        data = folder / "ages.csv"
        data.write_text("age\n" + "".join(f"{age}\n" for age in ages))
        settings = {
            "api_key": api_key,
            "api_path": "/api",
            "server_url": "http://127.0.0.1",
            "port": server.port,
            "task_dir": str(folder / "tasks"),
            "databases": [{"label": "default", "uri": str(data), "type": "csv"}],
            "encryption": {"enabled": False, "private_key": None},
            "policies": {"require_algorithm_pull": False},
            "logging": {
                "level": "DEBUG",
                "file": str(folder / "node.log"),
                "use_console": True,
                "backup_count": 2,
                "max_size": 1024,
                "format": "%(asctime)s - %(name)-14s - %(levelname)-8s - %(message)s",
                "datefmt": "%Y-%m-%d %H:%M:%S",
                "loggers": [{"level": "warning", "name": "urllib3"}],
            },
            **config,
        }
        self.config = folder / f"{self.name}.yaml"
        self.config.write_text(yaml.safe_dump(settings))
        self.output = folder / "node.out"
        self.process: subprocess.Popen | None = None

    def start(self) -> OriginalNode:
        gateway = self.engine.networks.get("bridge").attrs["IPAM"]["Config"][0]["Gateway"]
        home = self.folder / "home"
        environment = {
            "PATH": os.environ["PATH"],
            "HOME": str(home),
            "XDG_DATA_HOME": str(home / "data"),
            "XDG_CONFIG_HOME": str(home / "config"),
            "PROXY_SERVER_HOST": gateway,
            "PROXY_SERVER_PORT": str(free_port()),
        }
        with open(self.output, "ab") as output:
            self.process = subprocess.Popen(
                [str(PYTHON), str(HERE / "node_4x.py"), str(self.config)],
                env=environment,
                stdout=output,
                stderr=subprocess.STDOUT,
            )
        eventually(
            lambda: self.exited() or "Sharing node configuration" in self.log(),
            60,
            "the original node connected",
        )
        assert not self.exited(), self.log()[-3000:]
        return self

    def log(self) -> str:
        return self.output.read_text(errors="replace") if self.output.exists() else ""

    def exited(self) -> bool:
        return self.process is not None and self.process.poll() is not None

    def stop(self) -> None:
        """Ctrl-C, as its operator would, then clean what it left in Docker."""
        if self.process is not None and not self.exited():
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        for container in self.engine.containers.list(all=True):
            if self.name in container.name:
                container.remove(force=True)
        for network in self.engine.networks.list():
            if self.name in network.name:
                network.remove()
        for volume in self.engine.volumes.list():
            if self.name in volume.name:
                volume.remove(force=True)


def docker_engine() -> docker.DockerClient:
    return engine_with()


def original_client(script: str, **arguments) -> object:
    """Run ``script`` (Python source using the original 4.x client) in .venv-4x with
    ``arguments`` as the JSON object ``ARGS``; returns what it prints as JSON."""
    source = f"import json, sys\nARGS = json.loads(sys.argv[1])\n{script}"
    done = subprocess.run(
        [str(PYTHON), "-c", source, json.dumps(arguments)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])
