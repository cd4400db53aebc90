"""Reading a vantage6 4.x YAML configuration (a node's or a server's, as the vantage6
documentation shows them) for ``vnode new --from-yaml`` and ``vserver new --from-yaml``: the
part both share.

Such a file has an ``application`` block (the settings outside every environment) and/or an
``environments`` block with ``dev``, ``test``, ``acc`` and ``prod`` blocks. A translator takes
from each block (:class:`Block`) the keys it maps; every key left is reported with the reason
it is not mapped, so nothing is dropped silently (:class:`Report`). The report names keys and
where they went, never their values: some are secrets.

Two things of the documentation's examples are not quite YAML, and are read as what they mean:

- ``api_key: ***``: a value of asterisks alone is never valid YAML (``*`` starts an alias, which
  needs a name), so it is read as the text ``***``, a secret the documentation left out;
  reading it so changes the meaning of no valid file.
- a block that is only ``...`` (``application:`` followed by an indented ``...``): YAML reads it
  as the text ``...``, the documentation's "settings left out". It has nothing to map, and the
  report says so.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import click
import yaml

from vantage6.common import located_yaml
from vantage6.common.cli_output import Failure
from vantage6.common.located_yaml import Mapping, Sequence

APPLICATION = "application"
ENVIRONMENTS = ("dev", "test", "acc", "prod")
LEFT_OUT = "..."
LEFT_OUT_REASON = "the documentation's '...' for settings it leaves out: nothing to map"
UNKNOWN_REASON = "not a key of the vantage6 configuration this command knows"

# `key: ***` (also in a list item), with an optional comment after it
_ASTERISKS = re.compile(
    r"^(?P<key>[ \t]*(?:-[ \t]+)?[^\s:#'\"][^:#\n]*:[ \t]+)(?P<value>\*+)(?P<rest>[ \t]*(?:#.*)?)$",
    re.MULTILINE,
)
# Keys only a node's (or only a server's) YAML has: a file of the other kind is refused.
NODE_KEYS = {
    *("api_key", "server_url", "databases", "task_dir", "allowed_images", "docker_registries"),
    *("encryption", "algorithm_env", "vpn_subnet", "images", "policies"),
}
SERVER_KEYS = {
    *("uri", "jwt_secret_key", "allow_drop_all", "smtp", "ip", "description", "type"),
    *("vpn_server", "support_email", "email_token_validity_minutes", "rabbitmq"),
}
_WINDOWS_PATH = re.compile(r"^(?:[A-Za-z]:[\\/]|\\\\)")


class NotAConfiguration(Failure):
    """The file is not a vantage6 YAML configuration of the kind asked for; nothing written."""


# --- reading the YAML, with the line and the dotted path of every key --------------------------


def _name(value, path: str) -> None:
    """Gives every mapping and sequence in ``value`` its dotted path."""
    if isinstance(value, Mapping):
        value.path = path
        for key, item in value.items():
            _name(item, f"{path}.{key}" if path else key)
    elif isinstance(value, Sequence):
        value.path = path
        for index, item in enumerate(value):
            _name(item, f"{path}[{index}]")


def read_yaml(path: Path) -> Mapping:
    """The file as a :class:`Mapping`; a file that is no YAML mapping is refused."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise NotAConfiguration(f"{path} is not a YAML file (it is not UTF-8 text)") from None
    except OSError as exc:
        raise Failure(f"cannot read {path}: {exc.strerror}") from None
    text = _ASTERISKS.sub(r"\g<key>'\g<value>'\g<rest>", text)
    try:
        document = located_yaml.load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}: " if mark else ""
        reason = " ".join(filter(None, [exc.context, exc.problem]))
        raise NotAConfiguration(f"{path} is not valid YAML ({where}{reason})") from None
    except yaml.YAMLError as exc:
        raise NotAConfiguration(f"{path} is not valid YAML ({exc})") from None
    if not isinstance(document, Mapping):
        raise NotAConfiguration(
            f"{path} is not a vantage6 configuration: it must be a YAML mapping with an "
            "`application:` and/or an `environments:` block"
        )
    _name(document, "")
    return document


# --- what was mapped, what was not and why -----------------------------------------------------


