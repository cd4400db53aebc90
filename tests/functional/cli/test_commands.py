"""``vserver`` commands that need no running server: import, db, files, list, help, and how
configuration errors and wrong usage are reported (exit 1 and 2)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

from tests.functional.cli.helpers import SEED_IMPORT
from tests.functional.test_serve import free_port, ini_copy
from vantage6.server import importer, migrate
from vantage6.server.cli import cli
from vantage6.server.models import Node, Organization, User


@pytest.fixture
def ini(tmp_path, database_factory):
    """development.ini on a fresh database; returns (path, url)."""
    url = database_factory.new_url()
    return ini_copy("development.ini", tmp_path, free_port(), **{"sqlalchemy.url": url}), url


def count(url: str, model) -> int:
    engine = create_engine(url, poolclass=NullPool)
    with Session(engine) as session:
        return session.scalar(select(func.count(model.id)))


def test_every_command_has_help_with_examples(vserver):
    commands = [name for name in cli.commands if name != "db"]
    commands += [f"db {name}" for name in cli.commands["db"].commands]
    for command in commands:
        result = vserver(*command.split(), "--help")
        assert result.exit_code == 0, command
        assert "Example" in result.output, command
    assert vserver("--version").output.startswith("vserver, version ")


def test_import_of_the_seed_file_then_again_then_a_dry_run(vserver, ini):
    path, url = ini
    first = vserver("import", "--config", path, SEED_IMPORT)
    assert first.exit_code == 0, first.output
    assert "  organization IKNL: created" in first.output
    assert "    user frank@iknl.nl: created (roles: Researcher (the default))" in first.output
    assert "      node IKNL - ZEPPELIN Node: created" in first.output
    assert (
        "Created 3 organizations, 6 users, 3 collaborations, 7 memberships, 7 nodes, "
        "4 example tasks; 0 already existed." in first.output
    )
    assert "6 user(s) have passwords the API would refuse as weak" in first.output
    assert RIGHTS.format(count=6, verb="got") in first.output.splitlines()
    assert count(url, User) == 7 and count(url, Node) == 7  # and root

    again = vserver("import", "--config", path, SEED_IMPORT)
    assert again.exit_code == 0
    assert "  organization IKNL: exists" in again.output
    assert "Created nothing; 30 already existed." in again.output
    assert "without `roles:`" not in again.output  # nobody got any rights this time
    assert count(url, User) == 7

    dry = vserver("import", "--config", path, SEED_IMPORT, "--dry-run")
    assert dry.exit_code == 0 and "Dry run: nothing was written." in dry.output


RIGHTS = (
    "{count} user(s) without `roles:` {verb} the Researcher role, not superuser as in the "
    "original vantage6; give a user `roles: [...]` (e.g. `roles: [Organization Admin]`) for "
    "other rights"
)


def test_import_says_which_rights_users_get_where_the_documentation_says_superuser(
    vserver, ini, tmp_path
):
    """The seed: "All users that are imported using vserver import receive the superuser
    role". Ours get the Researcher role unless their entry has ``roles:``, and both the help
    and the output say so."""
    assert importer.DEFAULT_ROLES == ("Researcher",)  # what the texts below name
    helped = " ".join(vserver("import", "--help").output.split())
    assert (
        "Rights: a user without `roles:` gets the Researcher role, not the superuser rights "
        "the original vantage6 gave every imported user. For other rights give the user "
        "`roles:`, e.g. `roles: [Organization Admin]`" in helped
    )
    path, url = ini
    mixed = tmp_path / "mixed.yaml"
    mixed.write_text(
        "organizations:\n  - name: Mixed\n    users:\n"
        "      - {username: plain, password: x}\n"
        "      - {username: boss, password: x, roles: [Organization Admin]}\n"
    )
    dry = vserver("import", "--config", path, mixed, "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert RIGHTS.format(count=1, verb="would get") in dry.output.splitlines()
    done = vserver("import", "--config", path, mixed)
    assert done.exit_code == 0, done.output
    assert RIGHTS.format(count=1, verb="got") in done.output.splitlines()
    assert "    user boss: created (roles: Organization Admin)" in done.output

    given = tmp_path / "given.yaml"
    given.write_text(
        "organizations:\n  - name: Given\n    users:\n"
        "      - {username: admin2, password: x, roles: [Organization Admin]}\n"
    )
    quiet = vserver("import", "--config", path, given)
    assert quiet.exit_code == 0 and "without `roles:`" not in quiet.output


def test_a_broken_file_names_each_problem_and_writes_nothing(vserver, ini, tmp_path):
    path, url = ini
    broken = tmp_path / "broken.yaml"
    text = SEED_IMPORT.read_text()
    text = text.replace("zipcode:    3511DT", "zipcode:    3511DT\n    colour: blue", 1)
    text = text.replace("123e4567-e89b-12d3-a456-426614174007", "not-a-key")
    broken.write_text(text)
    result = vserver("import", "--config", path, broken)
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0] == f"Error: {broken} cannot be imported:"
    assert re.fullmatch(r"  line \d+: organizations\[0\]\.colour: unknown field .*", lines[1])
    assert re.fullmatch(
        r"  line \d+: collaborations\[2\]\.participants\[1\]\.api_key: must be a UUID .*", lines[2]
    )
    assert lines[3] == "Error: nothing was written"
    engine = create_engine(url, poolclass=NullPool)
    assert migrate.schema_state(engine) is migrate.SchemaState.EMPTY  # not even the schema


def test_a_conflict_found_in_the_database_rolls_everything_back(vserver, ini, tmp_path):
    path, url = ini
    vserver("import", "--config", path, SEED_IMPORT)
    moved = tmp_path / "moved.yaml"
    moved.write_text(
        "organizations:\n  - name: New\n    users:\n      - {username: stan, password: x}\n"
    )
    result = vserver("import", "--config", path, moved)
    assert result.exit_code == 1
    assert (
        "line 4: organizations[0].users[0].username: user 'stan' already exists in "
        "organization 'Small Organization'" in result.output
    )
    assert "organization New: created" in result.output  # reported, then rolled back
    assert count(url, Organization) == 4


def test_drop_all_is_refused_unless_the_configuration_allows_it(vserver, ini):
    path, _ = ini
    result = vserver("import", "--config", path, SEED_IMPORT, "--drop-all", "--yes")
    assert result.exit_code == 1
    assert f"set vantage6.allow_drop_all = true in {path} [app:main]" in result.output


def test_drop_all_asks_first_and_yes_skips_the_question(vserver, tmp_path, database_factory):
    url = database_factory.new_url()
    path = ini_copy(
        "development.ini",
        tmp_path,
        free_port(),
        **{"sqlalchemy.url": url, "vantage6.allow_drop_all": "true"},
    )
    assert vserver("import", "--config", path, SEED_IMPORT).exit_code == 0
    small = tmp_path / "small.yaml"
    small.write_text("organizations:\n  - name: Only\n")

    declined = vserver("import", "--config", path, small, "--drop-all", input="n\n")
    assert declined.exit_code == 1
    assert "--drop-all deletes ALL data in " in declined.output
    assert count(url, Organization) == 4

    done = vserver("import", "--config", path, small, "--drop-all", "--yes")
    assert done.exit_code == 0, done.output
    assert count(url, Organization) == 2  # root (made anew) and Only


def test_db_commands_find_the_server_by_name(vserver, server_config):
    name, _ = server_config("migrating")
    current = vserver("db", "current", "--name", name)
    assert current.exit_code == 0 and current.output.startswith("none (empty;")
    upgraded = vserver("db", "upgrade", "--name", name)
    assert (
        upgraded.exit_code == 0
        and f"Database schema is at {migrate.head_revision()}" in upgraded.output
    )
    down = vserver("db", "downgrade", "base", "--name", name, "--user")
    assert "Database schema is at base (empty)" in down.output


def test_files_and_list_without_running_servers(vserver, server_config, dirs):
    name, port = server_config("demo")
    files = vserver("files", "--name", name)
    assert files.exit_code == 0
    config = Path(dirs["XDG_CONFIG_HOME"]) / "vantage6" / "server" / "demo.ini"
    data = Path(dirs["XDG_DATA_HOME"]) / "vantage6" / "server" / "demo"
    assert re.search(rf"configuration\s+{config}\n", files.output)
    assert re.search(rf"log file\s+{data}/demo.log\n", files.output)
    assert re.search(rf"pid file\s+{data}/demo.pid\n", files.output)
    assert re.search(r"database\s+\S+", files.output)

    listed = vserver("list")
    assert listed.output.splitlines()[1].split() == [
        "demo",
        "application",
        "user",
        "stopped",
        f"http://127.0.0.1:{port}/api",
    ]


def test_an_ini_file_anywhere_with_config(vserver, ini):
    path, _ = ini
    files = vserver("files", "--config", path)
    assert files.exit_code == 0
    assert "given with --config" in files.output
    assert re.search(r"data folder\s+\S+/vantage6/server/development-[0-9a-f]{8}\n", files.output)


def test_configuration_errors_name_the_file_section_and_setting(vserver, ini):
    path, _ = ini
    text = path.read_text().replace("vantage6.profile = development", "vantage6.profile = beta")
    path.write_text(text)
    result = vserver("start", "--config", path)
    assert result.exit_code == 1
    assert result.output.startswith(
        f"Error: {path} [app:main]: vantage6.profile must be one of development, production, "
        "not 'beta'"
    )
    missing = vserver("files", "--config", path, "-e", "acc")
    assert missing.exit_code == 1
    assert f"{path} has no [app:acc] section for environment 'acc'" in missing.output
    assert "(environments in it: application)" in missing.output
    path.write_text("not an ini file")
    assert "is not a valid ini file" in vserver("files", "--config", path).output


def test_finding_a_server(vserver, server_config):
    nothing = vserver("start")
    assert nothing.exit_code == 1
    assert "no server configuration in" in nothing.output and "vserver new" in nothing.output
    assert "no server configuration named 'nope'" in vserver("files", "--name", "nope").output
    server_config("one")
    only = vserver("files")  # the only one there is
    assert only.exit_code == 0 and "one.ini" in only.output
    server_config("two")
    several = vserver("files")
    assert several.exit_code == 2
    assert "there are several servers (one, two): pick one with --name" in several.output


def test_wrong_usage_exits_with_2(vserver, ini):
    path, _ = ini
    assert vserver("files", "--name", "x", "--config", path).exit_code == 2
    assert vserver("stop", "--all", "--name", "x").exit_code == 2
    assert vserver("import", "--config", path, "missing.yaml").exit_code == 2
    assert vserver("frobnicate").exit_code == 2
    assert vserver("start", "-e", "staging").exit_code == 2
