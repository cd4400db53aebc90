"""Chromium in a network namespace of its own, which reaches only the test servers' ports.

Chromium fails every request it has in flight with ``ERR_NETWORK_CHANGED`` when the machine's
network interfaces change, and the Docker runtime adds and removes a network (a bridge and a
veth pair) for every run. In a namespace of its own the browser sees none of that. Each
server's port is carried in from the host's loopback over a Unix socket, with socat at both
ends, so the page's address stays ``http://127.0.0.1:<port>``.

It needs root, iproute2 and socat (``scripts/bootstrap-system``); elsewhere the browser shares
the host's network, which is fine as long as no algorithm container starts meanwhile."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path


def possible() -> bool:
    return os.geteuid() == 0 and all(shutil.which(tool) for tool in ("ip", "socat"))


class BrowserNetwork:
    """A named network namespace with loopback up, a launcher that starts the browser in it,
    and port bridges from the host into it."""

    def __init__(self, folder: Path):
        self.name = f"v6-browser-{os.getpid()}"
        self.folder = folder
        self.bridges: dict[int, tuple[subprocess.Popen, subprocess.Popen]] = {}
        subprocess.run(["ip", "netns", "add", self.name], check=True)
        subprocess.run(["ip", "-n", self.name, "link", "set", "lo", "up"], check=True)

    def launcher(self, browser: str) -> str:
        """An executable that runs ``browser`` (with the arguments it is given) in here."""
        path = self.folder / "browser-in-namespace"
        path.write_text(f'#!/bin/sh\nexec ip netns exec {self.name} {browser} "$@"\n')
        path.chmod(0o755)
        return str(path)

    def open(self, port: int) -> None:
        """Let the browser reach the host's ``127.0.0.1:port`` at the same address."""
        socket = self.folder / f"port-{port}.sock"
        outside = subprocess.Popen(["socat", f"UNIX-LISTEN:{socket},fork", f"TCP:127.0.0.1:{port}"])
        self._wait(lambda: socket.exists(), f"the host end of port {port}")
        listen = f"TCP-LISTEN:{port},bind=127.0.0.1,fork,reuseaddr"
        inside = subprocess.Popen(
            ["ip", "netns", "exec", self.name, "socat", listen, f"UNIX-CONNECT:{socket}"]
        )
        self.bridges[port] = (outside, inside)
        self._wait(lambda: self._listening(port), f"the namespace's end of port {port}")

    def close(self, port: int) -> None:
        for process in self.bridges.pop(port):
            process.terminate()
            process.wait(timeout=10)

    def remove(self) -> None:
        for port in list(self.bridges):
            self.close(port)
        subprocess.run(["ip", "netns", "delete", self.name], check=True)

    def _listening(self, port: int) -> bool:
        listing = subprocess.run(
            ["ip", "netns", "exec", self.name, "ss", "-Hltn", f"sport = :{port}"],
            capture_output=True,
            text=True,
            check=True,
        )
        return bool(listing.stdout.strip())

    @staticmethod
    def _wait(ready, what: str, timeout: float = 10) -> None:
        deadline = time.monotonic() + timeout
        while not ready():
            if time.monotonic() > deadline:
                raise RuntimeError(f"{what} did not open within {timeout} s")
            time.sleep(0.05)
