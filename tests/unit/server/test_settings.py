"""Settings: defaults, environment overrides, and clear errors for bad values."""

import pytest
from pyramid.exceptions import ConfigurationError

from vantage6.server.settings import load_settings

BASE = {"sqlalchemy.url": "sqlite://"}


def test_defaults_are_production_and_typed():
    settings = load_settings(BASE, environ={})
    assert settings["vantage6.profile"] == "production"
    assert settings["vantage6.db.auto_migrate"] is False
    assert settings["vantage6.argon2.time_cost"] == 3
    assert settings["vantage6.api_path"] == "/api"


def test_environment_wins_for_database_url_and_root_password():
    environ = {
        "VANTAGE6_DATABASE_URL": "postgresql+psycopg://x@h/db",
        "VANTAGE6_ROOT_PASSWORD": "pw",
    }
    settings = load_settings(BASE, environ=environ)
    assert settings["sqlalchemy.url"] == "postgresql+psycopg://x@h/db"
    assert settings["vantage6.root_password"] == "pw"


@pytest.mark.parametrize(
    "raw, expected", [("api", "/api"), ("/v6/api/", "/v6/api"), ("/", ""), ("", "")]
)
def test_api_path_is_normalised(raw, expected):
    # Without the web UI, which cannot share the root with the API (see below).
    raw = {**BASE, "vantage6.api_path": raw, "vantage6.ui.enabled": "false"}
    assert load_settings(raw, environ={})["vantage6.api_path"] == expected


def test_missing_database_url_names_both_ways_to_set_it():
    with pytest.raises(ConfigurationError, match="sqlalchemy.url.*VANTAGE6_DATABASE_URL"):
        load_settings({}, environ={})


def test_a_value_that_is_no_database_url_is_refused_without_showing_it():
    with pytest.raises(ConfigurationError) as refused:
        load_settings({"sqlalchemy.url": "vantage6:secret at db-host"}, environ={})
    assert str(refused.value).startswith("sqlalchemy.url is not a database URL: give sqlite:///")
    assert "secret" not in str(refused.value)


def test_unknown_profile_is_refused():
    with pytest.raises(ConfigurationError, match="vantage6.profile must be one of"):
        load_settings({**BASE, "vantage6.profile": "staging"}, environ={})


def test_non_numeric_cost_names_the_setting():
    with pytest.raises(ConfigurationError, match="vantage6.argon2.time_cost"):
        load_settings({**BASE, "vantage6.argon2.time_cost": "lots"}, environ={})


def test_email_and_two_factor_defaults():
    settings = load_settings(BASE, environ={})
    assert settings["vantage6.smtp.host"] == ""  # no email until an SMTP server is given
    assert (settings["vantage6.smtp.port"], settings["vantage6.smtp.security"]) == (587, "starttls")
    assert settings["vantage6.email_token_validity_minutes"] == 60
    assert settings["vantage6.between_user_emails_minutes"] == 60
    assert settings["vantage6.two_factor_auth"] is False
    assert settings["vantage6.two_factor_enrolment"] == "password"


def test_the_smtp_password_can_come_from_the_environment():
    ini = {**BASE, "vantage6.smtp.username": "mailer", "vantage6.smtp.password": "from-ini"}
    settings = load_settings(ini, environ={"VANTAGE6_SMTP_PASSWORD": "from-env"})
    assert settings["vantage6.smtp.password"] == "from-env"


SMTP = {**BASE, "vantage6.smtp.host": "mail.example.org", "vantage6.email_from": "v6@example.org"}


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"vantage6.smtp.security": "tls"}, "vantage6.smtp.security must be one of starttls, ssl"),
        ({"vantage6.smtp.port": "70000"}, "vantage6.smtp.port must be at most 65535"),
        ({"vantage6.smtp.port": "smtp"}, "vantage6.smtp.port must be a whole number"),
        ({"vantage6.smtp.password": "x"}, "vantage6.smtp.username is not"),
        ({"vantage6.email_from": ""}, "vantage6.email_from must be set"),
        ({"vantage6.support_email": "help desk"}, "vantage6.support_email must be an email"),
        ({"vantage6.email_token_validity_minutes": "0"}, "must be positive"),
        ({"vantage6.two_factor_auth": "maybe"}, "vantage6.two_factor_auth must be true or false"),
    ],
)
def test_unusable_email_settings_are_refused_at_start_up(overrides, message):
    with pytest.raises(ConfigurationError, match=message):
        load_settings({**SMTP, **overrides}, environ={})


