"""Real processes: `pserve development.ini` (README command 1) and the production start-up path
with `vserver db upgrade`."""

import json
import os
import re
import stat
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from tests.ports import free_port
from tests.support import FAST_ARGON2, POSTGRES_URL
from vantage6.server.migrate import head_revision

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def ini_copy(source: str, directory: Path, port: int, **settings) -> Path:
    """The repository's ini file with another port and (optionally) settings replaced."""
    text = (REPO / source).read_text()
    text = re.sub(r"^listen = .*$", f"listen = 127.0.0.1:{port}", text, flags=re.M)
    for key, value in {**FAST_ARGON2, **settings}.items():
        pattern = rf"^{re.escape(key)} = .*$"
        line = f"{key} = {value}"
        text = (
            re.sub(pattern, line, text, flags=re.M)
            if re.search(pattern, text, re.M)
            else text.replace(
                "[app:main]\nuse = egg:vantage6\n", f"[app:main]\nuse = egg:vantage6\n{line}\n"
            )
        )
    path = directory / source
    path.write_text(text)
    return path


def get_json(url: str):
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.status, json.load(response)


def wait_for(url: str, process: subprocess.Popen, seconds: float = 30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"server exited early:\n{process.stdout.read()}")
        try:
            return get_json(url)
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.2)
    pytest.fail(f"{url} did not answer within {seconds}s")


@pytest.fixture
def run(tmp_path):
    processes = []

    def start(*args, env=None):
        process = subprocess.Popen(
            [str(BIN / args[0]), *map(str, args[1:])],
            cwd=tmp_path,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env={**os.environ, **(env or {})},
        )
        processes.append(process)
        return process

    yield start
    for process in processes:
        process.terminate()
        process.wait(timeout=10)


@pytest.mark.skipif(bool(POSTGRES_URL), reason="development.ini is the SQLite profile")
def test_pserve_development_ini_creates_its_database_and_serves_health(tmp_path, run):
    port = free_port()
    ini = ini_copy("development.ini", tmp_path, port)  # in a folder without var/, as a clone
    server = run("pserve", ini)
    status, body = wait_for(f"http://127.0.0.1:{port}/api/health", server)
    assert (status, body) == (200, {"status": "ok", "database": True})
    assert (tmp_path / "var" / "vantage6.sqlite").exists()


def test_production_needs_an_explicit_migration_then_starts(tmp_path, run, database_factory):
    url = database_factory.new_url()
    port = free_port()
    ini = ini_copy("production.ini", tmp_path, port, **{"sqlalchemy.url": url})
    env = {"VANTAGE6_ROOT_PASSWORD": "Initial-Root-1", "VANTAGE6_JWT_SECRET": "s" * 40}

    refused = run("pserve", ini, env=env)
    output, _ = refused.communicate(timeout=60)
    assert refused.returncode != 0
    assert "vserver db upgrade --config" in output

    current = subprocess.run(
        [BIN / "vserver", "db", "current", "--config", ini], capture_output=True, text=True
    )
    assert "none (empty" in current.stdout

    upgraded = subprocess.run(
        [BIN / "vserver", "db", "upgrade", "--config", ini], capture_output=True, text=True
    )
    assert upgraded.returncode == 0, upgraded.stderr
    assert f"Database schema is at {head_revision()}" in upgraded.stdout

    server = run("pserve", ini, env=env)
    status, body = wait_for(f"http://127.0.0.1:{port}/api/health", server)
    assert status == 200 and body["database"] is True


def test_production_writes_roots_random_password_to_a_private_file(tmp_path, run, database_factory):
    url = database_factory.new_url()
    port = free_port()
    ini = ini_copy("production.ini", tmp_path, port, **{"sqlalchemy.url": url})
    subprocess.run([BIN / "vserver", "db", "upgrade", "--config", ini], check=True)
    server = run("pserve", ini, env={"VANTAGE6_JWT_SECRET": "s" * 40})
    wait_for(f"http://127.0.0.1:{port}/api/health", server)
    # Beside the database file (SQLite), or beside the ini file (PostgreSQL).
    database = make_url(url).database
    beside = tmp_path / database if POSTGRES_URL else Path(database)
    password_file = beside.with_name(beside.name + ".root-password")
    assert stat.S_IMODE(password_file.stat().st_mode) == 0o600
    password = password_file.read_text().strip()
    login = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/token/user",
        data=json.dumps({"username": "root", "password": password}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(login, timeout=5) as response:
        assert "access_token" in json.load(response)
    server.terminate()
    output, _ = server.communicate(timeout=30)
    assert f"written to {password_file} " in output
    assert password not in output


def test_vserver_db_downgrade_to_base_empties_the_schema(tmp_path, database_factory):
    ini = ini_copy(
        "production.ini", tmp_path, free_port(), **{"sqlalchemy.url": database_factory.new_url()}
    )
    vserver = [str(BIN / "vserver"), "db"]
    subprocess.run([*vserver, "upgrade", "--config", ini], check=True, capture_output=True)
    done = subprocess.run(
        [*vserver, "downgrade", "base", "--config", ini], capture_output=True, text=True
    )
    assert done.returncode == 0 and "base (empty)" in done.stdout
    current = subprocess.run([*vserver, "current", "--config", ini], capture_output=True, text=True)
    assert current.stdout.startswith("none")
