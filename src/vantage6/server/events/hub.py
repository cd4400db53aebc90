"""The in-process hub: rooms of subscriptions, each a bounded queue drained by its socket.

Publishing never waits on a socket: a client too slow to empty its queue is told to go away
(it resyncs when it comes back) instead of holding up everyone else. A :data:`RECHECK` event is
queued, by the principals holding them, to the subscriptions whose rights a request changed.
"""

from __future__ import annotations

from dataclasses import dataclass

from gevent.queue import Full, Queue

from vantage6.server.events.model import RECHECK, Event
from vantage6.server.events.rooms import collaboration_wide_rooms, event_rooms
from vantage6.server.events.websocket import TRY_AGAIN_LATER

Index = dict[str, set["Subscription"]]
SHUTDOWN = "vantage6.events.shutdown"  # registry key: Hub.close_all, called by the runner


@dataclass(frozen=True)
class Close:
    """Queued instead of an event: the socket is to close with this code and reason."""

    code: int
    reason: str


class Subscription:
    """``rooms`` say which events it hears; ``holders`` (``user:5``, ``org:3``) who holds it,
    for the re-checks a change of rights asks for."""

    def __init__(self, rooms: frozenset[str], holders: frozenset[str], queue_size: int):
        self.rooms = rooms
        self.holders = holders
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
        self._rooms: Index = {}
        self._holders: Index = {}
        self._all: set[Subscription] = set()

    def subscribe(
        self, rooms: frozenset[str], holders: frozenset[str] = frozenset()
    ) -> Subscription:
        subscription = Subscription(rooms, holders, self.queue_size)
        self._all.add(subscription)
        self._join(subscription)
        return subscription

    def move(self, subscription: Subscription, rooms: frozenset[str], holders=None) -> None:
        """Change the rooms (and holders) of a subscription: its holder's rights changed."""
        self._leave(subscription)
        subscription.rooms = rooms
        if holders is not None:
            subscription.holders = holders
        self._join(subscription)

    def unsubscribe(self, subscription: Subscription) -> None:
        self._leave(subscription)
        self._all.discard(subscription)

    def deliver(self, event: Event) -> int:
        """Queue ``event`` once for every subscription in any of its rooms (a re-check: held
        by any of its principals); returns how many."""
        if event.name == RECHECK:
            targets = _members(self._holders, event.data["principals"])
        else:
            targets = _members(self._rooms, event_rooms(event))
            if event.part:  # a node is in its organization's room too: part 0 reached it
                targets -= _members(self._rooms, collaboration_wide_rooms(event))
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

    def _indexes(self, subscription: Subscription):
        return ((self._rooms, subscription.rooms), (self._holders, subscription.holders))

    def _join(self, subscription: Subscription) -> None:
        for index, keys in self._indexes(subscription):
            for key in keys:
                index.setdefault(key, set()).add(subscription)

    def _leave(self, subscription: Subscription) -> None:
        for index, keys in self._indexes(subscription):
            for key in keys:
                members = index.get(key)
                if members is not None:
                    members.discard(subscription)
                    if not members:
                        del index[key]


def _members(index: Index, keys) -> set[Subscription]:
    found: set[Subscription] = set()
    for key in keys:
        found |= index.get(key, set())
    return found