@dataclass
class Report:
    """What became of each key of the file: mapped (where to), mapped with something to check,
    not mapped (why), or a problem that stops the conversion."""

    source: Path
    mapped: list[tuple[int, str, str]] = field(default_factory=list)
    checks: list[tuple[int, str, str]] = field(default_factory=list)
    unmapped: list[tuple[int, str, str]] = field(default_factory=list)
    problems: list[tuple[int, str, str]] = field(default_factory=list)

    def stop_on_problems(self) -> None:
        if self.problems:
            lines = "\n".join(f"  {_at(line)}{path}: {text}" for line, path, text in self.problems)
            raise Failure(
                f"cannot convert {self.source} ({len(self.problems)} problem(s)); nothing was "
                f"written:\n{lines}"
            )

    def show(self) -> None:
        """The three lists, each in the file's order."""
        sections = (
            ("Mapped:", self.mapped, " -> ", None),
            ("Mapped, but check:", self.checks, ": ", "yellow"),
            ("Not mapped:", self.unmapped, ": ", "yellow"),
        )
        for title, rows, joint, color in sections:
            if not rows:
                continue
            click.secho(f"{title} ({len(rows)})", bold=True, fg=color)
            for line, path, text in sorted(rows, key=lambda row: row[0] or 0):
                click.echo(f"  {_at(line):<9}{path}{joint}{text}")

    def header_lines(self) -> str:
        """The keys not mapped as comment lines, for the header of the file written."""
        if not self.unmapped:
            return ""
        lines = [f"# Not carried over from {self.source.name} (key: why):"]
        for _line, path, reason in sorted(self.unmapped, key=lambda row: row[0] or 0):
            lines.append(f"#   {path}: {reason}")
        return "\n".join(lines) + "\n"


def _at(line: int | None) -> str:
    return f"line {line} " if line else ""


_MISSING = object()


class Block:
    """One YAML mapping being translated: the translator takes the keys it maps (noting where
    each went) and :meth:`rest` reports every key left with the reason it is not mapped."""

    def __init__(self, mapping: Mapping, report: Report, name: str | None = None):
        self.mapping = mapping
        self.report = report
        self.name = name or mapping.path  # the environment: application, dev, ...
        self.taken: set[str] = set()

    def __contains__(self, key: str) -> bool:
        return key in self.mapping

    def path(self, key: str | None = None) -> str:
        if key is None:
            return self.mapping.path
        return f"{self.mapping.path}.{key}" if self.mapping.path else key

    def line(self, key: str | None = None) -> int | None:
        return self.mapping.key_lines.get(key, self.mapping.line) if key else self.mapping.line

    def _row(self, key: str | None, text: str) -> tuple[int | None, str, str]:
        return (self.line(key), self.path(key), text)

    def mapped(self, key: str, target: str) -> None:
        self.report.mapped.append(self._row(key, target))

    def check(self, key: str, message: str) -> None:
        self.report.checks.append(self._row(key, message))

    def unmapped(self, key: str | None, reason: str) -> None:
        self.report.unmapped.append(self._row(key, reason))

    def problem(self, key: str | None, message: str) -> None:
        self.report.problems.append(self._row(key, message))

    # reading values: each marks its key as taken; a bad value is a problem, and None returned

    def raw(self, key: str, default=None):
        if key not in self.mapping:
            return default
        self.taken.add(key)
        return self.mapping[key]

    def text(self, key: str) -> str | None:
        """A scalar as text (numbers too); None when absent or null."""
        value = self.raw(key)
        if value is None:
            return None
        if isinstance(value, dict | list):
            self.problem(key, "must be a single value, not a list or mapping")
            return None
        text = str(value).lower() if isinstance(value, bool) else str(value)
        if "\n" in text:
            self.problem(key, "must be one line")
            return None
        return text

    def integer(self, key: str, minimum: int = 0, maximum: int | None = None) -> int | None:
        value = self.raw(key)
        if value is None:
            return None
        try:
            number = int(value) if not isinstance(value, bool | float) else None
        except (TypeError, ValueError):
            number = None
        if number is None or number < minimum or (maximum is not None and number > maximum):
            upper = f" and at most {maximum}" if maximum is not None else ""
            self.problem(key, f"must be a whole number of at least {minimum}{upper}")
            return None
        return number

    def flag(self, key: str) -> bool | None:
        value = self.raw(key)
        if value is None or isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in ("true", "yes", "on", "1"):
            return True
        if text in ("false", "no", "off", "0"):
            return False
        self.problem(key, "must be true or false")
        return None

    def block(self, key: str) -> Block | None:
        value = self.raw(key)
        if value is None:
            return None
        if not isinstance(value, Mapping):
            self.problem(key, "must be a mapping (keys indented under it)")
            return None
        return Block(value, self.report, self.name)

    def items(self, key: str) -> list:
        """A list; a single value counts as a list of one."""
        value = self.raw(key)
        if value is None:
            return []
        if isinstance(value, Sequence):
            return list(value)
        if isinstance(value, dict):
            self.problem(key, "must be a list")
            return []
        return [value]

    def rest(self, reasons: dict) -> None:
        """Reports every key not taken: ``reasons[key]`` is why (a dict: per key under it,
        ``"*"`` for the others), else it is a key this command does not know."""
        for key, value in self.mapping.items():
            if key in self.taken:
                continue
            self.taken.add(key)
            reason = reasons.get(key, UNKNOWN_REASON)
            if isinstance(reason, dict):
                if isinstance(value, Mapping):
                    inner = Block(value, self.report, self.name)
                    inner.rest({sub: reason.get(sub, reason["*"]) for sub in value})
                    continue
                reason = reason["*"]
            if isinstance(value, Mapping) and value:
                reason += f" (with its keys {', '.join(map(str, value))})"
            self.unmapped(key, reason)


