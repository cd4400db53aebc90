"""The in-process hub: rooms of subscriptions, each a bounded queue drained by its socket.

Publishing never waits on a socket: a client too slow to empty its queue is told to go away
(it resyncs when it comes back) instead of holding up everyone else.
"""

from __future__ import annotations

from dataclasses import dataclass

from gevent.queue import Full, Queue

from vantage6.server.events.model import Event
from vantage6.server.events.rooms import event_rooms

TRY_AGAIN_LATER = 1013
SHUTDOWN = "vantage6.events.shutdown"  # registry key: Hub.close_all, called by the runner


@dataclass(frozen=True)
class Close:
    """Queued instead of an event: the socket is to close with this code and reason."""

    code: int
    reason: str


class Subscription:
    def __init__(self, rooms: frozenset[str], queue_size: int):
        self.rooms = rooms
        self.queue: Queue = Queue(maxsize=queue_size)

    def put(self, item) -> bool:
        try:
            self.queue.put_nowait(item)
            return True
        except Full:
            return False


class Hub:
    def __init__(self, queue_size: int = 1000):
        self.queue_size = queue_size
        self._rooms: dict[str, set[Subscription]] = {}
        self._all: set[Subscription] = set()

    def subscribe(self, rooms: frozenset[str]) -> Subscription:
        subscription = Subscription(rooms, self.queue_size)
        self._all.add(subscription)
        self._join(subscription)
        return subscription

    def move(self, subscription: Subscription, rooms: frozenset[str]) -> None:
        """Change the rooms of a subscription (its holder's rights changed)."""
        self._leave(subscription)
        subscription.rooms = rooms
        self._join(subscription)

    def unsubscribe(self, subscription: Subscription) -> None:
        self._leave(subscription)
        self._all.discard(subscription)

    def deliver(self, event: Event) -> int:
        """Queue ``event`` once for every subscription in any of its rooms; returns how many."""
        targets: set[Subscription] = set()
        for room in event_rooms(event):
            targets |= self._rooms.get(room, set())
        for subscription in targets:
            if not subscription.put(event):
                self._overflow(subscription)
        return len(targets)

    def close_all(self, code: int, reason: str) -> None:
        for subscription in list(self._all):
            self._leave(subscription)
            subscription.queue.queue.clear()
            subscription.put(Close(code, reason))

    def __len__(self) -> int:
        return len(self._all)

    def _overflow(self, subscription: Subscription) -> None:
        self._leave(subscription)
        subscription.queue.queue.clear()
        subscription.put(Close(TRY_AGAIN_LATER, "too many undelivered events; reconnect"))

    def _join(self, subscription: Subscription) -> None:
        for room in subscription.rooms:
            self._rooms.setdefault(room, set()).add(subscription)

    def _leave(self, subscription: Subscription) -> None:
        for room in subscription.rooms:
            members = self._rooms.get(room)
            if members is not None:
                members.discard(subscription)
                if not members:
                    del self._rooms[room]
