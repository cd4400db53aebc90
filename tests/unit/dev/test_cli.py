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
    assert "1 to 12 nodes, not 13" in result.output
    assert not target.exists()
