"""``pshell`` for real: the console script on an ini file, statements piped in, both shells.

Each run starts from a fresh, empty database; ``pshell`` migrates and bootstraps it as the
development profile does, so the shell sees the first start's root organization.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.pool import NullPool

from vantage6.server.models import Organization

PSHELL = Path(sys.executable).with_name("pshell")
DEVELOPMENT_INI = Path(__file__).resolve().parents[2] / "development.ini"
TIMEOUT = 60  # seconds; a shell that hangs fails the test

STATEMENTS = [
    'org = db.Organization(name="IKNL", domain="iknl.nl")',
    "org.save()",
    'print("saved", db.Organization.get_by_name("IKNL").id, org.domain)',
    'db.Organization(name="IKNL").save()',
    "db.Organization(name=123)",
    'print("after", [o.name for o in db.Organization.get()])',
    'org.country = "Netherlands"',
    "commit()",
    'db.Organization(name="IKNL-2").save()',
    'session.add(db.Organization(name="never-saved"))',
    'print("pending", len(session.new))',
    "1 / 0",
    'print("end")',
]
EXPECTED_IN_ORDER = [
    "saved 2 iknl.nl",
    "SaveError: could not save Organization: name 'IKNL' is already in use",
    "ModelError: Organization.name must be text, not int 123",
    "after ['root', 'IKNL']",
    "pending 1",
    "ZeroDivisionError",
    "end",
]
SHELL_NAMES = {"db", "Scope", "Operation", "TaskStatus", "session", "commit", "rollback"}

_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_PROMPTS = re.compile(r"^(?:>>> |\.\.\. |In \[\d+\]: )*")


@pytest.fixture
def shell_ini(tmp_path, database_factory):
    """development.ini on a fresh database, with the cheapest argon2; returns (ini, url)."""
    url = database_factory.new_url()
    fast = (
        "vantage6.argon2.time_cost = 1\n"
        "vantage6.argon2.memory_cost = 8\n"
        "vantage6.argon2.parallelism = 1\n"
    )
    line = "sqlalchemy.url = " + url.replace("%", "%%") + "\n" + fast
    text, replaced = re.subn(
        r"^sqlalchemy\.url = .*\n", lambda _: line, DEVELOPMENT_INI.read_text(), flags=re.M
    )
    assert replaced == 1
    ini = tmp_path / "shell.ini"
    ini.write_text(text)
    return ini, url


def run_pshell(ini: Path, shell: str, statements: list[str]) -> list[str]:
    """Pipe ``statements`` into ``pshell -p shell``; the output lines, without prompts or colour."""
    env = {
        **os.environ,
        "PYTHONUNBUFFERED": "1",  # keep stdout and stderr in the order they were written
        "IPYTHONDIR": str(ini.parent / "ipython"),  # no history or profile in the user's home
    }
    result = subprocess.run(
        [str(PSHELL), "-p", shell, str(ini)],
        input="\n".join(statements) + "\n",
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
        cwd=ini.parent,
        timeout=TIMEOUT,
    )
    output = _ANSI.sub("", result.stdout)
    assert result.returncode == 0, output
    return [_PROMPTS.sub("", line) for line in output.splitlines()]


def banner_names(lines: list[str]) -> set[str]:
    """The names pshell's help banner lists under "Environment:"."""
    start = lines.index("Environment:") + 1
    end = lines.index("", start)
    return {line.split()[0] for line in lines[start:end]}


def stored_organizations(url: str) -> dict[str, str | None]:
    """Name -> country of every organization, read with a connection of our own."""
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            rows = connection.execute(select(Organization.name, Organization.country))
            return {name: country for name, country in rows}
    finally:
        engine.dispose()


@pytest.mark.parametrize("shell", ["python", "ipython"])
def test_pshell_session(shell_ini, shell):
    ini, url = shell_ini
    lines = run_pshell(ini, shell, STATEMENTS)
    output = "\n".join(lines)

    assert SHELL_NAMES <= banner_names(lines), output
    # Model errors are one whole line, without a traceback; other errors keep theirs.
    for error in ("SaveError", "ModelError"):
        assert [line for line in lines if error in line] == [
            expected for expected in EXPECTED_IN_ORDER if expected.startswith(error)
        ], output
    assert output.count("Traceback") == 1 and "ZeroDivisionError" in output, output
    # The shell went on after each error.
    position = 0
    for expected in EXPECTED_IN_ORDER:
        found = [i for i, line in enumerate(lines[position:], position) if expected in line]
        assert found, f"{expected!r} missing (or out of order) in:\n{output}"
        position = found[0] + 1

    # save() and commit() stored their changes; what was only added is rolled back at exit.
    assert stored_organizations(url) == {"root": None, "IKNL": "Netherlands", "IKNL-2": None}
