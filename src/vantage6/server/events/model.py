"""What travels on the bus: an event name, its JSON data (ids, not rows) and its audience."""

from __future__ import annotations

import json
from dataclasses import dataclass

# Not for clients: the hub re-checks the sockets held by ``data["principals"]`` (see rights).
RECHECK = "vantage6.recheck"


@dataclass(frozen=True)
class Event:
    """``collaboration_id`` and ``organization_ids`` say who may hear it (see rooms)."""

    name: str
    data: dict
    collaboration_id: int
    organization_ids: tuple[int, ...] = ()

    def to_json(self) -> str:
        return json.dumps(
            [self.name, self.data, self.collaboration_id, list(self.organization_ids)],
            separators=(",", ":"),
            default=str,
        )

    @classmethod
    def from_json(cls, text: str) -> Event:
        name, data, collaboration_id, organization_ids = json.loads(text)
        return cls(name, data, collaboration_id, tuple(organization_ids))
