"""A server whose API is at its root path, as seed 004 configures one (``server_api = ""`` for
the client, ``api_path: ''`` for a node): ``vserver new --api-path ''`` and ``vnode new
--api-path ''`` write configurations that work, the server answers at the root, and the Python
client and a node started by ``vnode start`` use it."""

from __future__ import annotations

from pathlib import Path

from pyramid.paster import get_appsettings

from vantage6.client import Client
from vantage6.node.config import load_config
from vantage6.server.settings import load_settings

AVERAGE = "harbor2.vantage6.ai/demo/average"


def config_file(dirs, kind: str, name: str) -> Path:
    return Path(dirs["XDG_CONFIG_HOME"]) / "vantage6" / kind / f"{name}.ini"


def test_vserver_new_writes_an_empty_api_path_and_turns_the_web_ui_off(vserver, dirs):
    result = vserver("new", "--name", "rooted", "--user", "--no-input", "--api-path", "")
    assert result.exit_code == 0, result.output
    assert "the API is at the root path: the web UI is off" in result.output
    path = config_file(dirs, "server", "rooted")
    assert "\nvantage6.api_path =\n" in path.read_text()
    settings = load_settings(get_appsettings(str(path)), environ={})
    assert settings["vantage6.api_path"] == "" and settings["vantage6.ui.enabled"] is False


def test_vnode_new_writes_an_empty_api_path(vnode, dirs):
    result = vnode("new", "--name", "rooted", "--no-input", "--api-key", "k", "--api-path", "")
    assert result.exit_code == 0, result.output
    path = config_file(dirs, "node", "rooted")
    assert "\napi_path =\n" in path.read_text()
    assert load_config(path).api_url == "http://localhost:7601"


def test_slash_is_the_root_path_too_and_a_path_needs_its_slash(vserver, vnode, dirs):
    """At a prompt an empty answer takes the default (/api), so / is how to answer the root."""
    slash = vnode("new", "--name", "slash", "--no-input", "--api-key", "k", "--api-path", "/")
    assert slash.exit_code == 0, slash.output
    assert "\napi_path =\n" in config_file(dirs, "node", "slash").read_text()
    refused = vserver("new", "--name", "x", "--user", "--no-input", "--api-path", "api")
    assert refused.exit_code == 2
    assert "must be empty (the root path) or start with / (e.g. /api)" in refused.output


def test_server_client_and_node_meet_at_the_root_path(
    server_config, vserver_process, vnode, vnode_process, dirs, tmp_path
):
    name, port = server_config("rooted", "--api-path", "")
    started = vserver_process("start", "--name", name)
    assert started.returncode == 0, started.stdout + started.stderr
    assert f"is running at http://127.0.0.1:{port} (pid " in started.stdout

    # The seed's config.py for the client, and its calls
    server_url = "http://127.0.0.1"
    server_port = port
    server_api = ""  # This is specified when you first created the server
    client = Client(server_url, server_port, server_api)
    client.authenticate("root", "root")
    client.setup_encryption(None)
    assert client.util.get_server_health()["database"] is True

    organization = client.whoami.organization_id
    collaboration = client.collaboration.create("at the root", [organization])["id"]
    api_key = client.node.create(collaboration=collaboration, organization=organization)
    data = tmp_path / "ages.csv"
    data.write_text("age\n30\n50\n")
    written = vnode(
        "new", "--name", "rooted", "--no-input", "--server-url", server_url, "--port", port,
        "--api-path", "", "--api-key", api_key, "--runtime", "process",
        "--database", f"default=csv:{data}",
    )  # fmt: skip
    assert written.exit_code == 0, written.output
    node = vnode_process("start", "--name", "rooted")
    assert node.returncode == 0, node.stdout + node.stderr
    assert f"in collaboration {collaboration} at http://127.0.0.1:{port}\n" in node.stdout

    task = client.task.create(
        collaboration=collaboration,
        organizations=[organization],
        name="average",
        image=AVERAGE,
        description="",
        input_={"method": "partial_average", "kwargs": {"column_name": "age"}},
        databases=[{"label": "default"}],
    )
    result = client.wait_for_results(task["id"], timeout=120)["data"][0]["result"]
    assert result == {"sum": 80, "count": 2}
