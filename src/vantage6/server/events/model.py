"""What travels on the bus: an event name, its JSON data (ids, not rows) and its audience."""

from __future__ import annotations

import json
from dataclasses import dataclass, replace

# Not for clients: the hub re-checks the sockets held by ``data["principals"]`` (see rights).
RECHECK = "vantage6.recheck"


@dataclass(frozen=True)
class Event:
    """``collaboration_id`` and ``organization_ids`` say who may hear it (see rooms).

    An event too large for the bus travels in parts (:func:`parts_within`), each naming some
    of its organizations: ``part`` 0 also reaches whoever hears the whole collaboration, the
    others only the rooms of their organizations."""

    name: str
    data: dict
    collaboration_id: int
    organization_ids: tuple[int, ...] = ()
    part: int = 0

    def to_json(self) -> str:
        fields = [self.name, self.data, self.collaboration_id, list(self.organization_ids)]
        fields = [*fields, self.part] if self.part else fields
        return json.dumps(fields, separators=(",", ":"), default=str)

    @classmethod
    def from_json(cls, text: str) -> Event:
        name, data, collaboration_id, organization_ids, *part = json.loads(text)
        return cls(name, data, collaboration_id, tuple(organization_ids), *part)


def parts_within(event: Event, max_bytes: int) -> list[Event]:
    """``event`` as parts whose JSON each takes at most ``max_bytes`` (UTF-8): itself when
    it fits, else its organizations split in halves until every part does. A long list of
    organizations is what makes an event large (a task for 2,000 of them: 9 kB)."""
    pending, parts = [event.organization_ids], []
    while pending:
        organizations = pending.pop(0)
        part = replace(event, organization_ids=organizations, part=len(parts))
        if len(part.to_json().encode()) <= max_bytes:
            parts.append(part)
        elif len(organizations) > 1:
            half = len(organizations) // 2
            pending[:0] = [organizations[:half], organizations[half:]]
        else:
            raise ValueError(f"event {event.name} is too large for the bus even for one party")
    return parts
