"""``vnode new --from-yaml`` and ``vserver new --from-yaml``: the vantage6 documentation's two
example configuration files (tests/functional/cli/data/seed_*_config.yaml, copied verbatim
from seed 004) become ini files that the node and the server load, with each key mapped or
named with the reason it is not; secrets are never printed; anything else is refused, writing
nothing."""

from __future__ import annotations

import configparser
import stat
import subprocess
import sys
from ipaddress import IPv4Network
from pathlib import Path

from pyramid.paster import get_appsettings

from vantage6.common.configdirs import FoundConfig, Scope
from vantage6.common.encryption import RSACryptor
from vantage6.node.config import load_config
from vantage6.server.cli.instance import Instance
from vantage6.server.settings import load_settings

DATA = Path(__file__).parent / "data"
SEED_NODE = DATA / "seed_node_config.yaml"
SEED_SERVER = DATA / "seed_server_config.yaml"
KEY = "0b6f5c3e-node-api-key"


def config_dir(dirs, kind: str) -> Path:
    return Path(dirs["XDG_CONFIG_HOME"]) / "vantage6" / kind


def data_dir(dirs, kind: str, name: str) -> Path:
    return Path(dirs["XDG_DATA_HOME"]) / "vantage6" / kind / name


def raw_ini(path: Path) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str
    parser.read(path)
    return parser


def server_settings(path: Path, app: str) -> dict:
    return load_settings(get_appsettings(str(path), name=app), environ={})


def logging_loads(path: Path, here: Path) -> None:
    """The ini's logging sections as the node and pserve read them, in a process of its own
    (fileConfig replaces this process's logging)."""
    code = (
        "import logging, logging.config, sys;"
        "logging.config.fileConfig(sys.argv[1], defaults={'here': sys.argv[2]},"
        " disable_existing_loggers=False);"
        "logging.getLogger('vantage6.test').debug('written by the test')"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(path), str(here)], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr


# --- the node --------------------------------------------------------------------------------


