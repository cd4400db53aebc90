"""A node's VPN before any network is touched: registration's answer checked, the reason
kept when the VPN cannot come up, and the runs' addresses handed out."""

from __future__ import annotations

import ipaddress

import pytest

from vantage6.common.netns import NetworkError
from vantage6.node.config import load_config
from vantage6.node.server import ServerError
from vantage6.node.vpn.overlay import NodeVpn


class Server:
    """The node's server client, answering ``POST /vpn/peer`` with ``answer`` (or raising it)."""

    def __init__(self, answer):
        self.answer = answer
        self.sent = []

    def request(self, method, path, json=None, **_):
        self.sent.append((method, path, json))
        if isinstance(self.answer, Exception):
            raise self.answer
        return self.answer


@pytest.fixture
def config(tmp_path):
    path = tmp_path / "alpha.ini"
    path.write_text(
        "[node]\napi_key = k\n[server]\nurl = http://localhost\n[vpn]\nsubnet = 10.76.0.0/16\n"
    )
    return load_config(path)


def test_a_subnet_other_than_the_servers_keeps_the_vpn_down_saying_why(config):
    answer = {"subnet": "10.99.0.0/16", "prefix": "10.99.1.0/24", "hub_public_key": "x"}
    vpn = NodeVpn(config, Server(answer))
    assert vpn.start() is False
    assert vpn.problem == (
        "this node's VPN is not up: the server's VPN subnet is 10.99.0.0/16, while [vpn] "
        f"subnet in {config.path} is 10.76.0.0/16; make them the same"
    )


def test_the_servers_refusal_is_the_reason_and_only_the_public_key_is_sent(config):
    server = Server(ServerError(503, "The VPN hub has not started yet"))
    vpn = NodeVpn(config, server)
    assert vpn.start() is False
    assert vpn.problem == "this node's VPN is not up: The VPN hub has not started yet"
    ((method, path, body),) = server.sent
    assert (method, path) == ("POST", "/vpn/peer")
    private = vpn.key_file.read_text().strip()
    assert body["public_key"] != private and private not in str(server.sent)
    assert vpn.key_file.stat().st_mode & 0o777 == 0o600


def test_addresses_follow_the_run_id_and_skip_those_taken(config):
    vpn = NodeVpn(config, Server({}))
    with pytest.raises(NetworkError, match="has not been set up"):
        vpn.allocate(1, 1)
    vpn.block = ipaddress.IPv4Network("10.76.1.0/29")  # six addresses: .1 to .6
    assert vpn.allocate(1, 7) == "10.76.1.2"
    assert vpn.allocate(7, 7) == "10.76.1.3"  # .2 again, taken: the next
    assert [vpn.allocate(run, 8) for run in (2, 3, 4, 5)] == [
        "10.76.1.4",
        "10.76.1.5",
        "10.76.1.6",
        "10.76.1.1",
    ]
    with pytest.raises(NetworkError, match="all 6 addresses of this node's VPN block"):
        vpn.allocate(9, 9)
