"""The logging of a vantage6 4.x YAML configuration, as the ini file's logging sections: one
for all environments, the vantage6 logger's level, the handlers' rotation and format, and the
log file (``vnode new --from-yaml`` and ``vserver new --from-yaml``)."""

from __future__ import annotations

import logging
import ntpath
from dataclasses import dataclass, field
from pathlib import Path

from vantage6.common.wizard import LOG_LEVELS, LogSettings
from vantage6.common.yaml_config import Block, foreign_windows_path


@dataclass
class LoggingChoice:
    """The logging of the ini file: the level of the vantage6 logger, and the rest."""

    level: str | None = None
    settings: LogSettings = field(default_factory=LogSettings)


def logging_of(found: list[Block], log_folder: Path) -> LoggingChoice:
    """The ini file has one logging for all its environments: the first block's ``logging``
    is mapped; another block's is mapped when it is the same, and reported otherwise."""
    chosen, first = LoggingChoice(), None
    for block in found:
        if "logging" not in block:
            continue
        if first is None:
            first = block
            inner = block.block("logging")
            if inner is not None:
                chosen = _logging(inner, log_folder)
            continue
        same = block.mapping["logging"] == first.mapping["logging"]
        block.raw("logging")
        if same:
            block.mapped("logging", f"the same as {first.path('logging')}")
        else:
            block.unmapped(
                "logging",
                f"the ini file has one logging for all environments: {first.path('logging')} "
                "is the one written",
            )
    return chosen


def _logging(block: Block, log_folder: Path) -> LoggingChoice:
    choice = LoggingChoice()
    level = block.text("level")
    if level is not None:
        name = {"WARN": "WARNING"}.get(level.upper(), level.upper())
        if name == "NOTSET":
            choice.level = "DEBUG"
            block.check("level", "NOTSET (everything) is written as DEBUG, the lowest level")
        elif name in LOG_LEVELS:
            choice.level = name
            block.mapped("level", "[logger_vantage6] level")
        else:
            block.problem("level", f"must be one of {', '.join((*LOG_LEVELS, 'NOTSET'))}")
    settings: dict = {}
    max_size = block.integer("max_size")
    if max_size is not None:
        settings["max_bytes"] = max_size * 1024
        block.mapped("max_size", f"maxBytes = {max_size * 1024} of the log handlers (kB x 1024)")
    backup_count = block.integer("backup_count")
    if backup_count is not None:
        settings["backup_count"] = backup_count
        block.mapped("backup_count", "backupCount of the log handlers")
    for key in ("format", "datefmt"):
        value = block.text(key)
        if value is None:
            continue
        try:
            logging.Formatter(value if key == "format" else None)  # checks the % fields
        except ValueError as exc:
            block.problem(key, f"is not a logging format: {exc}")
            continue
        settings[key] = value
        block.mapped(key, f"[formatter_generic] {key}")
    use_console = block.flag("use_console")
    file = block.text("file")
    if file:
        settings["file"] = str(_log_file(block, file, log_folder))
    if use_console is False and not file:
        block.check(
            "use_console",
            "false without a file would log nowhere: the log handler (terminal in the "
            "foreground, the log file `files` shows in the background) is kept",
        )
    elif use_console is False:
        settings["service_log"] = False
        block.mapped(
            "use_console",
            "no [handler_log]: records go only to the file (`attach` shows only other output)",
        )
    elif use_console:
        block.mapped(
            "use_console",
            "[handler_log]: the terminal in the foreground, the log file `files` shows in the "
            "background",
        )
    block.rest(
        {
            "loggers": "levels per library: add [logger_<name>] sections to the ini by hand",
        }
    )
    choice.settings = LogSettings(**settings)
    return choice


def _log_file(block: Block, file: str, log_folder: Path) -> Path:
    """The log file: a name alone, or a Windows path here, goes in the instance's data folder."""
    if foreign_windows_path(file):
        path = log_folder / ntpath.basename(file)
        block.check("file", f"a Windows path: [handler_file] writes {path} instead")
        return path
    path = Path(file).expanduser()
    if not path.is_absolute():
        path = log_folder / path
        block.mapped("file", f"[handler_file] {path} (in the data folder; rotated)")
        return path
    if not path.parent.is_dir():
        block.check("file", f"[handler_file] {path}: its folder does not exist yet; create it")
    else:
        block.mapped("file", f"[handler_file] {path} (rotated)")
    return path
