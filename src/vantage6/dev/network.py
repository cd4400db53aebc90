"""A demo network on this machine: one server and N organizations' nodes, each node with a
slice of the bundled sample data, made and run with the same commands a real deployment uses
(``vserver import``, ``vserver start``, ``vnode start``).

The layout matches the seeds' client walk-through: organization 1 is root's, the demo
organizations ``example_org1``… are 2, 3, …, and they share collaboration 1,
``example_collab1``. With the bundled data, the seed's task for organizations 2 and 3 averages
to exactly the 53.25 its text shows.

They also share collaboration 2, ``example_survival``, for the R client's Cox regression
example (``vtg.coxph``): each organization has a second node there (a node serves one
collaboration), whose default database is its slice of the bundled survival data, the data
``R/vtg.coxph`` ships.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import yaml

from vantage6.common import background

DATASET = "patients.csv"
SURVIVAL_DATASET = "survival.csv"  # R/vtg.coxph/inst/extdata/coxph-all.csv
LABEL = "default"  # the database label the seed's tasks use
IMAGES = ("harbor2.vantage6.ai/demo/average", "vantage6/demo-average", "vantage6/coxph")
STOP_SECONDS = 30


class DemoError(Exception):
    """The demo network cannot be made or run; the message says why."""


@dataclass(frozen=True)
class Credentials:
    url: str
    port: int
    root_password: str
    users: dict[str, str]  # username -> password, one researcher per organization

    @property
    def ui_url(self) -> str:
        """The web UI, which the server serves at its root."""
        return f"{self.url}:{self.port}/"

    def save(self, path: Path) -> None:
        write_secret(path, json.dumps(self.__dict__, indent=2) + "\n")

    @classmethod
    def load(cls, path: Path) -> Credentials:
        return cls(**json.loads(path.read_text()))


def write_secret(path: Path, text: str) -> None:
    """A file only its owner can read, from the moment it exists."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as file:
        file.write(text)


def sample_rows(dataset: str = DATASET) -> list[dict]:
    """A bundled sample dataset: synthetic patients, or their survival (``SURVIVAL_DATASET``)."""
    text = resources.files("vantage6.dev").joinpath("data", dataset).read_text()
    return list(csv.DictReader(io.StringIO(text)))


def slices(rows: list[dict], parts: int) -> list[list[dict]]:
    """``rows`` in ``parts`` consecutive slices of (nearly) equal size."""
    size, extra = divmod(len(rows), parts)
    cut, start = [], 0
    for part in range(parts):
        end = start + size + (part < extra)
        cut.append(rows[start:end])
        start = end
    return cut


class DemoNetwork:
    def __init__(self, directory: Path):
        self.directory = directory.resolve()
        self.server_ini = self.directory / "server.ini"
        self.credentials_file = self.directory / "credentials.json"

    # -- making it ----------------------------------------------------------------------------

    def create(self, nodes: int, port: int, runtime: str) -> Credentials:
        """All or nothing: when a step fails, the folder is removed again."""
        if self.directory.exists() and any(self.directory.iterdir()):
            raise DemoError(f"{self.directory} is not empty (remove the old demo network first)")
        if not 1 <= nodes <= 12:
            raise DemoError(f"a demo network has 1 to 12 organizations, not {nodes}")
        credentials = Credentials(
            url="http://127.0.0.1",
            port=port,
            root_password=secrets.token_urlsafe(12),
            users={f"example_user{n}": secrets.token_urlsafe(12) for n in range(1, nodes + 1)},
        )
        self.directory.mkdir(parents=True, exist_ok=True)
        try:
            self._write(credentials, runtime)
        except BaseException:
            shutil.rmtree(self.directory, ignore_errors=True)
            raise
        return credentials

    def _write(self, credentials: Credentials, runtime: str) -> None:
        """Nodes 1..N for example_collab1 (the patients), N+1..2N for example_survival."""
        organizations = len(credentials.users)
        api_keys = [str(uuid.uuid4()) for _ in range(2 * organizations)]
        write_secret(self.server_ini, _server_ini(credentials.port, credentials.root_password))
        plan = self.directory / "import.yaml"
        write_secret(plan, yaml.safe_dump(_import_plan(credentials, api_keys), sort_keys=False))
        _run(["vserver", "import", "--config", str(self.server_ini), str(plan)])
        data = slices(sample_rows(), organizations) + slices(
            sample_rows(SURVIVAL_DATASET), organizations
        )
        for number, (key, rows) in enumerate(zip(api_keys, data, strict=True), 1):
            self._write_node(number, key, rows, credentials, runtime)
        credentials.save(self.credentials_file)

    def _write_node(self, number, api_key, rows, credentials: Credentials, runtime) -> None:
        folder = self.node_dir(number)
        folder.mkdir(parents=True)
        with (folder / "data.csv").open("w", newline="") as file:
            writer = csv.DictWriter(file, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
        ini = folder / "node.ini"
        prefix = re.sub(r"[^A-Za-z0-9_.-]", "-", self.directory.name).lstrip("_.-")[:40]
        ini.write_text(_node_ini(f"{prefix or 'demo'}-node-{number}", credentials, runtime))
        write_secret(folder / "api_key", api_key + "\n")

    # -- running it ---------------------------------------------------------------------------

    def node_dir(self, number: int) -> Path:
        return self.directory / f"node{number}"

    def node_dirs(self) -> list[Path]:
        return sorted(self.directory.glob("node*/"), key=lambda path: int(path.name[4:]))

    def credentials(self) -> Credentials:
        if not self.credentials_file.exists():
            raise DemoError(f"no demo network in {self.directory}: create one first")
        return Credentials.load(self.credentials_file)

    def start(self) -> None:
        self.credentials()
        _run(["vserver", "start", "--config", str(self.server_ini)])
        for folder in self.node_dirs():
            if background.read_pid(folder / "node.pid", marker=str(folder / "node.ini")):
                continue
            background.spawn(
                [_script("vnode"), "start", str(folder / "node.ini")],
                pid_file=folder / "node.pid",
                log_file=folder / "node.log",
                cwd=folder,
            )

    def stop(self) -> None:
        for folder in self.node_dirs():
            pid = background.read_pid(folder / "node.pid", marker=str(folder / "node.ini"))
            if pid and not background.stop(pid, STOP_SECONDS):
                raise DemoError(f"the node in {folder} did not stop; see {folder / 'node.log'}")
            (folder / "node.pid").unlink(missing_ok=True)
        if self.server_ini.exists():
            _run(["vserver", "stop", "--config", str(self.server_ini)])

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self.directory)

    def wait_until_online(self, client, timeout: float = 120) -> None:
        """Until every node has said hello over its websocket."""
        expected = len(self.node_dirs())
        deadline = time.monotonic() + timeout
        while True:
            statuses = [node["status"] for node in client.node.list(per_page=100)["data"]]
            if statuses.count("online") >= expected:
                return
            if time.monotonic() > deadline:
                logs = ", ".join(str(folder / "node.log") for folder in self.node_dirs())
                raise DemoError(f"the nodes did not come online in {timeout:g} s; see {logs}")
            time.sleep(1)


