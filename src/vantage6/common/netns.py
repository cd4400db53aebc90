"""Named network namespaces (``ip netns``), where the VPN's tunnels, routes and firewall live.

The hub and each node keep their end of the VPN in a namespace of their own: the host's routes
and firewall never see what travels inside the tunnel, and the host itself has no address on
the VPN, so algorithms cannot reach it. Needs ``ip`` (iproute2), ``sysctl`` and
``iptables-restore``, and root (or CAP_NET_ADMIN and CAP_SYS_ADMIN).
"""

from __future__ import annotations

import subprocess
from pathlib import Path

NAMESPACES = Path("/run/netns")


class NetworkError(RuntimeError):
    """A network command is missing or refused; the message says which and why."""


def run(command: list[str], namespace: str | None = None, stdin: str | None = None) -> str:
    """Run ``command`` (in ``namespace``), its output; NetworkError naming it otherwise."""
    full = ["ip", "netns", "exec", namespace, *command] if namespace else command
    try:
        done = subprocess.run(full, input=stdin, capture_output=True, text=True, timeout=30)
    except FileNotFoundError:
        raise NetworkError(
            f"{full[0]} is not installed; the VPN needs iproute2, iptables and wireguard-tools"
        ) from None
    except subprocess.TimeoutExpired:
        raise NetworkError(f"{' '.join(full)} did not finish in 30 s") from None
    if done.returncode:
        words = done.stderr.strip().splitlines()
        problem = words[-1] if words else f"exit code {done.returncode}"
        hint = (
            " (the VPN needs root, or CAP_NET_ADMIN)"
            if "ermission" in problem or "not permitted" in problem
            else ""
        )
        raise NetworkError(f"{' '.join(full)}: {problem}{hint}")
    return done.stdout


def ensure(namespace: str) -> None:
    """The namespace, made when missing, with its loopback up and forwarding on (it routes
    between the tunnel and the algorithms' links)."""
    if not (NAMESPACES / namespace).exists():
        run(["ip", "netns", "add", namespace])
    run(["ip", "link", "set", "lo", "up"], namespace)
    sysctl(namespace, "net.ipv4.ip_forward", "1")


def remove(namespace: str) -> None:
    """Delete the namespace and everything in it (nothing when it is gone)."""
    if (NAMESPACES / namespace).exists():
        run(["ip", "netns", "delete", namespace])


def sysctl(namespace: str, key: str, value: str) -> None:
    run(["sysctl", "-q", "-w", f"{key}={value}"], namespace)


def links(namespace: str) -> set[str]:
    """The names of the network interfaces in the namespace."""
    names = set()
    for line in run(["ip", "-o", "link", "show"], namespace).splitlines():
        name = line.split(":", 2)[1].strip().split("@", 1)[0]
        names.add(name)
    return names


def replace_filter_table(namespace: str, rules: list[str]) -> None:
    """Make ``rules`` (iptables-save lines, chain policies included) the namespace's whole
    ``filter`` table, in one step: no moment passes with the old rules half removed."""
    run(["iptables-restore", "-w"], namespace, "*filter\n" + "\n".join(rules) + "\nCOMMIT\n")
