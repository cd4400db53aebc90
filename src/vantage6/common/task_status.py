"""The life cycle of an algorithm run, as reported by nodes and shown to users."""

from __future__ import annotations

from enum import StrEnum


class TaskStatus(StrEnum):
    """Status of one run; the values are the wire format of the original API."""

    PENDING = "pending"
    INITIALIZING = "initializing"
    ACTIVE = "active"
    COMPLETED = "completed"
    FAILED = "failed"
    START_FAILED = "start failed"
    NO_DOCKER_IMAGE = "non-existing Docker image"
    CRASHED = "crashed"
    KILLED = "killed by user"
    NOT_ALLOWED = "not allowed"
    UNKNOWN_ERROR = "unknown error"

    @property
    def is_finished(self) -> bool:
        return self not in _UNFINISHED

    @property
    def is_failure(self) -> bool:
        return self.is_finished and self is not TaskStatus.COMPLETED

    def can_become(self, new: TaskStatus) -> bool:
        """Whether a run in this status may be reported as ``new`` (see :data:`TRANSITIONS`)."""
        return new in TRANSITIONS[self]


_UNFINISHED = frozenset({TaskStatus.PENDING, TaskStatus.INITIALIZING, TaskStatus.ACTIVE})
_FINISHED = frozenset(TaskStatus) - _UNFINISHED

# A run only moves forward: pending → initializing → active → one finished status; it may skip
# steps (a run can fail before it starts) and may repeat its status (a node re-sending a report).
# Finished statuses are terminal.
TRANSITIONS: dict[TaskStatus, frozenset[TaskStatus]] = {
    TaskStatus.PENDING: _UNFINISHED | _FINISHED,
    TaskStatus.INITIALIZING: frozenset({TaskStatus.INITIALIZING, TaskStatus.ACTIVE}) | _FINISHED,
    TaskStatus.ACTIVE: frozenset({TaskStatus.ACTIVE}) | _FINISHED,
    **{status: frozenset() for status in _FINISHED},
}
