"""Which ports an algorithm takes VPN traffic on, as the original vantage6 reads them off its
image: the ports it EXPOSEs, each named by an image label ``p<port>`` (``LABEL p8888=exchange``).
An image that exposes no port does not ask for the VPN."""

from __future__ import annotations


def exposed_ports(image_config: dict) -> list[dict]:
    """``[{"port": 8888, "label": "exchange"}, ...]`` from an image's ``Config``."""
    labels = image_config.get("Labels") or {}
    ports = []
    for exposed in image_config.get("ExposedPorts") or {}:
        number, _, _protocol = exposed.partition("/")
        if number.isdigit():
            ports.append({"port": int(number), "label": labels.get(f"p{number}")})
    return sorted(ports, key=lambda entry: entry["port"])
