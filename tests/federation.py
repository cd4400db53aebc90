"""Real nodes for the tests of tasks from the web UI and the R client: in-process daemons, each
with a CSV as its default database (ages, unless a test brings its own data).

Their runtime is Docker, with the images of ``scripts/build-images``, wherever an engine has
them (required in CI), and the process runtime elsewhere."""

from __future__ import annotations

import functools
import os
import uuid
from pathlib import Path

import docker
import pandas as pd
import pytest

from tests.functional.node.daemons import Running, write_ini
from tests.integration.node.support import remove_node
from vantage6.common.encryption import RSACryptor
from vantage6.node.config import load_config
from vantage6.node.runtime.process import ALGORITHMS, ProcessRuntime

AVERAGE = "harbor2.vantage6.ai/demo/average"
# Standard-library modules as algorithms: json.<method> (quick), time.sleep (a run that lasts).
JSON_IMAGE = "vantage6/test-json"
TIME_IMAGE = "vantage6/test-time"
COXPH = "vantage6/coxph"  # the federated Cox regression, an R algorithm (R/vtg.coxph)
IMAGES = (AVERAGE, JSON_IMAGE, TIME_IMAGE, COXPH)
TEST_ALGORITHMS = {**ALGORITHMS, JSON_IMAGE: ("json", None), TIME_IMAGE: ("time", None)}


@functools.cache
def docker_engine() -> docker.DockerClient | None:
    """The engine to run the nodes' algorithms on, when it has every image of :data:`IMAGES`."""
    try:
        engine = docker.from_env()
        for image in IMAGES:
            engine.images.get(image)
    except docker.errors.DockerException as exc:
        if os.environ.get("CI"):
            pytest.fail(f"required in CI: Docker and the test images ({exc}); see build-images")
        return None
    return engine


def start_node(config_path: Path) -> Running:
    """A node daemon for ``config_path`` on the runtime of :func:`docker_engine`'s choice."""
    if docker_engine():
        return Running(config_path)
    return Running(config_path, ProcessRuntime(load_config(config_path), TEST_ALGORITHMS))


def write_node_ini(folder: Path, server, api_key: str, extra: str = "", **node) -> Path:
    """A node.ini whose runtime is Docker where :func:`docker_engine` finds one; the node's
    name is unique, as the Docker runtime finds its containers by it."""
    name = f"{node.pop('name', 'node')}-{uuid.uuid4().hex[:6]}"
    if docker_engine():
        node["runtime"] = "docker"
        extra = f"{extra}[docker]\npull = never\n"
    return write_ini(folder, server, api_key, extra, name=name, **node)


def remove_containers(running: Running) -> None:
    """Kill what the node still runs (runs outlive their node), stop it, and with Docker
    remove what it left: containers, volumes, networks."""
    for run_id in running.runtime.running():
        running.runtime.kill(run_id)
    running.stop()
    if docker_engine():
        remove_node(docker_engine(), running.config.name)


SLICES = {"root": [40, 60, 20], "one": [50, 10], "two": [100, 4, 36]}  # average 40
KEY_FILE = "node.pem"
SLOW_MS = 90_000  # a federated average starts four algorithm processes; the machine is shared


def node_ini(
    folder: Path, server, api_key: str, data: pd.DataFrame, encrypted: bool, extra="", **node
) -> Path:
    """A node.ini in ``folder`` whose default database is a CSV of ``data``, and ``extra``
    sections; an encrypted node's private key is made as ``folder / KEY_FILE``."""
    folder.mkdir(parents=True, exist_ok=True)
    csv = folder / "data.csv"
    data.to_csv(csv, index=False)
    extra = f"{extra}[databases]\ndefault = csv:{csv}\n"
    if encrypted:
        RSACryptor.create_new_rsa_key(folder / KEY_FILE, key_size=2048)
        extra += f"[encryption]\nenabled = true\nprivate_key = {folder / KEY_FILE}\n"
    return write_node_ini(folder, server, api_key, extra, **node)


class Federation:
    """A collaboration of root's organization and two others, each with a node, started when
    a test asks; their data are ``datasets`` (by default a slice of ages, :data:`SLICES`), and
    ``sections`` adds to a node's ini (e.g. policies). In an ``encrypted`` one each node has
    a private key of its own (:meth:`key_file`), whose public key it uploads."""

    def __init__(self, server, folder: Path, encrypted: bool = False, datasets=None, sections=None):
        sections = sections or {}
        if datasets is None:
            datasets = {name: pd.DataFrame({"age": ages}) for name, ages in SLICES.items()}
        self.server = server
        self.ids = server.collaboration(2, encrypted)
        one, two = self.ids["orgs"]
        self.org = {"root": self.ids["root_org"], "one": one, "two": two}
        keys = dict(zip(("one", "two"), self.ids["keys"], strict=True))
        keys["root"] = server.root_node_key(self.ids)
        self.names = {
            name: server.ok("GET", f"/organization/{org}")["name"] for name, org in self.org.items()
        }
        self.configs = {
            name: node_ini(
                folder / name,
                server,
                keys[name],
                data,
                encrypted,
                sections.get(name, ""),
                name=name,
            )
            for name, data in datasets.items()
        }
        self.nodes: dict[str, Running] = {}

    def key_file(self, name: str) -> Path:
        return self.configs[name].parent / KEY_FILE

    def start(self) -> None:
        for name, path in self.configs.items():
            if name not in self.nodes:
                self.nodes[name] = start_node(path)
        for running in self.nodes.values():
            running.wait_connected(60)

    def task(self, image: str, input_, orgs=("root",), name: str = "average") -> dict:
        organizations = [self.org[org] for org in orgs]
        databases = [{"label": "default"}]
        return self.server.task(
            self.ids, image, input_, organizations, name=name, databases=databases
        )

    def close(self) -> None:
        for running in self.nodes.values():
            remove_containers(running)
