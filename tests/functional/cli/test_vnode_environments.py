"""``vnode`` with environments (``-e dev|test|acc|prod``): ``new -e`` adds an environment's
``[<section>@<env>]`` sections, ``start -e`` runs that environment as a real process against a
real server beside the application, with its own key, data, pid and log file; ``list``,
``files``, ``stop`` and ``set-api-key`` know them too."""

from __future__ import annotations

import re
from pathlib import Path

from tests.functional.cli.test_vnode_processes import AVERAGE, PARTIAL, state
from tests.functional.node.daemons import eventually
from vantage6.common import background
from vantage6.node.config import load_config


def add_environment(vnode, node_server, name, environment, api_key, data):
    """``vnode new -e ENVIRONMENT`` for ``node_server`` (process runtime, CSV ``default``)."""
    return vnode(
        "new", "--name", name, "-e", environment, "--no-input",
        "--server-url", "http://127.0.0.1", "--port", node_server.port, "--api-key", api_key,
        "--runtime", "process", "--database", f"default=csv:{data}",
    )  # fmt: skip


def test_a_test_environment_runs_beside_the_application_with_its_own_key_and_data(
    vnode, vnode_process, node_config, node_server, dirs, tmp_path
):
    ids = node_server.collaboration(2)
    application_key, test_key = ids["keys"]
    path = node_config("alpha", application_key)
    synthetic = tmp_path / "synthetic.csv"
    synthetic.write_text("age\n1\n2\n3\n")

    added = add_environment(vnode, node_server, "alpha", "test", test_key, synthetic)
    assert added.exit_code == 0, added.output
    assert f"Wrote environment 'test' of node 'alpha' to {path}" in added.output
    assert "vnode start --name alpha --user -e test" in added.output
    text = path.read_text()
    assert "[node@test]\nname = alpha-test\n" in text
    assert text.count("api_key_file = alpha-test.api_key\n") == 1
    assert (
        f"[databases@test]\n# <label> = <type>:<uri>; tasks name the labels they read.\n"
        f"default = csv:{synthetic}\n" in text
    )
    assert (path.parent / "alpha-test.api_key").read_text() == f"{test_key}\n"
    assert (path.parent / "alpha.api_key").read_text() == f"{application_key}\n"
    again = add_environment(vnode, node_server, "alpha", "test", "other-key", synthetic)
    assert again.exit_code == 1
    assert f"{path} exists with environment 'test': choose another name or environment" in (
        again.output
    )
    assert path.read_text() == text

    started = vnode_process("start", "--name", "alpha", "-e", "test")
    assert started.returncode == 0, started.stdout + started.stderr
    assert "✓ Node 'alpha' (test) is running (pid " in started.stdout
    assert f"of organization {ids['orgs'][1]} in collaboration {ids['collab']}" in started.stdout
    assert "stop it with: vnode stop --name alpha --user -e test" in started.stdout
    test_pid = int((state(dirs, "alpha") / "alpha-test.pid").read_text())
    assert not (state(dirs, "alpha") / "alpha.pid").exists()
    api = f"http://127.0.0.1:{node_server.port}/api"
    rows = [line.split() for line in vnode_process("list").stdout.splitlines()[1:]]
    assert rows == [
        ["alpha", "application", "user", "stopped", api],
        ["alpha", "test", "user", "running", "(pid", f"{test_pid})", api],
    ]

    application = vnode_process("start", "--name", "alpha")
    assert application.returncode == 0, application.stdout + application.stderr
    assert f"of organization {ids['orgs'][0]} in" in application.stdout
    task = node_server.task(ids, AVERAGE, PARTIAL, ids["orgs"], databases=[{"label": "default"}])
    done = lambda: [run["status"] for run in node_server.runs(task)] == ["completed"] * 2  # noqa: E731
    eventually(done, 60, "both runs completed")
    assert sorted(map(str, node_server.results(task))) == [
        "{'sum': 6, 'count': 3}",  # the test environment's synthetic data
        "{'sum': 80, 'count': 2}",  # the application's
    ]

    files = vnode_process("files", "--name", "alpha", "-e", "test").stdout
    assert re.search(r"^environment +test$", files, re.M)
    assert re.search(rf"^api key file +{path.parent / 'alpha-test.api_key'}$", files, re.M)
    assert re.search(rf"^log file +{state(dirs, 'alpha') / 'alpha-test.log'}$", files, re.M)
    stopped = vnode_process("stop", "--name", "alpha", "-e", "test")
    assert stopped.returncode == 0, stopped.stderr
    assert f"Stopping node 'alpha' (test) (pid {test_pid}) stopped" in stopped.stdout
    assert not background.is_alive(test_pid)
    application_pid = int((state(dirs, "alpha") / "alpha.pid").read_text())
    assert background.is_alive(application_pid)
    stopped = vnode_process("stop", "--all")
    assert f"Stopping node 'alpha' (pid {application_pid}) stopped" in stopped.stdout
    assert "(test)" not in stopped.stdout
    log = (state(dirs, "alpha") / "alpha-test.log").read_text()
    assert "vantage6 node ready:" in log and test_key not in log