def test_two_factor_enrolment_by_email_needs_an_smtp_server():
    emailed = {"vantage6.two_factor_auth": "true", "vantage6.two_factor_enrolment": "email"}
    with pytest.raises(ConfigurationError, match="enrolment = email needs an SMTP server"):
        load_settings({**BASE, **emailed}, environ={})
    assert load_settings({**SMTP, **emailed}, environ={})["vantage6.two_factor_enrolment"] == (
        "email"
    )
    with pytest.raises(ConfigurationError, match="must be one of password, email, not 'sms'"):
        load_settings({**SMTP, "vantage6.two_factor_enrolment": "sms"}, environ={})


def test_an_smtp_password_error_does_not_show_the_password():
    with pytest.raises(ConfigurationError) as refused:
        load_settings({**SMTP, "vantage6.smtp.password": "s3cret-pw"}, environ={})
    assert "s3cret-pw" not in str(refused.value)


def test_the_root_password_file_is_beside_an_sqlite_database(tmp_path):
    url = f"sqlite:///{tmp_path}/var/v6.sqlite"
    settings = load_settings({"sqlalchemy.url": url}, environ={}, config_folder="/etc/x")
    assert settings["vantage6.root_password_file"] == f"{tmp_path}/var/v6.sqlite.root-password"


def test_the_root_password_file_of_other_databases_is_beside_the_ini_file(tmp_path):
    raw = {"sqlalchemy.url": "postgresql+psycopg://v6@db-host/vantage6"}
    settings = load_settings(raw, environ={}, config_folder=str(tmp_path))
    assert settings["vantage6.root_password_file"] == f"{tmp_path}/vantage6.root-password"
    assert load_settings(raw, environ={})["vantage6.root_password_file"] == ""  # no ini file


def test_a_configured_root_password_file_wins(tmp_path):
    raw = {**BASE, "vantage6.root_password_file": "/srv/v6/first-password"}
    settings = load_settings(raw, environ={}, config_folder=str(tmp_path))
    assert settings["vantage6.root_password_file"] == "/srv/v6/first-password"


def test_the_web_ui_is_on_at_the_root_by_default():
    settings = load_settings(BASE, environ={})
    assert settings["vantage6.ui.enabled"] is True
    assert settings["vantage6.ui.path"] == "/"
    ui = {"vantage6.ui.path": "/portal/v6/", "vantage6.ui.enabled": "no"}
    settings = load_settings({**BASE, **ui}, environ={})
    assert (settings["vantage6.ui.enabled"], settings["vantage6.ui.path"]) == (False, "/portal/v6/")


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"vantage6.ui.path": "ui/"}, "vantage6.ui.path must start and end with '/' .*not 'ui/'"),
        ({"vantage6.ui.path": "/ui"}, "vantage6.ui.path must start and end with '/'"),
        ({"vantage6.ui.path": ""}, "vantage6.ui.path must start and end with '/'"),
        ({"vantage6.ui.path": "/my ui/"}, "may hold only letters, digits and . _ ~ -"),
        ({"vantage6.ui.path": "//"}, "may hold only letters"),
        ({"vantage6.ui.path": "/{id}/"}, "may hold only letters"),
        ({"vantage6.ui.path": "/api/ui/"}, r"'/api/ui/' is inside the path of vantage6.api_path"),
        ({"vantage6.ui.path": "/api/"}, r"is inside the path of vantage6.api_path \(/api\)"),
        ({"vantage6.api_path": "/"}, r"'/' is inside the path of vantage6.api_path \(/\)"),
        ({"vantage6.ui.path": "/apidocs/"}, "is inside the path of the API documentation"),
        ({"vantage6.ui.enabled": "sometimes"}, "vantage6.ui.enabled must be true or false"),
    ],
)
def test_an_unusable_ui_path_is_refused_in_one_line(overrides, message):
    with pytest.raises(ConfigurationError, match=message) as refused:
        load_settings({**BASE, **overrides}, environ={})
    assert "\n" not in str(refused.value)


def test_the_ui_path_may_share_a_folder_with_the_api_but_not_lie_inside_it():
    shared = {"vantage6.api_path": "/v6/api", "vantage6.ui.path": "/v6/"}
    assert load_settings({**BASE, **shared}, environ={})["vantage6.ui.path"] == "/v6/"
    beside = {"vantage6.ui.path": "/api-ui/"}
    assert load_settings({**BASE, **beside}, environ={})["vantage6.ui.path"] == "/api-ui/"
    # Turned off, the UI's path does not matter: the API may then be at the root.
    off = {"vantage6.api_path": "/", "vantage6.ui.enabled": "false"}
    assert load_settings({**BASE, **off}, environ={})["vantage6.api_path"] == ""
