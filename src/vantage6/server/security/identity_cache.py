"""Identities kept in memory by token, so that a request with a known token costs one read of
the rights epoch instead of a signature check and the account's rules from the database.

An entry is used only while the database's rights epoch (``models/rights_epoch.py``) is the
one it was built under, and its token has not expired: any change of roles, rules,
memberships or credentials, by any writer, empties the cache on the next request. Container
identities are never kept: they end with their run, which the epoch does not follow.
"""

from __future__ import annotations

import time

from vantage6.server.models.rights_epoch import CURRENT_EPOCH
from vantage6.server.security.identity import Identity

DEFAULT_SIZE = 4096  # tokens: a few MiB, more than the users and nodes of a large federation


class IdentityCache:
    def __init__(self, size: int = DEFAULT_SIZE):
        self._size = size
        self._epoch: int | None = None
        self._identities: dict[str, Identity] = {}

    def get(self, token: str, epoch: int) -> Identity | None:
        """The identity built for ``token`` under ``epoch``, None when there is none or the
        token has expired since."""
        if epoch != self._epoch:
            self._identities.clear()
            self._epoch = epoch
            return None
        identity = self._identities.get(token)
        if identity is None:
            return None
        expires = identity.claims.get("exp")
        if expires is not None and expires <= time.time():
            del self._identities[token]
            return None
        return identity

    def keep(self, token: str, epoch: int, identity: Identity) -> None:
        if identity.kind == "container" or epoch != self._epoch:
            return
        if len(self._identities) >= self._size:
            del self._identities[next(iter(self._identities))]  # the oldest entry
        self._identities[token] = identity


def current_epoch(session) -> int:
    """The rights epoch as this request's transaction sees it."""
    return session.connection().execute(CURRENT_EPOCH).scalar_one()
