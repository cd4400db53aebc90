"""WireGuard interfaces and keys for the VPN between algorithms (the hub's and the nodes').

An interface is made in the caller's namespace, where its UDP socket stays (the host's
network, which reaches the hub), then moved into the VPN's own namespace (:mod:`.netns`), where
the traffic inside the tunnel is routed. The kernel's WireGuard is used where the kernel has
it, else ``wireguard-go`` (userspace, on ``/dev/net/tun``); ``wg`` configures both.

Keys are X25519 (``cryptography``) in WireGuard's base64 form. A private key is made on the
machine that uses it, kept in a 0600 file there, and reaches ``wg`` on its standard input,
never on a command line; only public keys travel.
"""

from __future__ import annotations

import base64
import binascii
import os
import subprocess
import tempfile
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from vantage6.common import netns
from vantage6.common.netns import NetworkError

RAW = serialization.Encoding.Raw


def new_private_key() -> str:
    raw = X25519PrivateKey.generate().private_bytes(
        RAW, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    return base64.b64encode(raw).decode()


def public_key(private_key: str) -> str:
    key = X25519PrivateKey.from_private_bytes(base64.b64decode(private_key))
    return base64.b64encode(
        key.public_key().public_bytes(RAW, serialization.PublicFormat.Raw)
    ).decode()


def is_key(text: str) -> bool:
    """Whether ``text`` is a WireGuard key: base64 of 32 bytes."""
    try:
        return len(base64.b64decode(text, validate=True)) == 32
    except (binascii.Error, ValueError):
        return False


def load_or_make_key(path: Path) -> str:
    """The private key kept in ``path``, made (0600) on first use; a key file others may
    read is refused, as it would let them join the VPN in this machine's name."""
    try:
        text = path.read_text().strip()
    except FileNotFoundError:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        key = new_private_key()
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as file:
            file.write(key + "\n")
        return key
    if path.stat().st_mode & 0o077:
        raise NetworkError(f"{path} may be read by others: chmod 600 {path}")
    if not is_key(text):
        raise NetworkError(f"{path} does not hold a WireGuard private key (base64 of 32 bytes)")
    return text


class Interface:
    """A WireGuard interface ``name`` living in ``namespace``. The name is unique on the
    machine: wireguard-go's control socket is named after it, outside any namespace."""

    def __init__(self, name: str, namespace: str):
        if len(name) > 15:
            raise ValueError(f"interface name {name!r} is longer than 15 characters")
        self.name = name
        self.namespace = namespace

    def exists(self) -> bool:
        return self.name in netns.links(self.namespace)

    def create(self) -> None:
        """Made here (in the kernel, else by wireguard-go), then moved into the namespace."""
        try:
            netns.run(["ip", "link", "add", self.name, "type", "wireguard"])
        except NetworkError:
            _start_wireguard_go(self.name)
        try:
            netns.run(["ip", "link", "set", self.name, "netns", self.namespace])
        except NetworkError:
            netns.run(["ip", "link", "delete", self.name])
            raise

    def configure(self, private_key: str, listen_port: int | None = None) -> None:
        command = ["wg", "set", self.name, "private-key", "/dev/stdin"]
        if listen_port:
            command += ["listen-port", str(listen_port)]
        netns.run(command, self.namespace, stdin=private_key + "\n")
        netns.run(["ip", "link", "set", self.name, "up"], self.namespace)

    def set_peer(
        self,
        public_key: str,
        allowed_ips: str,
        endpoint: str | None = None,
        keepalive: int | None = None,
    ) -> None:
        command = ["wg", "set", self.name, "peer", public_key, "allowed-ips", allowed_ips]
        if endpoint:
            command += ["endpoint", endpoint]
        if keepalive:
            command += ["persistent-keepalive", str(keepalive)]
        netns.run(command, self.namespace)

    def remove_peer(self, public_key: str) -> None:
        netns.run(["wg", "set", self.name, "peer", public_key, "remove"], self.namespace)

    def peers(self) -> dict[str, str]:
        """Public key -> allowed IPs (comma-separated, as ``wg`` takes them)."""
        found = {}
        for line in netns.run(
            ["wg", "show", self.name, "allowed-ips"], self.namespace
        ).splitlines():
            key, _, allowed = line.partition("\t")
            found[key] = ",".join(sorted(allowed.split())) if allowed != "(none)" else ""
        return found

    def delete(self) -> None:
        """Remove the interface (wireguard-go ends with it); nothing when it is gone."""
        if self.exists():
            netns.run(["ip", "link", "delete", self.name], self.namespace)


def _start_wireguard_go(name: str) -> None:
    """Start wireguard-go for ``name``; it detaches once the interface is there. Its output
    goes to a file it may keep open, so that waiting for it never hangs on a pipe."""
    with tempfile.TemporaryFile("w+") as output:
        try:
            done = subprocess.run(
                ["wireguard-go", name],
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=subprocess.STDOUT,
                env={**os.environ, "LOG_LEVEL": "error"},
                timeout=30,
            )
        except FileNotFoundError:
            raise NetworkError(
                "this kernel has no WireGuard and wireguard-go is not installed (Debian: "
                "apt-get install wireguard-go)"
            ) from None
        except subprocess.TimeoutExpired:
            raise NetworkError(f"wireguard-go {name} did not start in 30 s") from None
        if done.returncode:
            output.seek(0)
            lines = [line for line in output.read().splitlines() if line.strip()]
            reason = lines[-1] if lines else f"exit code {done.returncode}"
            raise NetworkError(f"wireguard-go {name} failed: {reason}")
    # It detaches before its daemon has taken the interface over, and the daemon fails when
    # the interface moves away before that: its first answer to `wg` says it has.
    netns.run(["wg", "show", name])