def test_the_seed_node_example_becomes_an_ini_the_node_loads(vnode, dirs):
    result = vnode("new", "--from-yaml", SEED_NODE, "--name", "petronas", "--api-key", KEY)
    assert result.exit_code == 0, result.output
    folder = config_dir(dirs, "node")
    path = folder / "petronas.ini"
    assert f"✓ Wrote node 'petronas' (application) from {SEED_NODE} to {path}" in result.output
    assert "vnode start --name petronas --user" in result.output

    config = load_config(path)
    assert config.name == "petronas" and config.api_key == KEY
    assert config.server_url == "https://petronas.vantage6.ai" and config.port == 443
    assert raw_ini(path)["server"]["api_path"] == ""  # the seed's '': the root path
    assert config.algorithm_env == {"player": "Alice"}
    assert not config.encryption_enabled
    assert config.private_key == Path("/path/to/private_key.pem")
    assert [p.pattern for p in config.policies.allowed_images] == [
        "^harbor.vantage6.ai/[a-zA-Z]+/[a-zA-Z]+"
    ]
    [registry] = config.registries
    assert (registry.registry, registry.username) == ("docker-registry.org", "docker-registry-user")
    assert registry.password == "docker-registry-password"
    # D:\data\datafile.csv and C:\Users\...: Windows paths, not on this machine
    assert config.databases == ()
    assert "# default = csv:D:\\data\\datafile.csv" in path.read_text()
    assert config.task_dir == data_dir(dirs, "node", "petronas") / "tasks"
    assert config.vpn.subnet == IPv4Network("10.76.0.0/16")  # the seed's vpn_subnet
    assert config.vpn.namespace == "v6-petronas"

    # secrets in files of their own, mode 0600, and never printed
    for secret, value in (
        ("petronas.api_key", KEY),
        ("petronas.registry-docker-registry.org.password", "docker-registry-password"),
    ):
        assert (folder / secret).read_text() == f"{value}\n"
        assert stat.S_IMODE((folder / secret).stat().st_mode) == 0o600
        assert value not in result.output
    assert KEY not in path.read_text()

    # logging: level, file, use_console, backup_count, max_size in kB, format, datefmt
    ini = raw_ini(path)
    log_file = data_dir(dirs, "node", "petronas") / "my_node.log"
    assert ini["logger_vantage6"]["level"] == "DEBUG"
    assert ini["handlers"]["keys"] == "log, file"
    assert ini["handler_log"]["kwargs"] == "{'maxBytes': 1048576, 'backupCount': 5}"
    assert ini["handler_file"]["args"] == f"('{log_file}', 'a', 1048576, 5, 'utf-8')"
    assert ini["formatter_generic"]["format"] == (
        "%(asctime)s - %(name)-14s - %(levelname)-8s - %(message)s"
    )
    assert ini["formatter_generic"]["datefmt"] == "%Y-%m-%d %H:%M:%S"
    logging_loads(path, folder)
    assert "written by the test" in log_file.read_text()

    # what was mapped, what needs a look, what was not mapped and why
    output = result.output
    for line in (
        "line 12  application.server_url -> [server] url",
        "line 18  application.api_path -> [server] api_path (empty: the root path)",
        "line 87  application.logging.max_size -> maxBytes = 1048576",
        "line 9   application.api_key: the documentation's ***: [node] api_key_file = "
        "petronas.api_key (mode 0600), with the key given with --api-key",
        "line 46  application.databases.default: a Windows path: written commented out",
        "line 94  application.task_dir: a Windows path: [node] task_dir = ",
        "line 21  application.vpn_subnet -> [vpn] subnet (the server's vantage6.vpn.subnet)",
        "Not mapped: (4)",
        "line 37  application.images.node: our node runs on this host as a service",
        "line 38  application.images.alpine: our node starts no helper containers",
        "line 39  application.images.vpn_client: our VPN is WireGuard run by the node itself "
        "([vpn] subnet), with no helper images",
        "line 40  application.images.network_config: our VPN is WireGuard run by the node",
    ):
        assert line in output, line
    assert "application.vpn_subnet" not in path.read_text()  # not among those not carried over
    assert "#   application.images.vpn_client: our VPN is WireGuard" in path.read_text()


def test_the_seed_node_example_asks_for_the_key_it_leaves_out(vnode, dirs):
    result = vnode("new", "--from-yaml", SEED_NODE, "--name", "asked", input=f"{KEY}\n")
    assert result.exit_code == 0, result.output
    assert "API key of application" in result.output
    assert load_config(config_dir(dirs, "node") / "asked.ini").api_key == KEY


def test_without_a_key_and_without_input_nothing_is_written(vnode, dirs):
    result = vnode("new", "--from-yaml", SEED_NODE, "--name", "keyless", "--no-input")
    assert result.exit_code == 1
    assert (
        "application.api_key: the file has no API key (or the documentation's ***): give it "
        "with --api-key" in result.output
    )
    assert not config_dir(dirs, "node").exists() or not any(config_dir(dirs, "node").iterdir())


