"""The life cycle of an algorithm run, as reported by nodes and shown to users."""

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


_UNFINISHED = frozenset({TaskStatus.PENDING, TaskStatus.INITIALIZING, TaskStatus.ACTIVE})
