"""A new user's first run, on a fresh clone: the package builds without warnings into a wheel
holding the files the server opens by path, and that wheel, installed without extras (so
without psycopg), serves `pserve development.ini` from a folder that has no var/ yet.

Slow: the wheel and a new virtualenv are built once for the module (about half a minute);
``-m "not slow"`` leaves these tests out.
"""

import re
import shutil
import subprocess
import sys
import urllib.parse
import urllib.request
import zipfile
from pathlib import Path

import pytest

from tests.functional.test_serve import REPO, free_port, ini_copy, run, wait_for  # noqa: F401
from tests.functional.test_startup_failures import refusal
from tests.support import POSTGRES_URL

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(bool(POSTGRES_URL), reason="needs no database: runs in the SQLite pass"),
]

SRC = REPO / "src"
WARNING = re.compile(r"\b\w+Warning\b.*")  # as Python prints one: UserWarning: ...


@pytest.fixture(scope="module")
def fresh_clone(tmp_path_factory) -> Path:
    """The repository's files as a clone has them: tracked, or new and not ignored."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    clone = tmp_path_factory.mktemp("clone")
    for name in filter(None, listed.split("\0")):
        if (REPO / name).is_file():  # not deleted in the working tree
            (clone / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / name, clone / name)
    return clone


@pytest.fixture(scope="module")
def build(fresh_clone, tmp_path_factory) -> tuple[Path, str]:
    """The wheel built from the clone, and all the build printed (``-v``: the backend's too)."""
    folder = tmp_path_factory.mktemp("wheel")
    done = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-v", "--no-deps", "-w", folder, fresh_clone],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    (wheel,) = folder.glob("vantage6-*.whl")
    return wheel, done.stdout + done.stderr


@pytest.fixture(scope="module")
def venv_bin(build, tmp_path_factory) -> Path:
    """The bin folder of a new virtualenv with the wheel installed, without extras."""
    home = tmp_path_factory.mktemp("venv")
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", home], check=True)
    install = ["install", "--quiet", "--no-compile", build[0]]
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", home / "bin" / "python", *install],
        check=True,
        capture_output=True,
        timeout=600,
    )
    return home / "bin"


def test_the_build_warns_of_nothing(build):
    _, output = build
    assert "running build_py" in output  # the backend's output is there to be read
    assert WARNING.findall(output) == []


def test_the_wheel_holds_the_migrations_and_the_data_files(build):
    by_path = [  # read from their files by Alembic and the demo, not imported
        *(SRC / "vantage6" / "server" / "migrations" / "versions").glob("*.py"),
        SRC / "vantage6" / "server" / "migrations" / "script.py.mako",
        *(SRC / "vantage6" / "dev" / "data").glob("*.csv"),
        # the web UI, served from the package
        SRC / "vantage6" / "server" / "ui" / "index.html",
        *(SRC / "vantage6" / "server" / "ui" / "static").rglob("*.*"),
    ]
    wanted = {path.relative_to(SRC).as_posix() for path in by_path}
    assert len(wanted) >= 4
    assert wanted - set(zipfile.ZipFile(build[0]).namelist()) == set()


def test_pserve_development_ini_serves_without_extras_nor_var(venv_bin, tmp_path, run):  # noqa: F811
    no_psycopg = subprocess.run([venv_bin / "python", "-c", "import psycopg"], capture_output=True)
    assert no_psycopg.returncode != 0
    port = free_port()
    ini = ini_copy("development.ini", tmp_path, port)
    server = run(venv_bin / "pserve", ini)
    base = f"http://127.0.0.1:{port}"
    assert wait_for(f"{base}/api/health", server) == (200, {"status": "ok", "database": True})
    assert (tmp_path / "var" / "vantage6.sqlite").is_file()
    # Swagger UI's files come from a dependency's package data.
    with urllib.request.urlopen(f"{base}/apidocs", timeout=5) as page:
        css = re.search(r'href="([^"]+swagger-ui\.css)"', page.read().decode())[1]
    with urllib.request.urlopen(base + css if css.startswith("/") else css, timeout=5) as asset:
        assert asset.status == 200 and b"swagger-ui" in asset.read()
    # The web UI's page and its first module come from the installed package.
    with urllib.request.urlopen(f"{base}/", timeout=5) as page:
        script = re.search(r'src="([^"]+main\.js)"', page.read().decode())[1]
    with urllib.request.urlopen(urllib.parse.urljoin(f"{base}/", script), timeout=5) as module:
        assert module.status == 200 and "javascript" in module.headers["Content-Type"]
    server.terminate()
    assert WARNING.findall(server.communicate(timeout=30)[0]) == []


def test_a_postgresql_url_without_its_driver_names_the_extra(venv_bin, tmp_path):
    ini = ini_copy("development.ini", tmp_path, free_port())
    url = f"postgresql+psycopg://vantage6@127.0.0.1:{free_port()}/vantage6"
    line = refusal(ini, env={"VANTAGE6_DATABASE_URL": url}, pserve=venv_bin / "pserve")
    assert line.endswith(
        "sqlalchemy.url is a PostgreSQL database, but its driver psycopg is not installed: "
        "pip install 'vantage6[postgresql]'"
    )