def test_environments_become_sections_of_their_own(vnode, dirs, tmp_path):
    (tmp_path / "patients.csv").write_text("age\n1\n")
    (tmp_path / "synthetic.parquet").write_bytes(b"PAR1")
    (tmp_path / "images").mkdir()
    RSACryptor.create_new_rsa_key(tmp_path / "org.pem")
    source = tmp_path / "hospital.yaml"
    source.write_text(
        """\
application:
  api_key: app-key
  server_url: https://v6.example.org
  port: 443
  api_path: /api
  databases:
    default: patients.csv
    scans: images
  encryption:
    enabled: true
    private_key: org.pem
  logging:
    level: INFO
    max_size: 2048
  policies:
    allowed_algorithms: ['harbor2\\.vantage6\\.ai/demo/.*']
    allowed_users: [12, alice]
    allowed_organizations: [1, 4]
    allow_basics_algorithm: false
environments:
  test:
    api_key: test-key
    server_url: https://test.v6.example.org
    databases:
      - label: synthetic
        uri: synthetic.parquet
        type: parquet
        mount_mode: ro
    logging:
      level: DEBUG
  staging:
    api_key: x
"""
    )
    result = vnode("new", "--from-yaml", source, "--no-input")
    assert result.exit_code == 0, result.output
    path = config_dir(dirs, "node") / "hospital.ini"
    assert "✓ Wrote node 'hospital' (application, test)" in result.output
    assert "vnode start --name hospital --user -e test" in result.output

    application = load_config(path)
    assert application.api_key == "app-key" and application.encryption_enabled
    assert application.private_key == tmp_path / "org.pem"
    assert [(db.label, db.type, db.uri) for db in application.databases] == [
        ("default", "csv", str(tmp_path / "patients.csv")),
        ("scans", "folder", str(tmp_path / "images")),
    ]
    assert [p.pattern for p in application.policies.allowed_images] == [
        r"harbor2\.vantage6\.ai/demo/.*"
    ]
    assert application.policies.allowed_users == {12}
    assert application.policies.allowed_organizations == {1, 4}

    test = load_config(path, "test")
    assert test.name == "hospital-test" and test.api_key == "test-key"
    assert test.server_url == "https://test.v6.example.org" and test.port == 443
    assert not test.encryption_enabled  # the original's default, not the application's
    assert test.policies.allowed_images == ()
    assert {db.label for db in test.databases} == {"default", "scans", "synthetic"}
    assert raw_ini(path)["handler_log"]["kwargs"] == "{'maxBytes': 2097152, 'backupCount': 5}"

    for line in (
        "application.policies.allowed_users: alice: our node names users and organizations "
        "by id only",
        "application.policies.allow_basics_algorithm: we have no exception for the basics",
        "environments.test.databases[0].mount_mode: our node always mounts data read-only",
        "environments.test.logging: the ini file has one logging for all environments: "
        "application.logging is the one written",
        "environments.staging: an environment must be dev, test, acc or prod",
        "environments.test: also has application's databases default, scans",
        "environments.test.server_url -> [server@test] url",
    ):
        assert line in result.output, line


def test_vpn_subnet_becomes_each_environments_vpn_section(vnode, dirs, tmp_path):
    source = tmp_path / "hospital.yaml"
    source.write_text(
        """\
application:
  api_key: app-key
  server_url: https://v6.example.org
  vpn_subnet: 10.76.0.0/16
environments:
  test:
    api_key: test-key
    vpn_subnet: 10.77.0.0/16
  prod:
    api_key: prod-key
"""
    )
    result = vnode("new", "--from-yaml", source, "--no-input")
    assert result.exit_code == 0, result.output
    path = config_dir(dirs, "node") / "hospital.ini"
    application = load_config(path)
    assert application.vpn.subnet == IPv4Network("10.76.0.0/16")
    assert application.vpn.namespace == "v6-hospital"
    test = load_config(path, "test")
    assert test.vpn.subnet == IPv4Network("10.77.0.0/16")
    assert test.vpn.namespace == "v6-hospital-test"
    assert load_config(path, "prod").vpn.subnet == IPv4Network("10.76.0.0/16")
    assert "[vpn@test]\n" in path.read_text() and "[vpn@prod]" not in path.read_text()
    for line in (
        "line 4   application.vpn_subnet -> [vpn] subnet (the server's vantage6.vpn.subnet)",
        "line 8   environments.test.vpn_subnet -> [vpn@test] subnet",
        "environments.prod: also has application's vpn subnet 10.76.0.0/16: an environment's "
        "sections extend the application's",
    ):
        assert line in result.output, line
    assert "environments.test: also has" not in result.output  # its own subnet replaces it


