"""``vdev`` reports what is wrong in one line and exit code 1, and writes nothing then."""

from click.testing import CliRunner

from vantage6.dev.cli import cli


def test_starting_a_network_that_was_never_made_says_so(tmp_path):
    result = CliRunner().invoke(cli, ["start-demo-network", "--directory", str(tmp_path / "x")])
    assert result.exit_code == 1
    assert "no demo network" in result.output and "create one first" in result.output


def test_a_network_of_too_many_nodes_is_refused_before_anything_is_written(tmp_path):
    target = tmp_path / "demo"
    arguments = ["create-demo-network", "--directory", str(target), "--num-nodes", "13"]
    result = CliRunner().invoke(cli, [*arguments, "--runtime", "process"])
    assert result.exit_code == 1
    assert "1 to 12 organizations, not 13" in result.output
    assert not target.exists()


def test_a_server_that_cannot_be_reached_is_reported_without_a_traceback(tmp_path, monkeypatch):
    """run-demo on a network whose server is gone: the client's error, in one line."""
    from vantage6.client.errors import ServerUnreachable
    from vantage6.dev import demo, network

    def unreachable(_network):
        raise ServerUnreachable("cannot reach http://127.0.0.1:9/api")

    (tmp_path / "credentials.json").write_text("{}")
    monkeypatch.setattr(network.DemoNetwork, "start", lambda self: None)
    monkeypatch.setattr(network.DemoNetwork, "stop", lambda self: None)
    monkeypatch.setattr(demo, "federated_average", unreachable)
    result = CliRunner().invoke(cli, ["run-demo", "--directory", str(tmp_path)])
    assert result.exit_code == 1
    assert "cannot reach http://127.0.0.1:9/api" in result.output
    assert "Traceback" not in result.output


def test_a_kept_network_is_announced_with_the_ui_and_a_user_to_sign_in_with(tmp_path, monkeypatch):
    from vantage6.dev import demo, network

    users = {"example_user1": "first-secret", "example_user2": "second-secret"}
    network.Credentials("http://127.0.0.1", 7654, "root-secret", users).save(
        tmp_path / "credentials.json"
    )
    stops = []
    monkeypatch.setattr(network.DemoNetwork, "start", lambda self: None)
    monkeypatch.setattr(network.DemoNetwork, "stop", lambda self: stops.append(self))
    monkeypatch.setattr(demo, "federated_average", lambda _network: {"average": 53.25})
    arguments = ["run-demo", "--directory", str(tmp_path)]

    kept = CliRunner().invoke(cli, [*arguments, "--keep"])
    assert kept.exit_code == 0, kept.output
    assert "Web UI: http://127.0.0.1:7654/\n" in kept.output
    assert "sign in as example_user1, password first-secret\n" in kept.output
    assert stops == []

    stopped = CliRunner().invoke(cli, arguments)
    assert stopped.exit_code == 0, stopped.output
    assert "Web UI" not in stopped.output and "first-secret" not in stopped.output
    assert len(stops) == 1