def is_hidden(value) -> bool:
    """Whether ``value`` is the documentation's ``***``: a secret left out."""
    return isinstance(value, str) and bool(value) and set(value) == {"*"}


# --- the blocks: application and environments --------------------------------------------------


def blocks(document: Mapping, report: Report) -> list[Block]:
    """The blocks with settings: ``application`` first, then the environments in DTAP order.
    Left-out (``...``), empty and unknown blocks are reported; a file without a single block
    with settings is refused."""
    top = Block(document, report, "")
    found = []
    if APPLICATION in document:
        block = _settings_block(top, APPLICATION, top.raw(APPLICATION))
        found += [block] if block else []
    environments = top.raw("environments")
    if isinstance(environments, Mapping):
        holder = Block(environments, report, "")
        for name in sorted(environments, key=lambda n: (n not in ENVIRONMENTS, _order(n))):
            value = holder.raw(name)
            if name not in ENVIRONMENTS:
                holder.unmapped(name, "an environment must be dev, test, acc or prod")
                continue
            block = _settings_block(holder, name, value)
            found += [block] if block else []
    elif environments == LEFT_OUT:
        top.unmapped("environments", LEFT_OUT_REASON)
    elif environments is not None:
        top.problem("environments", "must be a mapping of dev, test, acc and/or prod blocks")
    elif "environments" in document:
        top.unmapped("environments", "an empty block: nothing to map")
    if APPLICATION not in document and "environments" not in document:
        hint = ""
        if {"organizations", "collaborations"} & document.keys():
            hint = " (it looks like a batch import file: `vserver import FILE`)"
        raise NotAConfiguration(
            f"{report.source} is not a vantage6 configuration{hint}: it has no `application:` "
            f"and no `environments:` block (its top-level keys: {', '.join(document) or 'none'})"
        )
    top.rest({})
    report.stop_on_problems()
    if not found:
        raise NotAConfiguration(
            f"{report.source} has no settings to convert: its application and environment "
            "blocks are empty or the documentation's '...'"
        )
    return found


def _order(name: str) -> int:
    return ENVIRONMENTS.index(name) if name in ENVIRONMENTS else 0


def _settings_block(holder: Block, name: str, value) -> Block | None:
    if isinstance(value, Mapping):
        if not value:
            holder.unmapped(name, "an empty block: nothing to map")
            return None
        return Block(value, holder.report, name)
    if value == LEFT_OUT:
        holder.unmapped(name, LEFT_OUT_REASON)
    elif value is None:
        holder.unmapped(name, "an empty block: nothing to map")
    else:
        holder.problem(name, "must be a mapping of settings")
    return None


def check_kind(
    found: list[Block], own: set[str], other: set[str], kind: str, other_command: str
) -> None:
    """Refuses the file of the other kind (a server's given to vnode, or the other way)."""
    keys = {key for block in found for key in block.mapping}
    if keys & other and not keys & own:
        raise NotAConfiguration(
            f"{found[0].report.source} looks like a {kind} configuration (it has "
            f"{', '.join(sorted(keys & other))}): use `{other_command} new --from-yaml`"
        )


def refuse_other_options(given: dict, questions, allowed: tuple[str, ...]) -> None:
    """``new --from-yaml`` takes its settings from the file: the wizard's other options and
    ``-e`` (the file's blocks are the environments) are refused."""
    flags = [
        question.flag
        for question in questions
        if question.key not in allowed and given.get(question.key) not in (None, ())
    ]
    context = click.get_current_context()
    if context.get_parameter_source("environment") is not click.core.ParameterSource.DEFAULT:
        flags.insert(0, "-e/--environment")
    if flags:
        raise click.UsageError(
            f"{', '.join(flags)} cannot be combined with --from-yaml: the file gives the "
            "settings, its application and environments blocks the environments"
        )


# --- values shared by node and server ----------------------------------------------------------


def foreign_windows_path(value: str) -> bool:
    """A Windows path (``D:\\data``, ``\\\\host\\share``) on a machine that is not Windows."""
    return os.name != "nt" and bool(_WINDOWS_PATH.match(value))


def local_path(value: str, base: Path) -> Path:
    """``value`` as an absolute path; a relative one starts at ``base`` (the YAML's folder)."""
    return (base / Path(value).expanduser()).resolve()
