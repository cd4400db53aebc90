"""Real nodes for the browser tests of tasks: in-process daemons on the process runtime, each
with a CSV of ages as its default database, as the task form and task page tests run them."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from tests.functional.node.daemons import Running, write_ini
from vantage6.common.encryption import RSACryptor
from vantage6.node.config import load_config
from vantage6.node.runtime.process import ALGORITHMS, ProcessRuntime

AVERAGE = "harbor2.vantage6.ai/demo/average"
# Test algorithms as the node tests have them: json.<method>, and time.sleep (a run that lasts).
TEST_ALGORITHMS = {**ALGORITHMS, "test/json": ("json", None), "test/time": ("time", None)}
SLICES = {"root": [40, 60, 20], "one": [50, 10], "two": [100, 4, 36]}  # average 40
KEY_FILE = "node.pem"
SLOW_MS = 90_000  # a federated average starts four algorithm processes; the machine is shared


def node_ini(folder: Path, server, api_key: str, ages: list, encrypted: bool, **node) -> Path:
    """A node.ini in ``folder`` whose default database is a CSV of ``ages``; an encrypted
    node's private key is made as ``folder / KEY_FILE``."""
    folder.mkdir(parents=True, exist_ok=True)
    data = folder / "ages.csv"
    pd.DataFrame({"age": ages}).to_csv(data, index=False)
    extra = f"[databases]\ndefault = csv:{data}\n"
    if encrypted:
        RSACryptor.create_new_rsa_key(folder / KEY_FILE, key_size=2048)
        extra += f"[encryption]\nenabled = true\nprivate_key = {folder / KEY_FILE}\n"
    return write_ini(folder, server, api_key, extra, **node)


class Federation:
    """A collaboration of root's organization and two others, each with a node (a CSV slice
    of ages, :data:`SLICES`), started when a test asks. In an ``encrypted`` one each node
    has a private key of its own (:meth:`key_file`), whose public key it uploads."""

    def __init__(self, server, folder: Path, encrypted: bool = False):
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
            name: node_ini(folder / name, server, keys[name], ages, encrypted, name=name)
            for name, ages in SLICES.items()
        }
        self.nodes: dict[str, Running] = {}

    def key_file(self, name: str) -> Path:
        return self.configs[name].parent / KEY_FILE

    def start(self) -> None:
        for name, path in self.configs.items():
            if name not in self.nodes:
                config = load_config(path)
                self.nodes[name] = Running(path, ProcessRuntime(config, TEST_ALGORITHMS))
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
            for run_id in running.runtime.running():  # runs outlive their node
                running.runtime.kill(run_id)
            running.stop()