def test_a_bad_vpn_subnet_is_a_problem_named_with_its_line(vnode, dirs, tmp_path):
    source = tmp_path / "badvpn.yaml"
    source.write_text(
        """\
application:
  api_key: app-key
  server_url: https://v6.example.org
  vpn_subnet: 10.76.0.1/16
environments:
  test:
    api_key: test-key
    vpn_subnet: vpn.example.org
"""
    )
    result = vnode("new", "--from-yaml", source, "--no-input")
    assert result.exit_code == 1
    assert f"cannot convert {source} (2 problem(s)); nothing was written" in result.output
    for line in (
        "line 4 application.vpn_subnet: must be an IPv4 network such as 10.76.0.0/16, not "
        "'10.76.0.1/16'",
        "line 8 environments.test.vpn_subnet: must be an IPv4 network such as 10.76.0.0/16, "
        "not 'vpn.example.org'",
    ):
        assert line in result.output, line
    assert not (config_dir(dirs, "node") / "badvpn.ini").exists()


def test_keys_of_4x_and_hidden_secrets_are_named(vnode, dirs, tmp_path):
    source = tmp_path / "node4x.yaml"
    source.write_text(
        """\
application:
  api_key: k-4x
  server_url: http://localhost
  databases:
    - label: triples
      uri: http://sparql.example.org/query
      type: sparql
  docker_registries:
    - registry: harbor2.vantage6.ai
      username: robot
      password: ***
  node_extra_env:
    HTTP_PROXY: http://proxy
  share_algorithm_logs: false
  whitelist:
    domains: [example.org]
"""
    )
    result = vnode("new", "--from-yaml", source)
    assert result.exit_code == 0, result.output
    config = load_config(config_dir(dirs, "node") / "node4x.ini")
    assert [(db.label, db.type) for db in config.databases] == [("triples", "other")]
    assert config.registries == ()
    for line in (
        "line 6   application.databases[0].uri: type 'sparql' is not ours: written as type other",
        "line 9   application.docker_registries[0]: its password is the documentation's *** for "
        "a secret: the registry is not written; add [registry:harbor2.vantage6.ai] with "
        "username and password_file by hand",
        "line 12  application.node_extra_env: our node runs on this host as a service "
        "(vnode start), not in a Docker container: set variables in its environment (with its "
        "keys HTTP_PROXY)",
        "line 14  application.share_algorithm_logs: the algorithms' logs always go to the server",
        "line 15  application.whitelist: we have no proxy that lets algorithms reach other hosts",
    ):
        assert line in result.output, line


def test_problems_are_listed_with_their_lines_and_nothing_is_written(vnode, dirs, tmp_path):
    source = tmp_path / "bad.yaml"
    source.write_text(
        "application:\n  server_url: petronas.vantage6.ai\n  port: https\n"
        "  encryption:\n    enabled: true\n    private_key: /nowhere/key.pem\n"
    )
    result = vnode("new", "--from-yaml", source, "--api-key", KEY)
    assert result.exit_code == 1
    assert f"cannot convert {source} (3 problem(s)); nothing was written" in result.output
    assert "line 2 application.server_url: must start with http:// or https://" in result.output
    assert "line 3 application.port: must be a whole number of at least 1" in result.output
    assert "line 6 application.encryption.private_key: file '/nowhere/key.pem' does not" in (
        result.output
    )
    assert not (config_dir(dirs, "node") / "bad.ini").exists()


def test_the_other_options_of_new_do_not_mix_with_a_yaml_file(vnode, vserver, dirs):
    result = vnode("new", "--from-yaml", SEED_NODE, "--server-url", "https://x.org")
    assert result.exit_code == 2
    assert "--server-url cannot be combined with --from-yaml" in result.output
    result = vnode("new", "--from-yaml", SEED_NODE, "-e", "test", "--api-key", KEY)
    assert result.exit_code == 2
    assert "-e/--environment cannot be combined with --from-yaml" in result.output
    result = vserver("new", "--from-yaml", SEED_SERVER, "--port", 7000)
    assert result.exit_code == 2
    assert "--port cannot be combined with --from-yaml" in result.output


# --- what is not such a YAML file --------------------------------------------------------------


