"""Settings: defaults, environment overrides, and clear errors for bad values."""

import re
from pathlib import Path

import pytest
from pyramid.exceptions import ConfigurationError

from vantage6.dev.network import _server_ini
from vantage6.server.cli.wizard import QUESTIONS, app_settings
from vantage6.server.settings import DEFAULT_SETTINGS, load_settings

BASE = {"sqlalchemy.url": "sqlite://"}
REPO = Path(__file__).resolve().parents[3]


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


# Unknown settings: the node refuses unknown keys, and so does the server (issue 19, item 2).


@pytest.mark.parametrize(
    "key, replacement",
    [
        ("vantage6.jwt_secret_key", "the secret that signs tokens is vantage6.jwt.secret"),
        ("vantage6.vpn_server.url", "the original's VPN server (EduVPN) is not supported"),
        ("vantage6.vpn_server", "WireGuard here, set with vantage6.vpn.subnet"),
        ("vantage6.uri", "the database URL is sqlalchemy.url"),
        ("vantage6.description", "the description shown to users is vantage6.server_name"),
        ("vantage6.port", "listen = <ip>:<port> in the [server:...] section"),
        ("vantage6.logging.max_size", "[handler_log] (maxBytes, backupCount)"),
        ("vantage6.smtp.server", "the SMTP server is vantage6.smtp.host"),
    ],
)
def test_a_key_of_the_seeds_yaml_is_refused_with_the_setting_that_replaces_it(key, replacement):
    with pytest.raises(ConfigurationError) as refused:
        load_settings({**BASE, key: "value"}, environ={})
    message = str(refused.value)
    assert message.startswith(f"{key} is not a setting of this server: ")
    assert replacement in message
    assert "\n" not in message


def test_a_misspelt_setting_is_refused_with_the_one_meant():
    with pytest.raises(ConfigurationError) as refused:
        load_settings({**BASE, "vantage6.smtp.hots": "mail.example.org"}, environ={})
    assert str(refused.value) == (
        "vantage6.smtp.hots is not a setting of this server (did you mean vantage6.smtp.host?)"
    )


def test_an_unknown_setting_like_none_lists_the_known_ones_and_every_one_is_named():
    raw = {**BASE, "vantage6.colour": "blue", "vantage6.jwt_secret_key": "s" * 40}
    with pytest.raises(ConfigurationError) as refused:
        load_settings(raw, environ={})
    colour, jwt_secret_key = str(refused.value).split("; ")
    assert colour.startswith("vantage6.colour is not a setting of this server (known: ")
    assert "vantage6.api_path, " in colour and "vantage6.type, " in colour
    assert jwt_secret_key.startswith("vantage6.jwt_secret_key is not a setting")


def test_plugin_settings_keep_their_own_prefix():
    plugin = {**BASE, "vantage6.plugins": "task_policy"}
    settings = load_settings({**plugin, "vantage6_task_policy.require_digest": "true"}, environ={})
    assert settings["vantage6_task_policy.require_digest"] == "true"  # the plugin checks it
    with pytest.raises(ConfigurationError, match="prefixed with its module's name, not vantage6"):
        load_settings({**plugin, "vantage6.task_policy.require_digest": "true"}, environ={})


def _written(text: str) -> set[str]:
    """The vantage6.* keys an ini text sets, also those shown commented out as examples."""
    return set(re.findall(r"^#?\s*(vantage6\.[\w.]+)\s*=", text, re.M))


def _wizard_settings() -> dict:
    """What `vserver new` writes when every question, email too, is answered."""
    answers = {
        "name": "demo",
        "environment": "application",
        "new_file": True,
        "database_uri": "sqlite://",
        "smtp_host": "smtp.example.org",
        "smtp_username": "mailer",
        "smtp_password": "secret",
        "support_email": "help@example.org",
        "jwt_secret": "s" * 40,
    }
    for question in QUESTIONS:
        if question.key not in answers:
            answers[question.key] = question.default(answers)
    return app_settings(answers)


def _read_in_code() -> set[str]:
    """The vantage6.* keys that the server and the plugins read by name."""
    read = re.compile(r"settings(?:\.get\(|\[)\s*[\"'](vantage6\.[\w.]+)[\"']")
    files = [*(REPO / "src").rglob("*.py"), *(REPO / "plugins").rglob("*.py")]
    return {key for path in files for key in read.findall(path.read_text())}


def test_every_setting_the_repository_writes_or_reads_is_known():
    ini_files = [REPO / "development.ini", REPO / "production.ini", *REPO.glob("etc/*.ini")]
    written = {key for path in ini_files for key in _written(path.read_text())}
    written |= _written(_server_ini(7601, "root-password"))  # vdev's demo network
    written |= {key for key in _wizard_settings() if key.startswith("vantage6.")}
    read = _read_in_code()
    assert "vantage6.allow_drop_all" in read and "vantage6.type" in written
    assert sorted((written | read) - DEFAULT_SETTINGS.keys()) == []


# The environment type (issue 19, item 3). The seed: "Should be prod, acc, test or dev. In case
# the type is set to test the JWT-tokens expiration is set to 1 day (default is 6 hours)."


@pytest.mark.parametrize(
    "environment_type, hours", [(None, 6), ("prod", 6), ("acc", 6), ("dev", 6), ("test", 24)]
)
def test_the_type_sets_how_long_access_tokens_last(environment_type, hours):
    raw = {**BASE, "vantage6.type": environment_type} if environment_type else BASE
    settings = load_settings(raw, environ={})
    assert settings["vantage6.type"] == (environment_type or "prod")
    assert settings["vantage6.jwt.access_expires_seconds"] == hours * 3600
    assert settings["vantage6.jwt.refresh_expires_seconds"] == 48 * 3600  # the same for all


def test_an_access_token_lifetime_in_the_ini_file_wins_over_the_type():
    raw = {**BASE, "vantage6.type": "test", "vantage6.jwt.access_expires_seconds": "600"}
    assert load_settings(raw, environ={})["vantage6.jwt.access_expires_seconds"] == 600


def test_a_type_the_seed_does_not_have_is_refused():
    with pytest.raises(
        ConfigurationError, match="vantage6.type must be one of dev, test, acc, prod"
    ):
        load_settings({**BASE, "vantage6.type": "staging"}, environ={})


def test_a_refresh_token_that_would_not_outlive_the_types_access_token_names_the_type():
    raw = {**BASE, "vantage6.type": "test", "vantage6.jwt.refresh_expires_seconds": "43200"}
    with pytest.raises(ConfigurationError) as refused:
        load_settings(raw, environ={})
    assert str(refused.value) == (
        "vantage6.jwt.refresh_expires_seconds (43200) must be longer than "
        "vantage6.jwt.access_expires_seconds (86400, the default of vantage6.type = test)"
    )


# support_email (issue 19, item 8). The seed: "Set an email address you want to direct your
# users to for support (defaults to the address you set above in the SMTP server or otherwise
# to support@vantage6.ai)".


@pytest.mark.parametrize(
    "given, support",
    [
        ({"vantage6.support_email": "help@example.org"}, "help@example.org"),
        ({}, "v6@example.org"),  # the address emails come from
    ],
)
def test_the_support_address_falls_back_to_the_smtp_address(given, support):
    assert load_settings({**SMTP, **given}, environ={})["vantage6.support_email"] == support


def test_without_any_address_the_support_address_is_the_originals():
    assert load_settings(BASE, environ={})["vantage6.support_email"] == "support@vantage6.ai"
