"""Runs (called results in 3.x): one organization's execution of a task."""

from __future__ import annotations

import base64
import datetime as dt
import json
from typing import TYPE_CHECKING

from sqlalchemy import JSON, ForeignKey, Text, select
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, object_session, relationship

from vantage6.common.task_status import TaskStatus
from vantage6.server.models.base import Base
from vantage6.server.models.node import Node
from vantage6.server.models.types import utcnow

if TYPE_CHECKING:
    from vantage6.server.models.organization import Organization
    from vantage6.server.models.task import Task


class Run(Base):
    """Input for one organization and, once its node reports back, the result and log."""

    __tablename__ = "run"

    _input: Mapped[str | None] = mapped_column("input", Text)
    task_id: Mapped[int] = mapped_column(ForeignKey("task.id", ondelete="CASCADE"), index=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id"), index=True)
    result: Mapped[str | None] = mapped_column(Text)
    log: Mapped[str | None] = mapped_column(Text)
    assigned_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    started_at: Mapped[dt.datetime | None]
    finished_at: Mapped[dt.datetime | None]
    status: Mapped[str] = mapped_column(default=TaskStatus.PENDING.value)
    cleanup_at: Mapped[dt.datetime | None]
    blob_storage_used: Mapped[bool] = mapped_column(default=False)
    # Where its algorithm is reached on the VPN, as its node reports it (PATCH /run/<id>):
    # an address in the node's block, and [{"port", "label"}].
    vpn_address: Mapped[str | None] = mapped_column(index=True)
    vpn_ports: Mapped[list | None] = mapped_column(JSON)

    task: Mapped[Task] = relationship(back_populates="runs")
    organization: Mapped[Organization] = relationship(back_populates="runs")

    @hybrid_property
    def input(self) -> str | None:
        """Input as sent to the node. A dict or list is stored in the unencrypted wire format
        (base64 of its JSON), so shell-made runs of unencrypted collaborations are usable."""
        return self._input

    @input.inplace.setter
    def _input_setter(self, value) -> None:
        if isinstance(value, (dict, list)):
            value = base64.b64encode(json.dumps(value).encode()).decode()
        self._input = value

    @input.inplace.expression
    @classmethod
    def _input_expression(cls):
        return cls._input

    @property
    def complete(self) -> bool:
        return self.finished_at is not None

    @property
    def node(self) -> Node | None:
        """The node of this run's organization in the task's collaboration."""
        session = object_session(self)
        if session is None:
            return None
        query = select(Node).filter_by(
            organization_id=self.organization_id, collaboration_id=self.task.collaboration_id
        )
        return session.scalars(query).first()


Result = Run  # the 3.x name
