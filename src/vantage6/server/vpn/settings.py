"""The ``vantage6.vpn.*`` settings, as the API and the hub (``vserver vpn-hub``) both read them.

Without ``vantage6.vpn.subnet`` there is no VPN. With it, the subnet is cut into blocks of
``prefix_length``: the first is the hub's, each node that joins gets one of the others, and each
algorithm run that asks for the VPN gets an address in its node's block. The hub keeps its
private key in ``key_file`` and publishes its public key beside it (``<key_file>.pub``): that
file is all the server reads of the hub's keys.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from ipaddress import IPv4Network
from pathlib import Path

from pyramid.exceptions import ConfigurationError

from vantage6.server.root_password import default_file

KEY_FILE_NAME = "vpn-hub.key"
LONGEST_PREFIX = 30  # the longest block that still has addresses besides network and broadcast
# <host>:<port>, the host a name, an IPv4 address or an IPv6 address in brackets (as wg has it).
_ENDPOINT = re.compile(r"(?:[^\s:\[\]]+|\[[0-9A-Fa-f:.]+\]):(?P<port>[0-9]{1,5})")
# The names the hub gives to `ip` and `wg`.
_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*")
LONGEST_INTERFACE_NAME = 15  # Linux's


@dataclass(frozen=True)
class VpnSettings:
    subnet: IPv4Network
    endpoint: str  # where nodes send their WireGuard traffic: <host>:<port>
    prefix_length: int  # of each node's block of addresses
    key_file: Path  # the hub's private key; the server never reads it
    namespace: str
    interface: str
    listen_port: int

    @property
    def public_key_file(self) -> Path:
        """Where the hub publishes its public key, for the server to hand to nodes."""
        return self.key_file.with_name(self.key_file.name + ".pub")


def default_key_file(database_url: str, config_folder: str | None) -> str:
    """The hub's key file when ``vantage6.vpn.key_file`` is empty: ``vpn-hub.key`` in the
    folder of the first root password's file (beside an SQLite database, else beside the ini
    file); '' when neither place is known."""
    beside = default_file(database_url, config_folder)
    return str(Path(beside).with_name(KEY_FILE_NAME)) if beside else ""


def vpn_settings(settings: dict) -> VpnSettings | None:
    """The VPN's settings from the server's (as ``load_settings`` returns them), or None when
    ``vantage6.vpn.subnet`` is empty; a :class:`ConfigurationError` names a setting that
    cannot work."""
    if not settings["vantage6.vpn.subnet"]:
        return None
    subnet = _subnet(settings["vantage6.vpn.subnet"])
    endpoint_port = _endpoint_port(settings["vantage6.vpn.endpoint"])
    prefix_length = _number(settings, "vantage6.vpn.prefix_length")
    if not subnet.prefixlen < prefix_length <= LONGEST_PREFIX:
        raise ConfigurationError(
            f"vantage6.vpn.prefix_length must be longer than the prefix of vantage6.vpn.subnet "
            f"({subnet.prefixlen}) and at most {LONGEST_PREFIX}, not {prefix_length}"
        )
    if not settings["vantage6.vpn.key_file"]:
        raise ConfigurationError(
            "Cannot tell where the VPN hub keeps its key: the database is not an SQLite file "
            "and the ini file's folder is unknown. Set vantage6.vpn.key_file."
        )
    listen_port = endpoint_port
    if settings["vantage6.vpn.listen_port"]:
        listen_port = _number(settings, "vantage6.vpn.listen_port")
        if not 1 <= listen_port <= 65535:
            raise ConfigurationError(
                f"vantage6.vpn.listen_port must be from 1 to 65535, not {listen_port}"
            )
    return VpnSettings(
        subnet=subnet,
        endpoint=settings["vantage6.vpn.endpoint"],
        prefix_length=prefix_length,
        key_file=Path(settings["vantage6.vpn.key_file"]),
        namespace=_name(settings, "vantage6.vpn.namespace"),
        interface=_name(settings, "vantage6.vpn.interface", LONGEST_INTERFACE_NAME),
        listen_port=listen_port,
    )


def _subnet(value: str) -> IPv4Network:
    try:
        subnet = ipaddress.ip_network(value, strict=True)
    except ValueError as exc:
        raise ConfigurationError(
            f"vantage6.vpn.subnet must be an IPv4 network such as 10.76.0.0/16, not {value!r} "
            f"({exc})"
        ) from None
    if not isinstance(subnet, IPv4Network):
        raise ConfigurationError(
            f"vantage6.vpn.subnet must be an IPv4 network such as 10.76.0.0/16, not the IPv6 "
            f"network {value!r}"
        )
    if subnet.prefixlen >= LONGEST_PREFIX:
        raise ConfigurationError(
            f"vantage6.vpn.subnet {value} is too small: it must hold the hub's block and the "
            f"nodes' blocks of at most /{LONGEST_PREFIX} (give a prefix of at most "
            f"/{LONGEST_PREFIX - 1})"
        )
    return subnet


def _endpoint_port(value: str) -> int:
    """The port of ``vantage6.vpn.endpoint``, which is required with a subnet."""
    if not value:
        raise ConfigurationError(
            "vantage6.vpn.endpoint must be set with vantage6.vpn.subnet: the <host>:<port> at "
            "which nodes reach the VPN hub (UDP)"
        )
    found = _ENDPOINT.fullmatch(value)
    if found is None or not 1 <= int(found["port"]) <= 65535:
        raise ConfigurationError(
            "vantage6.vpn.endpoint must be <host>:<port> with a port from 1 to 65535 (an IPv6 "
            f"address in brackets: [2001:db8::1]:51820), not {value!r}"
        )
    return int(found["port"])


def _number(settings: dict, key: str) -> int:
    try:
        return int(settings[key])
    except ValueError:
        raise ConfigurationError(f"{key} must be a whole number, not {settings[key]!r}") from None


def _name(settings: dict, key: str, longest: int | None = None) -> str:
    value = settings[key]
    if not _NAME.fullmatch(value) or (longest and len(value) > longest):
        at_most = f" of at most {longest} characters" if longest else ""
        raise ConfigurationError(
            f"{key} must be a name{at_most} of letters, digits and _ . - (not starting with . "
            f"or -), not {value!r}"
        )
    return value
