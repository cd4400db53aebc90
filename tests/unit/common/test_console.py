"""The names the seeds import from ``vantage6.common``."""

import subprocess
import sys

from vantage6.common import check_config_write_permissions, error, info, warning


def test_info_goes_to_stdout_and_problems_to_stderr(capsys):
    info("server started")
    warning("weak password")
    error("no key")
    out, err = capsys.readouterr()
    assert "server started" in out and "server started" not in err
    assert "weak password" in err and "no key" in err and "[error]" in err


def test_user_config_folders_that_do_not_exist_yet_count_as_writable(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "not" / "yet"))
    assert check_config_write_permissions(system_folders=False) is True
    assert not (tmp_path / "not").exists()  # checking creates nothing


def test_the_algorithm_tools_import_without_the_servers_libraries():
    """Algorithm images carry vantage6.common but not click, cryptography or platformdirs."""
    probe = (
        "import sys, vantage6.algorithm, vantage6.common.task_status; "
        "print(sorted({'click', 'cryptography', 'platformdirs'} & set(sys.modules)))"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