def test_environment_errors_and_keys_of_one_environment(vnode, node_config, node_server, dirs):
    path = node_config("beta", "application-key")
    with path.open("a") as file:
        file.write("\n[server@acc]\nport = 1\n\n[server@dev]\nport = many\n")

    missing = vnode("start", "--name", "beta", "-e", "prod")
    assert missing.exit_code == 1
    assert f"{path}: 1 problem(s)" in missing.output
    assert (
        "has no [<section>@prod] section for environment 'prod' "
        "(environments in it: application, dev, acc)"
    ) in missing.output
    unknown = vnode("start", "--name", "beta", "-e", "staging")
    assert unknown.exit_code == 2 and "'staging' is not one of" in unknown.output
    broken = vnode("files", "--name", "beta", "-e", "dev")
    assert broken.exit_code == 1
    assert "[server@dev] port: must be a whole number" in broken.output
    assert not list(state(dirs, "beta").glob("*.pid"))

    # acc inherits the application's key file: its own key must not replace that one
    changed = vnode("set-api-key", "--name", "beta", "-e", "acc", "--api-key", "acc-key")
    assert changed.exit_code == 0, changed.output
    assert f"The API key of node 'beta' (acc) is in {path.parent / 'beta-acc.api_key'}" in (
        changed.output
    )
    assert (path.parent / "beta.api_key").read_text() == "application-key\n"
    assert "acc-key" not in path.read_text()
    assert load_config(path, "acc").api_key == "acc-key"
    assert load_config(path).api_key == "application-key"
    assert load_config(path, "acc").port == 1

    # the private key of one environment, where its own [encryption@acc] says
    with path.open("a") as file:
        file.write("\n[encryption@acc]\nenabled = true\nprivate_key = acc.pem\n")
    made = vnode("create-private-key", "--name", "beta", "-e", "acc", "--no-upload")
    assert made.exit_code == 0, made.output
    assert (path.parent / "acc.pem").read_text().startswith("-----BEGIN")
    plain = vnode("create-private-key", "--name", "beta", "--no-upload")
    assert plain.exit_code == 1 and "[encryption] enabled is not true" in plain.output


def test_new_environment_first_then_the_application(vnode, dirs, tmp_path):
    data = tmp_path / "a.csv"
    data.write_text("age\n1\n")
    options = ("--no-input", "--port", "7601", "--database", f"default=csv:{data}")
    made = vnode("new", "--name", "gamma", "-e", "prod", "--api-key", "prod-key", *options)
    assert made.exit_code == 0, made.output
    path = Path(dirs["XDG_CONFIG_HOME"]) / "vantage6" / "node" / "gamma.ini"
    assert "\n[node]" not in path.read_text() and "\n[node@prod]" in path.read_text()
    assert load_config(path, "prod").name == "gamma-prod"
    listed = [line.split()[:2] for line in vnode("list").output.splitlines()[1:]]
    assert listed == [["gamma", "prod"]]

    made = vnode("new", "--name", "gamma", "--api-key", "app-key", *options)
    assert made.exit_code == 0, made.output
    assert load_config(path).api_key == "app-key"
    assert load_config(path, "prod").api_key == "prod-key"
    listed = [line.split()[:2] for line in vnode("list").output.splitlines()[1:]]
    assert listed == [["gamma", "application"], ["gamma", "prod"]]
