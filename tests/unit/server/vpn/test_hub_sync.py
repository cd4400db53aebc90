"""The hub's sync: the peers and the forwarding rules become what the database says, and
nothing is rewritten while it says the same."""

from __future__ import annotations

import contextlib
from ipaddress import IPv4Network
from pathlib import Path

import pytest

from vantage6.server.vpn import hub as hub_module
from vantage6.server.vpn.hub import Hub
from vantage6.server.vpn.settings import VpnSettings


class Interface:
    """The hub's WireGuard interface, as ``wg`` would leave it."""

    def __init__(self, peers):
        self._peers = dict(peers)
        self.changes = []

    def peers(self):
        return dict(self._peers)

    def set_peer(self, key, allowed):
        self._peers[key] = allowed
        self.changes.append(("set", key, allowed))

    def remove_peer(self, key):
        del self._peers[key]
        self.changes.append(("remove", key))


@pytest.fixture
def database(monkeypatch):
    """What the database says (``peers`` and ``jobs``), and the rule tables written."""
    said = {"peers": [], "jobs": {}, "tables": []}
    monkeypatch.setattr(hub_module.state, "peers", lambda session: said["peers"])
    monkeypatch.setattr(hub_module.state, "job_addresses", lambda session: said["jobs"])
    monkeypatch.setattr(
        hub_module.netns,
        "replace_filter_table",
        lambda namespace, rules: said["tables"].append((namespace, rules)),
    )
    return said


def make_hub(peers) -> Hub:
    settings = VpnSettings(
        IPv4Network("10.76.0.0/16"), "hub:51820", 24, Path("hub.key"), "v6-hub", "v6hub", 51820
    )
    hub = Hub(settings, lambda: contextlib.nullcontext(None))
    hub.interface = Interface(peers)
    return hub


def test_peers_follow_the_nodes_that_joined(database):
    hub = make_hub({"gone": "10.76.3.0/24", "kept": "10.76.1.0/24", "moved": "10.76.2.0/24"})
    database["peers"] = [
        ("kept", "10.76.1.0/24"),
        ("moved", "10.76.4.0/24"),
        ("new", "10.76.5.0/24"),
    ]
    hub.sync()
    assert sorted(hub.interface.changes) == [
        ("remove", "gone"),
        ("set", "moved", "10.76.4.0/24"),
        ("set", "new", "10.76.5.0/24"),
    ]
    hub.sync()  # the same again: nothing to do
    assert len(hub.interface.changes) == 3


def test_the_rules_are_written_when_the_jobs_change_only(database):
    hub = make_hub({})
    database["jobs"] = {4: ["10.76.1.2", "10.76.2.2"]}
    hub.sync()
    hub.sync()
    ((namespace, rules),) = database["tables"]
    assert namespace == "v6-hub"
    assert sum(rule.startswith("-A FORWARD") for rule in rules) == 2
    database["jobs"] = {}  # the job ended: its pairs go
    hub.sync()
    assert not any(rule.startswith("-A FORWARD") for rule in database["tables"][-1][1])
