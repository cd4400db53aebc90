"""``<ui path>node.ini``: the node configuration the UI offers for download, rendered as
``vnode new`` renders it, with a placeholder for the API key that the page fills in; bad
parameters are refused with a message, and the answer has the UI's security headers."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from webtest import TestApp

from tests.support import server_settings
from vantage6.node.config import API_KEY_ENV, load_config
from vantage6.server import main
from vantage6.server.ui import SECURITY_HEADERS
from vantage6.server.ui.node_file import API_KEY_PLACEHOLDER

GOOD = {
    "name": "clinic-a",
    "server_url": "https://v6.example.org:8443",
    "collaboration_encrypted": "false",
}


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('ui')}/v6.sqlite"
    wsgi = main({}, **server_settings(url, **{"vantage6.ui.path": "/ui/"}))
    yield TestApp(wsgi)
    wsgi.registry["dbengine"].dispose()


def get(app, status=200, **changes):
    return app.get(f"/ui/node.ini?{urlencode({**GOOD, **changes})}", status=status)


def assert_secured(response) -> None:
    for header, value in SECURITY_HEADERS.items():
        assert response.headers[header] == value, header


@pytest.mark.parametrize("encrypted", ["false", "unknown"])
def test_the_template_loads_as_the_node_loads_it_once_the_key_is_filled_in(
    app, tmp_path, monkeypatch, encrypted
):
    monkeypatch.delenv(API_KEY_ENV, raising=False)  # it would win over the file's key
    response = get(app, collaboration_encrypted=encrypted)
    assert response.content_type == "text/plain" and response.charset == "utf-8"
    assert response.headers["Cache-Control"] == "no-cache"
    assert_secured(response)
    assert response.text.count(API_KEY_PLACEHOLDER) == 1
    path = tmp_path / "clinic-a.ini"
    path.write_text(response.text.replace(API_KEY_PLACEHOLDER, "the-key"))
    config = load_config(path)
    assert (config.name, config.api_key) == ("clinic-a", "the-key")
    assert config.api_url == "https://v6.example.org:8443/api"
    assert config.task_dir == tmp_path / "tasks" and not config.encryption_enabled
    assert [image.pattern for image in config.policies.allowed_images] == [
        r"harbor2\.vantage6\.ai/demo/average",
        "vantage6/demo-average",
    ]


def test_an_encrypted_collaboration_asks_for_the_private_key(app):
    text = get(app, collaboration_encrypted="true").text
    assert "enabled = true\n" in text
    assert "\n# private_key = /path/to/your/private_key.pem\n" in text


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"name": ""}, "name must be"),
        ({"name": "-a"}, "name must be"),
        ({"name": "a\n[server]"}, "name must be"),
        ({"server_url": "ftp://v6.example.org"}, "server_url must be"),
        ({"server_url": "https://v6.example.org/api"}, "server_url must be"),
        ({"server_url": "https://v6.example.org\nurl = https://evil"}, "server_url must be"),
        ({"server_url": "https://" + "a" * 300}, "server_url must be"),
        ({"collaboration_encrypted": "yes"}, "collaboration_encrypted must be one of"),
    ],
)
def test_bad_parameters_are_refused_with_a_message(app, changes, problem):
    response = get(app, status=400, **changes)
    assert response.json["msg"].startswith(problem)
    assert_secured(response)


def test_every_bad_parameter_is_named_and_nothing_but_get_is_answered(app):
    message = app.get("/ui/node.ini", status=400).json["msg"]
    assert [part.split()[0] for part in message.split("; ")] == [
        "name",
        "server_url",
        "collaboration_encrypted",
    ]
    app.post("/ui/node.ini", status=404)
    app.get(f"/node.ini?{urlencode(GOOD)}", status=404)  # only under the UI's path
