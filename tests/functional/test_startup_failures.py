"""`pserve` refuses a start it cannot make with one line on stderr that names the setting and
what to do: no traceback, and a failing exit status."""

import os
import socket
import subprocess

import pytest

from tests.functional.test_serve import BIN, free_port, ini_copy

JWT = {"VANTAGE6_JWT_SECRET": "s" * 40}


def refusal(ini, env=None, pserve=BIN / "pserve") -> str:
    """pserve's one line on stderr, after checking that it failed and said nothing else."""
    done = subprocess.run(
        [pserve, ini],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **(env or {})},
    )
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith(f"vantage6 server not started ({ini}): ")
    return lines[0]


def test_a_bad_setting_is_named_with_its_value(tmp_path):
    ini = ini_copy(
        "development.ini", tmp_path, free_port(), **{"vantage6.argon2.time_cost": "fast"}
    )
    assert refusal(ini).endswith("vantage6.argon2.time_cost must be a whole number, not 'fast'")


# The seed's YAML keys as a user would guess them in the ini file (issue 19): refused, not
# silently ignored, with the setting that replaces each.
SEED_GUESSES = {
    "vantage6.jwt_secret_key": "vantage6.jwt_secret_key is not a setting of this server: the "
    "secret that signs tokens is vantage6.jwt.secret (or VANTAGE6_JWT_SECRET)",
    "vantage6.vpn_server.url": "vantage6.vpn_server.url is not a setting of this server: the "
    "original's VPN server (EduVPN) is not supported: the VPN between algorithms is WireGuard "
    "here, set with vantage6.vpn.subnet",
}


@pytest.mark.parametrize("key", SEED_GUESSES)
def test_an_unknown_setting_is_named_with_what_replaces_it(tmp_path, key):
    ini = ini_copy("development.ini", tmp_path, free_port(), **{key: "https://example.org"})
    assert SEED_GUESSES[key] in refusal(ini)


def test_vserver_start_refuses_an_unknown_setting_in_one_line(tmp_path):
    ini = ini_copy("development.ini", tmp_path, free_port(), **{"vantage6.jwt_secret_key": "x"})
    xdg = {name: str(tmp_path / name) for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME")}
    done = subprocess.run(
        [BIN / "vserver", "start", "--config", ini],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **xdg},
    )
    assert done.returncode == 1
    output = (done.stdout + done.stderr).strip()
    assert output == f"Error: {ini} [app:main]: {SEED_GUESSES['vantage6.jwt_secret_key']}"


@pytest.mark.parametrize(
    "key, value, reason",
    [
        ("listen", "127.0.0.1:http", "'http' is not a port number"),
        ("max_connections", "many", "it must be a whole number above 0"),
        ("shutdown_timeout", "-1", "it must be a number above 0"),
    ],
)
def test_a_bad_server_setting_is_named_with_its_value(tmp_path, key, value, reason):
    ini = ini_copy("production.ini", tmp_path, free_port(), **{key: value})
    assert refusal(ini).endswith(f"{key} = {value} in the server section: {reason}")


def test_an_unreachable_database_names_the_url_setting(tmp_path):
    down = f"postgresql+psycopg://vantage6:secret@127.0.0.1:{free_port()}/vantage6"
    ini = ini_copy("development.ini", tmp_path, free_port(), **{"sqlalchemy.url": down})
    line = refusal(ini)
    assert "cannot connect to the database postgresql+psycopg://vantage6:***@127.0.0.1" in line
    assert "sqlalchemy.url" in line and "secret" not in line


def test_a_port_in_use_names_the_listen_setting(tmp_path):
    port = free_port()
    ini = ini_copy("development.ini", tmp_path, port)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", port))
        taken.listen()
        line = refusal(ini)
    assert line.endswith(
        f"cannot listen on 127.0.0.1:{port}: it is in use; free that address, or change listen "
        "in the server section"
    )


@pytest.mark.parametrize("state, revision", [("outdated", "0001"), ("empty", None)])
def test_a_schema_to_migrate_says_how(tmp_path, database_factory, state, revision):
    url = database_factory.new_url()
    ini = ini_copy("production.ini", tmp_path, free_port(), **{"sqlalchemy.url": url})
    if revision:
        vserver = [BIN / "vserver", "db", "upgrade", revision, "--config", ini]
        subprocess.run(vserver, check=True, capture_output=True)
    line = refusal(ini, env=JWT)
    assert line.endswith(
        f"The database schema is {state}. Migrate it first with `vserver db upgrade --config "
        "<your ini file>` (or set vantage6.db.auto_migrate = true)."
    )