def _run(command: list[str]) -> None:
    command = [_script(command[0]), *command[1:]]
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode:
        raise DemoError(f"{' '.join(command)} failed:\n{done.stdout}{done.stderr}")


def _script(name: str) -> str:
    """A console script of this installation (next to this Python), else from the PATH."""
    beside = Path(sys.executable).with_name(name)
    return str(beside) if beside.exists() else name


def _import_plan(credentials: Credentials, api_keys: list[str]) -> dict:
    organizations = [
        {
            "name": f"example_org{number}",
            "domain": f"example-org{number}.test",
            "users": [{"username": username, "password": password, "roles": ["Researcher"]}],
        }
        for number, (username, password) in enumerate(credentials.users.items(), 1)
    ]
    collaborations = [
        {
            "name": name,
            "participants": [
                {"name": organization["name"], "api_key": key}
                for organization, key in zip(organizations, keys, strict=True)
            ],
            "encrypted": False,
        }
        for name, keys in (
            ("example_collab1", api_keys[: len(organizations)]),
            ("example_survival", api_keys[len(organizations) :]),
        )
    ]
    return {"organizations": organizations, "collaborations": collaborations}


def _server_ini(port: int, root_password: str) -> str:
    return f"""\
# The demo network's server (made by `vdev create-demo-network`).
[app:main]
use = egg:vantage6
vantage6.profile = development
vantage6.db.auto_migrate = true
vantage6.api_path = /api
vantage6.server_name = vantage6 demo server
vantage6.jwt.secret = {secrets.token_urlsafe(48)}
vantage6.root_password = {root_password}
sqlalchemy.url = sqlite:///%(here)s/server.sqlite

[server:main]
use = egg:vantage6#gevent_ws
listen = 127.0.0.1:{port}

[loggers]
keys = root

[handlers]
keys = console

[formatters]
keys = generic

[logger_root]
level = INFO
handlers = console

[handler_console]
class = StreamHandler
args = (sys.stderr,)
formatter = generic

[formatter_generic]
format = %(asctime)s %(levelname)-5.5s [%(name)s] %(message)s
"""


def _node_ini(name: str, credentials: Credentials, runtime: str) -> str:
    """A node's ini; its name (which also names its Docker network and containers) starts
    with the network's folder name, so two demo networks do not share them."""
    images = "\n".join(f"    {image.replace('.', chr(92) + '.')}" for image in IMAGES)
    return f"""\
# A node of the demo network (made by `vdev create-demo-network`).
[node]
name = {name}
api_key_file = api_key
task_dir = tasks
runtime = {runtime}

[server]
url = {credentials.url}
port = {credentials.port}
api_path = /api

[databases]
{LABEL} = csv:data.csv

[encryption]
enabled = false

[policies]
allowed_images =
{images}
"""
