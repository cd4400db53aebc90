"""The database of sqlalchemy.url: its SQLite folder made, and a database the server cannot
open refused in words naming the setting and what to do."""

import sys

import pytest
from sqlalchemy import create_engine

from vantage6.server.database_url import (
    DatabaseUnusable,
    check_connection,
    create_sqlite_folder,
    installed_driver,
)
from vantage6.server.db import get_engine


def test_the_folder_of_an_sqlite_database_is_created(tmp_path):
    database = tmp_path / "var" / "deeper" / "v6.sqlite"
    engine = get_engine({"sqlalchemy.url": f"sqlite:///{database}"})
    check_connection(engine)
    engine.dispose()
    assert database.is_file()


def test_a_folder_that_cannot_be_made_is_refused(tmp_path):
    (tmp_path / "var").write_text("a file where the folder should be")
    with pytest.raises(DatabaseUnusable) as refused:
        create_sqlite_folder(f"sqlite:///{tmp_path}/var/v6.sqlite")
    assert str(refused.value).startswith(
        f"cannot create the folder {tmp_path}/var of the SQLite database in sqlalchemy.url: "
    )


def test_postgresql_without_psycopg_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "psycopg", None)  # as if not installed
    with pytest.raises(DatabaseUnusable, match=r"pip install 'vantage6\[postgresql\]'$"):
        get_engine({"sqlalchemy.url": "postgresql+psycopg://vantage6@db-host/vantage6"})


@pytest.mark.parametrize(
    "url, reason",
    [
        ("mysql://vantage6:secret@db-host/v6", "MySQLdb is not installed"),
        ("nosuchdb://vantage6:secret@db-host/v6", "Can't load plugin: sqlalchemy.dialects:"),
    ],
)
def test_a_database_the_server_cannot_open_names_what_it_runs_on(url, reason):
    with pytest.raises(DatabaseUnusable) as refused, installed_driver(url):
        create_engine(url)
    message = str(refused.value)
    assert message.startswith(f"sqlalchemy.url = {url.replace('secret', '***')} cannot be")
    assert reason in message and message.endswith("postgresql+psycopg://<user>@<host>/<database>")


def test_a_database_that_does_not_answer_is_refused_naming_the_setting(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path}/missing/v6.sqlite")
    with pytest.raises(DatabaseUnusable) as refused:
        check_connection(engine)
    assert str(refused.value) == (
        f"cannot connect to the database sqlite:///{tmp_path}/missing/v6.sqlite (unable to open "
        "database file): check that it is up and that sqlalchemy.url is right "
        "(VANTAGE6_DATABASE_URL overrides it)"
    )
