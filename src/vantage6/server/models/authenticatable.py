"""What users and nodes share: they log in and are seen online."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from vantage6.server.models.base import Base


class Authenticatable(Base):
    """Parent of :class:`User` and :class:`Node`; they share one id space."""

    __tablename__ = "authenticatable"

    type: Mapped[str] = mapped_column(String(50))
    ip: Mapped[str | None]
    last_seen: Mapped[dt.datetime | None]
    status: Mapped[str | None]

    __mapper_args__ = {"polymorphic_on": "type", "polymorphic_identity": "authenticatable"}
