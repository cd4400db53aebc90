"""vantage6.common.yaml_config: reading the documentation's YAML configurations (its ``***``
and ``...`` included), the report of what became of each key, and the logging block as the
ini's logging sections."""

from __future__ import annotations

from pathlib import Path

import pytest

from vantage6.common.wizard import LogSettings, render_log_handlers
from vantage6.common.yaml_config import (
    Block,
    NotAConfiguration,
    Report,
    blocks,
    foreign_windows_path,
    is_hidden,
    read_yaml,
)
from vantage6.common.yaml_logging import logging_of


def load(tmp_path: Path, text: str):
    path = tmp_path / "config.yaml"
    path.write_text(text)
    report = Report(path)
    return read_yaml(path), report


def test_asterisks_alone_are_the_documentation_s_hidden_secret(tmp_path):
    document, _ = load(
        tmp_path,
        "application:\n"
        "  api_key: ***   # yours\n"
        "  quoted: '***'\n"
        "  base: &base x\n"
        "  alias: *base\n"
        "  registries:\n"
        "    - password: ****\n",
    )
    application = document["application"]
    assert application["api_key"] == "***" and is_hidden(application["api_key"])
    assert application["quoted"] == "***"
    assert application["alias"] == "x"  # a real alias is left alone
    assert application["registries"][0]["password"] == "****"
    assert not is_hidden("") and not is_hidden("a***")


def test_lines_and_dotted_paths_are_known(tmp_path):
    document, report = load(tmp_path, "application:\n  logging:\n    level: INFO\n    x: 1\n")
    logging_block = Block(document["application"]["logging"], report)
    assert logging_block.path("x") == "application.logging.x" and logging_block.line("x") == 4


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a: [1\n", "is not valid YAML (line 2: "),
        ("a: 1\na: 2\n", "is not valid YAML (line 2: duplicate key 'a')"),
        ("just text\n", "is not a vantage6 configuration: it must be a YAML mapping"),
        ("", "is not a vantage6 configuration: it must be a YAML mapping"),
    ],
)
def test_what_is_no_yaml_mapping_is_refused(tmp_path, text, message):
    path = tmp_path / "x.yaml"
    path.write_text(text)
    with pytest.raises(NotAConfiguration) as refused:
        read_yaml(path)
    assert message in refused.value.message


def test_blocks_come_in_dtap_order_and_the_rest_is_reported(tmp_path):
    document, report = load(
        tmp_path,
        "application:\n  ...\n"
        "environments:\n  prod:\n    port: 1\n  staging:\n    port: 2\n  dev:\n    port: 3\n"
        "  acc:\n"
        "extra: 1\n",
    )
    found = blocks(document, report)
    assert [block.name for block in found] == ["dev", "prod"]
    assert [(path, reason.split(":")[0]) for _, path, reason in report.unmapped] == [
        ("application", "the documentation's '...' for settings it leaves out"),
        ("environments.acc", "an empty block"),
        ("environments.staging", "an environment must be dev, test, acc or prod"),
        ("extra", "not a key of the vantage6 configuration this command knows"),
    ]


def test_a_block_that_is_no_mapping_is_a_problem(tmp_path):
    document, report = load(tmp_path, "application: 5\nenvironments: [dev]\n")
    with pytest.raises(Exception, match="2 problem"):
        blocks(document, report)


def test_keys_left_are_reported_with_their_reason(tmp_path):
    document, report = load(
        tmp_path, "application:\n  images:\n    node: a\n    squid: b\n  vpn:\n    url: u\n"
    )
    block = Block(document["application"], report)
    block.rest({"images": {"node": "no node image", "*": "no helpers"}, "vpn": "no VPN"})
    assert report.unmapped == [
        (3, "application.images.node", "no node image"),
        (4, "application.images.squid", "no helpers"),
        (5, "application.vpn", "no VPN (with its keys url)"),
    ]
    assert report.header_lines().splitlines()[1] == "#   application.images.node: no node image"


def test_logging_becomes_the_ini_s_logging(tmp_path):
    document, report = load(
        tmp_path,
        "application:\n  logging:\n    level: notset\n    file: v6.log\n    use_console: false\n"
        "    backup_count: 2\n    max_size: 0\n    loggers: []\n",
    )
    found = blocks(document, report)
    choice = logging_of(found, tmp_path / "data")
    assert choice.level == "DEBUG"
    assert choice.settings == LogSettings(
        max_bytes=0, backup_count=2, service_log=False, file=str(tmp_path / "data" / "v6.log")
    )
    assert [path for _, path, _ in report.checks] == ["application.logging.level"]
    assert [path for _, path, _ in report.unmapped] == ["application.logging.loggers"]


def test_logging_to_nowhere_keeps_the_service_log_and_windows_files_move(tmp_path):
    document, report = load(
        tmp_path,
        "application:\n  logging:\n    level: warn\n    use_console: no\n"
        "environments:\n  test:\n    logging:\n      file: C:\\logs\\node.log\n",
    )
    found = blocks(document, report)
    choice = logging_of(found, tmp_path)
    assert choice.level == "WARNING" and choice.settings == LogSettings()
    assert "would log nowhere" in report.checks[0][2]
    assert report.unmapped[0][1:] == (
        "environments.test.logging",
        "the ini file has one logging for all environments: application.logging is the one written",
    )
    if foreign_windows_path("C:\\logs\\node.log"):
        document, report = load(tmp_path, "application:\n  logging:\n    file: C:\\l\\n.log\n")
        choice = logging_of(blocks(document, report), tmp_path)
        assert choice.settings.file == str(tmp_path / "n.log")


def test_a_bad_level_or_format_is_a_problem(tmp_path):
    document, report = load(
        tmp_path, "application:\n  logging:\n    level: LOUD\n    format: no fields\n"
    )
    logging_of(blocks(document, report), tmp_path)
    assert [path for _, path, _ in report.problems] == [
        "application.logging.level",
        "application.logging.format",
    ]


def test_the_wizards_log_sections_are_unchanged_by_default_and_take_a_file():
    assert render_log_handlers(LogSettings(), "%(message)s", "%H") == (
        "[handler_log]\nclass = vantage6.common.logfile.ServiceLog\n"
        "kwargs = {'maxBytes': 10485760, 'backupCount': 5}\nformatter = generic\n\n"
        "[formatter_generic]\nformat = %(message)s\ndatefmt = %H\n"
    )
    log = LogSettings(max_bytes=1024, backup_count=1, service_log=False, file="/var/100%/v.log")
    assert log.handlers == "file"
    assert render_log_handlers(log, "%(message)s", handler_level=True) == (
        "[handler_file]\nclass = handlers.RotatingFileHandler\n"
        "args = ('/var/100%%/v.log', 'a', 1024, 1, 'utf-8')\nlevel = NOTSET\nformatter = generic"
        "\n\n[formatter_generic]\nformat = %(message)s\n"
    )
