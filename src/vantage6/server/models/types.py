"""Column types shared by the models."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, TypeDecorator


def utcnow() -> dt.datetime:
    """Now, timezone-aware; used as a column default (called per row, never at import)."""
    return dt.datetime.now(dt.UTC)


class UTCDateTime(TypeDecorator):
    """Store UTC without a zone (SQLite has none) and hand back aware UTC datetimes.

    Naive values are read as local time, which is what ``datetime.now()`` (used in the
    seeds' shell examples) means.
    """

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        return value.astimezone(dt.UTC).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC)
