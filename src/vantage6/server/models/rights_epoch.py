"""A counter the database raises whenever who-may-do-what may have changed.

Triggers (migration 0003) raise it on every change of roles, rules, memberships, accounts'
passwords and API keys, and deletions of accounts, organizations and collaborations, whoever
writes: the API, the admin shell, an import, or SQL typed at the database. A server that keeps
identities in memory reads this one row per request and trusts what it kept only while the
counter is unchanged (:mod:`vantage6.server.security.identity_cache`).
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Integer, Table, select

from vantage6.server.models.base import Base

rights_epoch = Table(
    "rights_epoch",
    Base.metadata,
    Column("id", Integer, primary_key=True),
    Column("value", BigInteger, nullable=False),
)

# Built once: every request with a token runs it.
CURRENT_EPOCH = select(rights_epoch.c.value).where(rights_epoch.c.id == 1)
