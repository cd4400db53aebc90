"""``vserver new`` in a real terminal (tmux): a person typing the answers, prompt by prompt.

tmux comes from scripts/bootstrap-system; without it the test is skipped, except in CI.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import time
import uuid
from pathlib import Path

import pytest
from pyramid.paster import get_appsettings

from tests.functional.cli.helpers import VSERVER

pytestmark = pytest.mark.skipif(
    shutil.which("tmux") is None and os.environ.get("CI") != "true",
    reason="tmux is not installed (scripts/bootstrap-system installs it)",
)


class Terminal:
    """One tmux session on a private server socket."""

    def __init__(self, command: str):
        self.socket = f"vserver-test-{uuid.uuid4().hex[:8]}"
        self.tmux("new-session", "-d", "-s", "wizard", "-x", "160", "-y", "60", command)

    def tmux(self, *args) -> str:
        done = subprocess.run(["tmux", "-L", self.socket, *args], capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        return done.stdout

    def screen(self) -> str:
        return self.tmux("capture-pane", "-p", "-t", "wizard")

    def wait_for(self, text: str, seconds: float = 30) -> str:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            screen = self.screen()
            if text in screen:
                return screen
            time.sleep(0.1)
        pytest.fail(f"{text!r} did not appear; the screen:\n{self.screen()}")

    def answer(self, prompt: str, keys: str) -> None:
        """Wait for the prompt (as the last line on screen), then type and press Enter."""
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            lines = [line for line in self.screen().splitlines() if line.strip()]
            if lines and prompt in lines[-1]:
                break
            time.sleep(0.1)
        else:
            pytest.fail(f"prompt {prompt!r} did not appear; the screen:\n{self.screen()}")
        if keys:
            self.tmux("send-keys", "-t", "wizard", "-l", keys)
        self.tmux("send-keys", "-t", "wizard", "Enter")

    def close(self) -> None:
        subprocess.run(["tmux", "-L", self.socket, "kill-server"], capture_output=True)


def test_a_person_answers_the_wizard_in_a_terminal(dirs):
    environment = " ".join(f"{key}={shlex.quote(value)}" for key, value in dirs.items())
    command = f"env {environment} {VSERVER} new --user; echo EXIT=$?; sleep 60"
    terminal = Terminal(command)
    try:
        terminal.answer("Name of the new server configuration:", "term")
        terminal.answer("Description (shown to users)", "Typed by hand")
        terminal.answer("Profile", "production")
        terminal.answer("IP address to listen on", "127.0.0.1")
        terminal.answer("Port", "70000")
        terminal.answer("Port", "7611")
        terminal.answer("API path", "")
        terminal.answer("Database URL", "")
        terminal.answer("Migrate the database schema automatically", "y")
        terminal.answer("Allow `vserver import --drop-all`", "")
        terminal.answer("Log level", "WARNING")
        terminal.answer("SMTP server", "smtp.example.org")
        terminal.answer("SMTP port", "")
        terminal.answer("SMTP security", "")
        terminal.answer("SMTP username", "mailer")
        terminal.answer("SMTP password", "hidden-Secret-1")
        terminal.answer("Emails come from", "")
        terminal.answer("Support email", "help@example.org")
        terminal.answer("Require two-factor", "")
        screen = terminal.wait_for("EXIT=")
    finally:
        terminal.close()

    assert "EXIT=0" in screen, screen
    assert "70000 is not in the range" in screen
    assert "hidden-Secret-1" not in screen  # the password prompt does not echo
    assert "✓ Wrote environment 'application' of server 'term'" in screen
    config = Path(dirs["XDG_CONFIG_HOME"]) / "vantage6" / "server" / "term.ini"
    settings = get_appsettings(str(config))
    assert settings["vantage6.server_name"] == "Typed by hand"
    assert settings["vantage6.profile"] == "production"
    assert settings["vantage6.allow_drop_all"] == "false"
    assert settings["vantage6.smtp.password"] == "hidden-Secret-1"
    assert settings["vantage6.email_from"] == "vantage6@smtp.example.org"
    assert settings["vantage6.support_email"] == "help@example.org"
    assert "listen = 127.0.0.1:7611" in config.read_text()
