"""Node presence: online while a socket of the node is open and heard from, and what a node
shares of its configuration (``node_info_update``). The original forgets that when the node goes
offline; here it stays until the node shares anew, because writers need it while the node is
away: which encryption formats it reads (see ``vantage6.common.encryption.formats_of``).

The database is written when a node comes or goes, and heartbeats are only remembered and
written in one batch per duty round, so ``GET /node`` shows ``status``/``last_seen`` without
a write per message. Nodes whose process died are marked offline by the cluster's sweep.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter
from contextlib import contextmanager

from sqlalchemy import select

from vantage6.server.db import WRITES
from vantage6.server.events.model import Event
from vantage6.server.models import Node
from vantage6.server.models.types import utcnow

log = logging.getLogger(__name__)

ONLINE = "online"
OFFLINE = "offline"


class Presence:
    def __init__(self, session_factory, bus, timeout_seconds: int):
        self._sessions = session_factory
        self._bus = bus
        self.timeout = dt.timedelta(seconds=timeout_seconds)
        self._sockets: Counter[int] = Counter()  # node id -> open sockets in this process
        self._heard: dict[int, dt.datetime] = {}  # node id -> last message, not yet written

    def connected(self, node_id: int) -> None:
        """Online with its first socket here (a second socket of a node is no news)."""
        self._sockets[node_id] += 1
        if self._sockets[node_id] == 1:
            self._set([node_id], ONLINE, "node_online")

    def heard(self, node_id: int) -> None:
        self._heard[node_id] = utcnow()

    def disconnected(self, node_id: int) -> None:
        self._sockets[node_id] -= 1
        if self._sockets[node_id] <= 0:
            del self._sockets[node_id]
            self._heard.pop(node_id, None)
            self._set([node_id], OFFLINE, "node_offline")

    def share_config(self, node_id: int, entries: list[dict]) -> None:
        with self._writing() as session:
            node = session.get(Node, node_id)
            if node is not None:
                node.config = entries

    def flush(self) -> None:
        """Write the heartbeats heard since the last flush (nodes still connected here)."""
        heard, self._heard = self._heard, {}
        heard = {id_: moment for id_, moment in heard.items() if id_ in self._sockets}
        if not heard:
            return
        with self._writing() as session:
            for node in session.scalars(select(Node).where(Node.id.in_(heard))):
                node.last_seen, node.status = heard[node.id], ONLINE

    def sweep(self) -> None:
        """Mark offline the nodes that nobody has heard from within the timeout (their
        server process died, or their socket went silent without closing)."""
        cutoff = utcnow() - self.timeout
        with self._sessions() as session:
            silent = session.scalars(
                select(Node.id).where(
                    Node.status == ONLINE, (Node.last_seen < cutoff) | Node.last_seen.is_(None)
                )
            ).all()
        silent = [id_ for id_ in silent if id_ not in self._sockets]
        if silent:
            self._set(silent, OFFLINE, "node_offline")

    def _set(self, node_ids, status: str, event: str) -> None:
        with self._writing() as session:
            nodes = session.scalars(select(Node).where(Node.id.in_(node_ids))).all()
            for node in nodes:
                node.status, node.last_seen = status, utcnow()
            events = [
                Event(
                    event,
                    {
                        "id": node.id,
                        "name": node.name,
                        "org_id": node.organization_id,
                        "collaboration_id": node.collaboration_id,
                    },
                    node.collaboration_id,
                    (node.organization_id,),
                )
                for node in nodes
            ]
        self._bus.publish(events)

    @contextmanager
    def _writing(self):
        """A session that commits on leaving (on SQLite holding the write lock up front)."""
        session = self._sessions()
        try:
            session.connection(execution_options={WRITES: True})
            yield session
            session.commit()
        finally:
            session.close()
