"""The VPN's settings: none without a subnet, typed values with their defaults, and a refusal
in one line naming the setting for each value the API or the hub could not use."""

from ipaddress import IPv4Network
from pathlib import Path

import pytest
from pyramid.exceptions import ConfigurationError

from vantage6.server.settings import load_settings
from vantage6.server.vpn.settings import VpnSettings, vpn_settings

VPN = {
    "sqlalchemy.url": "sqlite:////srv/v6/var/v6.sqlite",
    "vantage6.vpn.subnet": "10.76.0.0/16",
    "vantage6.vpn.endpoint": "hub.example.org:51820",
}


def loaded(**overrides) -> VpnSettings | None:
    return vpn_settings(load_settings({**VPN, **overrides}, environ={}))


def test_without_a_subnet_there_is_no_vpn():
    assert vpn_settings(load_settings({"sqlalchemy.url": "sqlite://"}, environ={})) is None
    assert loaded(**{"vantage6.vpn.subnet": "", "vantage6.vpn.endpoint": ""}) is None


def test_the_defaults_with_a_subnet():
    assert loaded() == VpnSettings(
        subnet=IPv4Network("10.76.0.0/16"),
        endpoint="hub.example.org:51820",
        prefix_length=24,
        key_file=Path("/srv/v6/var/vpn-hub.key"),
        namespace="v6-hub",
        interface="v6hub",
        listen_port=51820,
    )


def test_the_hub_publishes_its_public_key_beside_its_private_key():
    vpn = loaded(**{"vantage6.vpn.key_file": "/etc/v6/hub.key"})
    assert vpn.key_file == Path("/etc/v6/hub.key")
    assert vpn.public_key_file == Path("/etc/v6/hub.key.pub")


def test_the_key_file_of_other_databases_is_beside_the_ini_file(tmp_path):
    raw = {**VPN, "sqlalchemy.url": "postgresql+psycopg://v6@db-host/vantage6"}
    settings = load_settings(raw, environ={}, config_folder=str(tmp_path))
    assert vpn_settings(settings).key_file == tmp_path / "vpn-hub.key"


def test_every_setting_can_be_given():
    vpn = loaded(
        **{
            "vantage6.vpn.subnet": "172.20.0.0/20",
            "vantage6.vpn.endpoint": "[2001:db8::1]:443",
            "vantage6.vpn.prefix_length": "28",
            "vantage6.vpn.namespace": "vpn.hub_2",
            "vantage6.vpn.interface": "wg-hub",
            "vantage6.vpn.listen_port": "51999",
        }
    )
    assert (vpn.subnet, vpn.endpoint, vpn.prefix_length) == (
        IPv4Network("172.20.0.0/20"),
        "[2001:db8::1]:443",
        28,
    )
    assert (vpn.namespace, vpn.interface, vpn.listen_port) == ("vpn.hub_2", "wg-hub", 51999)


@pytest.mark.parametrize(
    "overrides, message",
    [
        (
            {"vantage6.vpn.subnet": "10.76.0.1/16"},
            "vantage6.vpn.subnet must be an IPv4 network such as 10.76.0.0/16, not "
            "'10.76.0.1/16' (10.76.0.1/16 has host bits set)",
        ),
        ({"vantage6.vpn.subnet": "vpn"}, "vantage6.vpn.subnet must be an IPv4 network"),
        (
            {"vantage6.vpn.subnet": "fd00:76::/48"},
            "vantage6.vpn.subnet must be an IPv4 network such as 10.76.0.0/16, not the IPv6 "
            "network 'fd00:76::/48'",
        ),
        ({"vantage6.vpn.subnet": "10.76.0.0/30"}, "vantage6.vpn.subnet 10.76.0.0/30 is too small"),
        ({"vantage6.vpn.subnet": "10.76.0.1"}, "vantage6.vpn.subnet 10.76.0.1 is too small"),
        (
            {"vantage6.vpn.endpoint": ""},
            "vantage6.vpn.endpoint must be set with vantage6.vpn.subnet: the <host>:<port> at "
            "which nodes reach the VPN hub (UDP)",
        ),
        ({"vantage6.vpn.endpoint": "hub.example.org"}, "vantage6.vpn.endpoint must be <host>"),
        ({"vantage6.vpn.endpoint": "hub.example.org:0"}, "vantage6.vpn.endpoint must be <host>"),
        ({"vantage6.vpn.endpoint": "hub:65536"}, "vantage6.vpn.endpoint must be <host>"),
        ({"vantage6.vpn.endpoint": ":51820"}, "vantage6.vpn.endpoint must be <host>"),
        ({"vantage6.vpn.endpoint": "2001:db8::1:51820"}, "an IPv6 address in brackets"),
        ({"vantage6.vpn.endpoint": "hub example:51820"}, "vantage6.vpn.endpoint must be <host>"),
        (
            {"vantage6.vpn.prefix_length": "16"},
            "vantage6.vpn.prefix_length must be longer than the prefix of vantage6.vpn.subnet "
            "(16) and at most 30, not 16",
        ),
        ({"vantage6.vpn.prefix_length": "31"}, "and at most 30, not 31"),
        (
            {"vantage6.vpn.prefix_length": "/24"},
            "vantage6.vpn.prefix_length must be a whole number, not '/24'",
        ),
        (
            {"vantage6.vpn.listen_port": "70000"},
            "vantage6.vpn.listen_port must be from 1 to 65535, not 70000",
        ),
        (
            {"vantage6.vpn.listen_port": "udp"},
            "vantage6.vpn.listen_port must be a whole number, not 'udp'",
        ),
        (
            {"vantage6.vpn.interface": "a-much-too-long-name"},
            "vantage6.vpn.interface must be a name of at most 15 characters",
        ),
        ({"vantage6.vpn.interface": ""}, "vantage6.vpn.interface must be a name"),
        ({"vantage6.vpn.namespace": "../etc"}, "vantage6.vpn.namespace must be a name of"),
        ({"vantage6.vpn.namespace": "v6 hub"}, "vantage6.vpn.namespace must be a name of"),
    ],
)
def test_a_value_that_cannot_work_is_refused_at_start_in_one_line(overrides, message):
    with pytest.raises(ConfigurationError) as refused:
        loaded(**overrides)
    assert message in str(refused.value)
    assert "\n" not in str(refused.value)


def test_a_key_file_nobody_can_place_is_refused():
    """Neither an SQLite database nor an ini file to put it beside."""
    raw = {**VPN, "sqlalchemy.url": "postgresql+psycopg://v6@db-host/vantage6"}
    with pytest.raises(ConfigurationError, match="Set vantage6.vpn.key_file"):
        load_settings(raw, environ={})
    configured = {**raw, "vantage6.vpn.key_file": "/etc/v6/hub.key"}
    assert vpn_settings(load_settings(configured, environ={})).key_file == Path("/etc/v6/hub.key")
