"""Buses carry committed events to the hub of every server process.

:class:`MemoryBus` serves one process. Several processes sharing a PostgreSQL database hear
each other through :class:`vantage6.server.events.postgresql.PostgresBus`. Nothing is
replayed: clients resync when they (re)connect.
"""

from __future__ import annotations

from vantage6.server.events.hub import Hub
from vantage6.server.events.model import Event


class MemoryBus:
    def __init__(self, hub: Hub):
        self.hub = hub

    def publish(self, events: list[Event]) -> None:
        for event in events:
            self.hub.deliver(event)

    def start(self) -> None:
        """Nothing to listen to."""
