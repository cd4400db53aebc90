"""The WSGI app: health and version under the configured api path."""

import shutil

import pytest
from webtest import TestApp

from tests.support import server_settings
from vantage6 import __version__
from vantage6.server import main


@pytest.fixture
def make_app(database_factory):
    def make(**overrides):
        settings = server_settings(database_factory.new_url(), **overrides)
        return main({}, **settings)

    return make


def test_health_reports_a_working_database(make_app):
    response = TestApp(make_app()).get("/api/health")
    assert response.json == {"status": "ok", "database": True}


def test_version_is_the_package_version(make_app):
    assert TestApp(make_app()).get("/api/version").json == {"version": __version__}


def test_api_path_is_configurable(make_app):
    app = TestApp(make_app(**{"vantage6.api_path": "/v6"}))
    assert app.get("/v6/health").json["database"] is True
    app.get("/api/health", status=404)


def test_health_is_503_when_the_database_is_gone(tmp_path):
    directory = tmp_path / "db"
    directory.mkdir()
    wsgi = main({}, **server_settings(f"sqlite:///{directory}/v6.sqlite"))
    wsgi.registry["dbengine"].dispose()
    shutil.rmtree(directory)  # new connections cannot open the file any more
    response = TestApp(wsgi).get("/api/health", status=503)
    assert response.json == {"status": "unavailable", "database": False}
