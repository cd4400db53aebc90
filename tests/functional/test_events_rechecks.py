"""Re-checks in one process: asked for after the commit only, split to fit a PostgreSQL
NOTIFY, and queued to the sockets held by the principals they name, never to others."""

from __future__ import annotations

from tests.functional.test_events import FakeRequest, RecordingBus
from vantage6.server.events.hub import Hub
from vantage6.server.events.model import RECHECK, Event
from vantage6.server.events.postgresql import MAX_PAYLOAD_BYTES, PostgresBus
from vantage6.server.events.publisher import recheck


def test_rechecks_wait_for_the_commit_and_fit_in_a_notify():
    bus = RecordingBus()
    request = FakeRequest(bus)
    request.tm.begin()
    recheck(request, {"user:1"})
    request.tm.abort()
    assert bus.published == []

    many = {f"user:{id_}" for id_ in range(999_000_000, 999_000_650)}
    request.tm.begin()
    recheck(request, many)
    recheck(request, {"org:3", "user:999000000"})
    assert bus.published == []
    request.tm.commit()
    assert {event.name for event in bus.published} == {RECHECK}
    assert len(bus.published) == 3
    assert all(len(event.to_json().encode()) <= MAX_PAYLOAD_BYTES for event in bus.published)
    named = [p for event in bus.published for p in event.data["principals"]]
    assert sorted(named) == sorted(many | {"org:3"})


def test_a_recheck_reaches_the_holders_it_names_and_no_one_else():
    hub = Hub(queue_size=10)
    user = hub.subscribe(frozenset({"collab:1"}), frozenset({"user:5", "org:3"}))
    colleague = hub.subscribe(frozenset({"collab:1"}), frozenset({"user:6", "org:3"}))
    node = hub.subscribe(frozenset({"collab:1", "collab:1:org:4"}), frozenset({"node:9", "org:4"}))

    assert hub.deliver(Event(RECHECK, {"principals": ["user:5", "user:77"]}, 0)) == 1
    assert user.queue.qsize() == 1 and colleague.queue.empty() and node.queue.empty()
    assert hub.deliver(Event(RECHECK, {"principals": ["org:3"]}, 0)) == 2
    assert hub.deliver(Event("new_task", {"id": 1}, 2)) == 0  # holders are no rooms

    hub.move(user, frozenset({"collab:2"}), frozenset({"user:5", "org:8"}))
    assert hub.deliver(Event(RECHECK, {"principals": ["org:3"]}, 0)) == 1
    assert hub.deliver(Event(RECHECK, {"principals": ["org:8"]}, 0)) == 1
    hub.unsubscribe(user)
    assert hub.deliver(Event(RECHECK, {"principals": ["user:5"]}, 0)) == 0


def test_a_malformed_notification_is_ignored_and_the_listener_goes_on():
    hub = Hub(queue_size=10)
    held = hub.subscribe(frozenset(), frozenset({"user:5"}))
    bus = PostgresBus(hub, engine=None)
    for payload in ('["vantage6.recheck", {}, 0, []]', '["vantage6.recheck", [1], 0, []]', "{"):
        bus._deliver(payload)
    bus._deliver(Event(RECHECK, {"principals": ["user:5"]}, 0).to_json())
    assert held.queue.qsize() == 1
