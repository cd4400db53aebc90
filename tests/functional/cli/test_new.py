"""``vserver new``: the wizard driven by options, by answers on stdin, and its refusals."""

from __future__ import annotations

import stat
from pathlib import Path

from pyramid.paster import get_appsettings

from vantage6.server.settings import load_settings


def user_config(dirs, name="demo") -> Path:
    return Path(dirs["XDG_CONFIG_HOME"]) / "vantage6" / "server" / f"{name}.ini"


def settings_of(path: Path, app="main") -> dict:
    return load_settings(get_appsettings(str(path), name=app), environ={})


def test_options_answer_every_question(vserver, dirs):
    result = vserver(
        "new", "--name", "demo", "--user", "--no-input", "--port", 7999, "--ip", "127.0.0.1",
        "--profile", "production", "--api-path", "/v6", "--description", "Demo 100%",
        "--smtp-host", "smtp.example.org", "--smtp-username", "mailer",
        "--smtp-password", "s3cret", "--two-factor",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    config = user_config(dirs)
    assert f"Wrote environment 'application' of server 'demo' to {config}" in result.output
    assert "vserver start --name demo --user" in result.output
    assert stat.S_IMODE(config.stat().st_mode) == 0o600  # it holds the JWT secret
    settings = settings_of(config)
    data = Path(dirs["XDG_DATA_HOME"]) / "vantage6" / "server" / "demo"
    assert settings["sqlalchemy.url"] == f"sqlite:///{data}/demo.sqlite"
    assert data.is_dir()
    assert settings["vantage6.profile"] == "production"
    assert settings["vantage6.api_path"] == "/v6"
    assert settings["vantage6.server_name"] == "Demo 100%"
    assert settings["vantage6.db.auto_migrate"] is True  # the default for SQLite
    assert settings["vantage6.allow_drop_all"] == "false"  # production's default
    assert settings["vantage6.two_factor_auth"] is True
    assert len(settings["vantage6.jwt.secret"]) >= 60
    assert settings["vantage6.smtp.host"] == "smtp.example.org"
    assert settings["vantage6.smtp.password"] == "s3cret"
    assert settings["vantage6.email_from"] == "vantage6@smtp.example.org"
    text = config.read_text()
    assert "listen = 127.0.0.1:7999" in text
    assert "[pshell]\nsetup = vantage6.server.pshell.setup" in text
    assert "[logger_vantage6]\nlevel = INFO" in text


def test_the_wizard_asks_and_asks_again_after_a_wrong_answer(vserver, dirs):
    answers = [
        "demo",  # name
        "",  # description: default
        "development",  # profile
        "",  # ip: default
        "99999",  # port: out of range, asked again
        "7602",
        "api",  # api path without the slash, asked again
        "/api",
        "",  # database: default
        "y",  # auto migrate
        "n",  # allow drop all
        "debug",  # log level (any case)
        "mail.example.org",  # smtp host
        "465",
        "ssl",
        "",  # no smtp login: no password question
        "not-an-address",  # email from, asked again
        "noreply@example.org",
        "",  # support email: none
        "n",  # two-factor
    ]
    result = vserver("new", "--user", input="\n".join(answers) + "\n")
    assert result.exit_code == 0, result.output
    assert "99999 is not in the range 1<=x<=65535" in result.output
    assert "API path must be empty (the root path) or start with /" in result.output
    assert "Emails come from is not an email address" in result.output
    assert "SMTP password" not in result.output
    settings = settings_of(user_config(dirs))
    assert settings["vantage6.profile"] == "development"
    assert settings["vantage6.allow_drop_all"] == "false"
    assert settings["vantage6.smtp.port"] == 465
    assert settings["vantage6.smtp.security"] == "ssl"
    assert settings["vantage6.email_from"] == "noreply@example.org"
    assert settings["vantage6.server_name"] == "vantage6 server demo"
    text = user_config(dirs).read_text()
    assert "listen = 0.0.0.0:7602" in text and "[logger_vantage6]\nlevel = DEBUG" in text


def test_the_default_is_the_system_folder(vserver, dirs):
    result = vserver("new", "--name", "shared", "--no-input")
    assert result.exit_code == 0, result.output
    config = Path(dirs["XDG_CONFIG_DIRS"]) / "vantage6" / "server" / "shared.ini"
    assert config.is_file()
    data = Path(dirs["XDG_DATA_DIRS"]) / "vantage6" / "server" / "shared"
    assert settings_of(config)["sqlalchemy.url"] == f"sqlite:///{data}/shared.sqlite"


def test_an_existing_environment_is_never_overwritten(vserver, dirs):
    assert vserver("new", "--name", "demo", "--user", "--no-input").exit_code == 0
    before = user_config(dirs).read_text()
    again = vserver("new", "--name", "demo", "--user", "--no-input", "--port", 1234)
    assert again.exit_code == 1
    assert "already has environment 'application'" in again.output
    assert user_config(dirs).read_text() == before


def test_another_environment_is_added_to_the_file(vserver, dirs):
    assert vserver("new", "--name", "demo", "--user", "--no-input").exit_code == 0
    before = user_config(dirs).read_text()
    added = vserver("new", "--name", "demo", "--user", "--no-input", "-e", "test", "--port", 7603)
    assert added.exit_code == 0, added.output
    assert "vserver start --name demo --user -e test" in added.output
    text = user_config(dirs).read_text()
    assert text.startswith(before)
    assert "[server:test]" in text and "listen = 0.0.0.0:7603" in text
    test = settings_of(user_config(dirs), "test")
    assert test["vantage6.profile"] == "development"  # the default for dev and test
    assert test["sqlalchemy.url"].endswith("/demo/demo-test.sqlite")
    assert settings_of(user_config(dirs))["sqlalchemy.url"].endswith("/demo/demo.sqlite")


def test_wrong_options_are_usage_errors_that_name_the_option(vserver, dirs):
    cases = [
        (["--name", "../etc/passwd"], "--name"),
        (["--name", "x", "--port", "0"], "--port"),
        (["--name", "x", "--api-path", "api"], "--api-path"),
        (["--name", "x", "--ip", "not an ip"], "--ip"),
        (["--name", "x", "--database-uri", "mysql://db/x"], "--database-uri"),
        (["--name", "x", "--profile", "staging"], "--profile"),
        ([], "--name is required with --no-input"),
    ]
    for options, named in cases:
        result = vserver("new", "--user", "--no-input", *options)
        assert result.exit_code == 2, (options, result.output)
        assert named in result.output
    assert not user_config(dirs, "x").exists()


def test_a_folder_that_cannot_be_written_is_an_error_naming_it(vserver, tmp_path, monkeypatch):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    monkeypatch.setenv("XDG_CONFIG_DIRS", str(blocker))
    result = vserver("new", "--name", "x", "--system", "--no-input")
    assert result.exit_code == 1
    assert f"cannot write {blocker}/vantage6/server/x.ini" in result.output