def test_malformed_yaml_is_refused_naming_the_line(vnode, vserver, dirs, tmp_path):
    source = tmp_path / "broken.yaml"
    source.write_text("application:\n  server_url: https://x.org\n  port: [443\n")
    for command in (vnode, vserver):
        result = command("new", "--from-yaml", source, "--user")
        assert result.exit_code == 1
        assert f"Error: {source} is not valid YAML (line 4: " in result.output
    twice = tmp_path / "twice.yaml"
    twice.write_text("application:\n  port: 1\n  port: 2\n")
    result = vnode("new", "--from-yaml", twice)
    assert "is not valid YAML (line 3: duplicate key 'port')" in result.output
    for kind in ("node", "server"):
        assert not config_dir(dirs, kind).exists() or not any(config_dir(dirs, kind).iterdir())


def test_yaml_that_is_no_configuration_is_refused(vnode, vserver, tmp_path):
    batch = tmp_path / "batch.yaml"
    batch.write_text("organizations:\n  - name: IKNL\ncollaborations: []\n")
    result = vserver("new", "--from-yaml", batch, "--user")
    assert result.exit_code == 1
    assert (
        f"{batch} is not a vantage6 configuration (it looks like a batch import file: "
        "`vserver import FILE`): it has no `application:` and no `environments:` block"
    ) in result.output
    listed = tmp_path / "list.yaml"
    listed.write_text("- a\n- b\n")
    result = vnode("new", "--from-yaml", listed)
    assert result.exit_code == 1
    assert "is not a vantage6 configuration: it must be a YAML mapping" in result.output
    empty = tmp_path / "empty.yaml"
    empty.write_text("application:\n  ...\nenvironments:\n  prod:\n    ...\n")
    result = vnode("new", "--from-yaml", empty)
    assert result.exit_code == 1
    assert "has no settings to convert" in result.output


def test_a_server_file_given_to_vnode_and_a_node_file_to_vserver_are_refused(vnode, vserver):
    result = vnode("new", "--from-yaml", SEED_SERVER)
    assert result.exit_code == 1
    assert "looks like a server configuration (it has allow_drop_all, description," in (
        result.output
    )
    assert "use `vserver new --from-yaml`" in result.output
    result = vserver("new", "--from-yaml", SEED_NODE, "--user")
    assert result.exit_code == 1
    assert "looks like a node configuration" in result.output
    assert "use `vnode new --from-yaml`" in result.output


# --- the server --------------------------------------------------------------------------------


