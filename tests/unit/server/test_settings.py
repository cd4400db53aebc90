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
    assert (
        load_settings({**BASE, "vantage6.api_path": raw}, environ={})["vantage6.api_path"]
        == expected
    )


def test_missing_database_url_names_both_ways_to_set_it():
    with pytest.raises(ConfigurationError, match="sqlalchemy.url.*VANTAGE6_DATABASE_URL"):
        load_settings({}, environ={})


def test_unknown_profile_is_refused():
    with pytest.raises(ConfigurationError, match="vantage6.profile must be one of"):
        load_settings({**BASE, "vantage6.profile": "staging"}, environ={})


def test_non_numeric_cost_names_the_setting():
    with pytest.raises(ConfigurationError, match="vantage6.argon2.time_cost"):
        load_settings({**BASE, "vantage6.argon2.time_cost": "lots"}, environ={})
