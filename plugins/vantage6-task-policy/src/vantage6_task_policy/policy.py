"""The task policy: which images a collaboration may run, whether they must be pinned to a
digest, and how large a task may be. Read from ``vantage6_task_policy.*`` settings; a value
that cannot work stops the server at start with the key named."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import NoReturn

from pyramid.exceptions import ConfigurationError
from pyramid.settings import asbool, falsey, truthy

PREFIX = "vantage6_task_policy."
KEYS = ("allowed_images", "require_digest", "max_organizations", "max_input_bytes")
EVERY_COLLABORATION = "*"
DIGEST = re.compile(r"(?P<name>.+)@sha256:[0-9a-f]{64}")


@dataclass(frozen=True)
class TaskPolicy:
    allowed_images: dict[str, tuple[re.Pattern, ...]]  # collaboration name (or *) -> patterns
    require_digest: bool
    max_organizations: int | None
    max_input_bytes: int | None

    @classmethod
    def from_settings(cls, settings: dict) -> TaskPolicy:
        raw = {
            key[len(PREFIX) :]: str(value)
            for key, value in settings.items()
            if key.startswith(PREFIX)
        }
        unknown = sorted(set(raw) - set(KEYS))
        if unknown:
            _fail(unknown[0], f"is not a setting of this plugin; they are: {', '.join(KEYS)}")
        if not any(value.strip() for value in raw.values()):
            raise ConfigurationError(
                f"the task_policy plugin is enabled but sets no rule: set at least one of "
                f"{', '.join(PREFIX + key for key in KEYS)}"
            )
        return cls(
            allowed_images=_allowlists(raw.get("allowed_images", "")),
            require_digest=_boolean(raw, "require_digest"),
            max_organizations=_limit(raw, "max_organizations"),
            max_input_bytes=_limit(raw, "max_input_bytes"),
        )

    def problems(self, task: dict, collaboration: str) -> list[str]:
        """Everything about ``task`` (a ``POST /task`` body) this policy refuses."""
        found = self._image_problems(task["image"], collaboration)
        organizations = task["organizations"]
        if self.max_organizations is not None and len(organizations) > self.max_organizations:
            found.append(
                f"the task is for {len(organizations)} organizations; this server allows at "
                f"most {self.max_organizations}"
            )
        if self.max_input_bytes is not None:
            for organization in organizations:
                size = len(organization["input"].encode())
                if size > self.max_input_bytes:
                    found.append(
                        f"the input for organization {organization['id']} is {size} bytes; "
                        f"this server allows at most {self.max_input_bytes}"
                    )
        return found

    def _image_problems(self, image: str, collaboration: str) -> list[str]:
        found = []
        pinned = DIGEST.fullmatch(image)
        if self.require_digest and not pinned:
            found.append(
                f"image {image!r} is not pinned to a digest: name it as "
                "<image>@sha256:<64 hex digits>"
            )
        patterns = self.allowed_images.get(collaboration) or self.allowed_images.get(
            EVERY_COLLABORATION
        )
        # A pattern matches the image as sent, or the image without its digest.
        spellings = (image, pinned["name"]) if pinned else (image,)
        if patterns and not any(p.fullmatch(s) for p in patterns for s in spellings):
            found.append(f"image {image!r} is not allowed in collaboration {collaboration!r}")
        return found


def _fail(key: str, problem: str) -> NoReturn:
    raise ConfigurationError(f"{PREFIX}{key} {problem}")


def _boolean(raw: dict, key: str) -> bool:
    value = raw.get(key, "").strip() or "false"
    if value.lower() not in truthy | falsey:
        _fail(key, f"must be true or false, not {value!r}")
    return asbool(value)


def _limit(raw: dict, key: str) -> int | None:
    value = raw.get(key, "").strip()
    if not value:
        return None
    if not value.isdigit() or int(value) == 0:
        _fail(key, f"must be a positive whole number, not {value!r}")
    return int(value)


def _allowlists(text: str) -> dict[str, tuple[re.Pattern, ...]]:
    """One line per pattern: ``<collaboration name, or *> -> <regular expression>``."""
    patterns: dict[str, list[re.Pattern]] = {}
    for number, line in enumerate(text.strip().splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        collaboration, arrow, expression = (part.strip() for part in line.partition("->"))
        if not (arrow and collaboration and expression):
            _fail(
                "allowed_images",
                f"line {number} is not '<collaboration name, or *> -> <regular expression>': "
                f"{line.strip()!r}",
            )
        try:
            patterns.setdefault(collaboration, []).append(re.compile(expression))
        except re.error as exc:
            _fail(
                "allowed_images",
                f"line {number}: {expression!r} is not a regular expression ({exc})",
            )
    return {name: tuple(found) for name, found in patterns.items()}