def test_the_seed_server_example_becomes_an_ini_the_server_loads(vserver, dirs):
    result = vserver("new", "--from-yaml", SEED_SERVER, "--user", "--name", "seeded")
    assert result.exit_code == 0, result.output
    path = config_dir(dirs, "server") / "seeded.ini"
    assert f"✓ Wrote server 'seeded' (test) from {SEED_SERVER} to {path}" in result.output
    assert "vserver start --name seeded --user -e test" in result.output
    assert stat.S_IMODE(path.stat().st_mode) == 0o600  # it holds the secrets

    settings = server_settings(path, "test")
    data = data_dir(dirs, "server", "seeded")
    assert settings["vantage6.server_name"] == "Test"
    assert settings["vantage6.type"] == "test"
    assert settings["vantage6.jwt.access_expires_seconds"] == 24 * 3600
    assert settings["vantage6.profile"] == "development"
    assert settings["vantage6.api_path"] == "/api"
    assert settings["sqlalchemy.url"] == f"sqlite:///{data}/test.sqlite"
    assert data.is_dir()
    assert settings["vantage6.allow_drop_all"] == "true"
    assert settings["vantage6.jwt.secret"] == "super-secret-key!"
    assert settings["vantage6.smtp.host"] == "smtp.yourmailserver.com"
    assert settings["vantage6.smtp.port"] == 587
    assert settings["vantage6.smtp.username"] == "your-username"
    assert settings["vantage6.smtp.password"] == "super-secret-password"
    assert settings["vantage6.support_email"] == "your-support@email.com"
    assert settings["vantage6.email_token_validity_minutes"] == 60
    instance = Instance.named(FoundConfig("seeded", path, Scope.USER), environment="test")
    assert instance.listen() == ("0.0.0.0", 5000)
    assert instance.settings()["vantage6.server_name"] == "Test"

    ini = raw_ini(path)
    assert ini["logger_vantage6"]["level"] == "DEBUG"
    assert ini["handler_log"]["kwargs"] == "{'maxBytes': 1048576, 'backupCount': 5}"
    assert ini["handler_file"]["args"] == f"('{data / 'test.log'}', 'a', 1048576, 5, 'utf-8')"
    logging_loads(path, path.parent)

    output = result.output
    for secret in ("super-secret-key!", "super-secret-password"):
        assert secret not in output
    for line in (
        "line 18  environments.test.type -> [app:test] vantage6.type = test (tokens last a day)",
        "line 35  environments.test.uri -> [app:test] sqlalchemy.url (the file ",
        "line 48  environments.test.jwt_secret_key -> [app:test] vantage6.jwt.secret",
        "line 67  environments.test.logging.max_size -> maxBytes = 1048576",
        "line 80  environments.test.smtp.password -> [app:test] vantage6.smtp.password",
        "Not mapped: (3)",
        "line 6   application: the documentation's '...' for settings it leaves out",
        "line 94  environments.test.vpn_server: we do not support the original's EduVPN: our "
        "VPN between algorithm containers is WireGuard, set with vantage6.vpn.subnet",
        "(with its keys url, redirect_url, client_id, client_secret, portal_username, "
        "portal_userpass)",
        "line 108 environments.prod: the documentation's '...'",
    ):
        assert line in output, line


def test_a_server_file_with_application_and_prod(vserver, dirs, tmp_path):
    source = tmp_path / "central.yaml"
    source.write_text(
        """\
application:
  description: Central
  uri: postgresql://v6:pw%40x@db.example.org/vantage6
  api_path: ''
  jwt_secret_key: ***
  rabbitmq:
    uri: amqp://rabbit
environments:
  prod:
    type: prod
    port: 443
    smtp:
      server: smtp.example.org
      port: 465
      username: mailer@example.org
      password: mail-secret
"""
    )
    result = vserver("new", "--from-yaml", source, "--user", "--jwt-secret", "given-secret")
    assert result.exit_code == 0, result.output
    path = config_dir(dirs, "server") / "central.ini"
    main = server_settings(path, "main")
    assert main["sqlalchemy.url"] == "postgresql+psycopg://v6:pw%40x@db.example.org/vantage6"
    assert main["vantage6.api_path"] == "" and main["vantage6.ui.enabled"] is False
    assert main["vantage6.jwt.secret"] == "given-secret"
    assert main["vantage6.profile"] == "production"
    prod = server_settings(path, "prod")
    assert prod["vantage6.type"] == "prod" and prod["vantage6.profile"] == "production"
    assert prod["vantage6.smtp.security"] == "ssl"
    assert prod["vantage6.email_from"] == "mailer@example.org"
    assert prod["vantage6.jwt.secret"] == "given-secret"  # for each block without one
    assert "[server:prod]\nuse = egg:vantage6#gevent_ws\nlisten = 0.0.0.0:443\n" in (
        path.read_text()
    )
    for line in (
        "application.uri: [app:main] sqlalchemy.url, as postgresql+psycopg://",
        "application.jwt_secret_key: the documentation's ***: [app:main] vantage6.jwt.secret is "
        "the one given with --jwt-secret",
        "application.rabbitmq: we have no RabbitMQ",
        "environments.prod.smtp.server: [app:prod] vantage6.email_from (the sender, which SMTP "
        "needs here) is smtp.username",
    ):
        assert line in result.output, line
    for secret in ("pw%40x", "given-secret", "mail-secret"):
        assert secret not in result.output
