"""Events published by the API go out only after the commit; and the rooms users join follow
their event receive rules."""

from __future__ import annotations

import transaction
from pyramid.registry import Registry

from vantage6.plugins.manager import SERVER, plugin_manager
from vantage6.server.events.hub import Hub
from vantage6.server.events.model import Event
from vantage6.server.events.publisher import publish
from vantage6.server.events.rooms import EVERYWHERE, identity_rooms
from vantage6.server.models.rule import Operation, Scope
from vantage6.server.security.identity import Identity


class RecordingBus:
    def __init__(self):
        self.published = []

    def publish(self, events):
        self.published.extend(events)


class FakeRequest:
    def __init__(self, bus):
        self.registry = Registry()
        self.registry["vantage6.events.bus"] = bus
        self.registry["vantage6.plugins"] = plugin_manager(SERVER)
        self.tm = transaction.TransactionManager(explicit=True)
        self.identity = None


def test_events_are_published_after_commit_and_never_after_abort():
    bus = RecordingBus()
    request = FakeRequest(bus)
    request.tm.begin()
    publish(request, "new_task", {"id": 1}, 7)
    request.tm.abort()
    assert bus.published == []

    request.tm.begin()
    publish(request, "new_task", {"id": 2}, 7, [3, 3])
    publish(request, "status_update", {"run_id": 5}, 7)
    assert bus.published == []
    request.tm.commit()
    assert bus.published == [
        Event("new_task", {"id": 2}, 7, (3,)),
        Event("status_update", {"run_id": 5}, 7, ()),
    ]


def user(*rules, collaborations=(1, 2)) -> Identity:
    return Identity("user", 9, 4, frozenset(collaborations), frozenset(rules), {})


def receive(scope):
    return ("event", scope, Operation.RECEIVE)


def test_user_rooms_follow_the_widest_event_receive_rule():
    assert identity_rooms(user()) == frozenset()
    assert identity_rooms(user(receive(Scope.ORGANIZATION))) == {"collab:1:org:4", "collab:2:org:4"}
    assert identity_rooms(user(receive(Scope.COLLABORATION), receive(Scope.ORGANIZATION))) == {
        "collab:1",
        "collab:2",
    }
    assert identity_rooms(user(receive(Scope.GLOBAL))) == {EVERYWHERE}


def test_hub_delivers_once_to_each_subscriber_of_the_event_rooms():
    hub = Hub(queue_size=10)
    node_a = hub.subscribe(frozenset({"collab:1", "collab:1:org:4"}))
    org_user_a = hub.subscribe(frozenset({"collab:1:org:5"}))
    node_b = hub.subscribe(frozenset({"collab:2", "collab:2:org:4"}))
    everywhere = hub.subscribe(frozenset({EVERYWHERE}))
    assert hub.deliver(Event("new_task", {"id": 1}, 1, (4,))) == 2
    assert node_a.queue.qsize() == 1 and everywhere.queue.qsize() == 1
    assert org_user_a.queue.empty() and node_b.queue.empty()


def test_a_subscriber_that_falls_behind_is_told_to_reconnect():
    hub = Hub(queue_size=2)
    slow = hub.subscribe(frozenset({"collab:1"}))
    for id_ in range(3):
        hub.deliver(Event("new_task", {"id": id_}, 1))
    (last,) = list(slow.queue.queue)
    assert last.code == 1013
    assert hub.deliver(Event("new_task", {"id": 9}, 1)) == 0
