"""Events published by the API go out only after the commit; and the rooms users join follow
their event receive rules."""

from __future__ import annotations

import transaction
from pyramid.registry import Registry

from vantage6.plugins.manager import SERVER, plugin_manager
from vantage6.server.events.hub import Hub
from vantage6.server.events.model import Event, parts_within
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


def test_an_event_too_large_for_the_bus_travels_in_parts():
    """A task for 2,000 organizations makes a 9 kB event; PostgreSQL's NOTIFY takes 7,999 bytes."""
    organizations = tuple(range(1_000_001, 1_002_001))
    event = Event("new_task", {"id": 1, "parent_id": None}, 7, organizations)
    parts = parts_within(event, 7999)
    assert len(parts) > 1
    assert all(len(part.to_json().encode()) <= 7999 for part in parts)
    assert [part.part for part in parts] == list(range(len(parts)))
    assert sum((part.organization_ids for part in parts), ()) == organizations
    assert {(part.name, part.collaboration_id, str(part.data)) for part in parts} == {
        ("new_task", 7, str(event.data))
    }
    assert [Event.from_json(part.to_json()) for part in parts] == parts
    assert parts_within(Event("new_task", {"id": 2}, 7, (1, 2)), 7999) == [
        Event("new_task", {"id": 2}, 7, (1, 2))
    ]


def test_every_subscriber_hears_a_split_event_once():
    hub = Hub(queue_size=10)
    node = hub.subscribe(frozenset({"collab:1", "collab:1:org:4"}))  # in part 0's rooms
    late_node = hub.subscribe(frozenset({"collab:1", "collab:1:org:1900"}))  # and a later one's
    first_organization = hub.subscribe(frozenset({"collab:1:org:4"}))
    late_organization = hub.subscribe(frozenset({"collab:1:org:1900"}))
    collaboration = hub.subscribe(frozenset({"collab:1"}))
    everywhere = hub.subscribe(frozenset({EVERYWHERE}))
    outsider = hub.subscribe(frozenset({"collab:2", "collab:2:org:4"}))
    event = Event("new_task", {"id": 1}, 1, tuple(range(1, 2001)))
    for part in parts_within(event, 7999):
        hub.deliver(part)
    hearing = [node, late_node, first_organization, late_organization, collaboration, everywhere]
    assert [subscription.queue.qsize() for subscription in hearing] == [1] * 6
    assert outsider.queue.empty()
