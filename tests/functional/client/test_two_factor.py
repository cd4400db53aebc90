"""Two-factor login (pyotp as the authenticator app) and the emailed resets of the password and
the two-factor secret, on a server that requires 2FA and sends email to a real SMTP server."""

from __future__ import annotations

import re
import time

import pyotp
import pytest

from tests.functional.client.conftest import PASSWORD, client_for, unique
from tests.smtp_server import running_smtp_server
from vantage6.client import AuthenticationError, ServerError


@pytest.fixture(scope="module")
def inbox():
    with running_smtp_server() as inbox:
        yield inbox


@pytest.fixture(scope="module")
def server(launch, inbox):
    return launch(**inbox.settings(**{"vantage6.two_factor_auth": "true"}))


def token_sent(inbox, address: str, seconds: float = 10) -> str:
    """The reset token of the email to ``address`` (sent after the request's commit)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        for message in inbox.messages:
            if address in message["To"]:
                return inbox.token(message)
        time.sleep(0.1)
    pytest.fail(f"no email to {address} within {seconds} s")


def enrol(server, username: str, password: str, capsys) -> str:
    """The first login: the client prints how to set up the app and answers False."""
    assert client_for(server).authenticate(username, password) is False
    printed = capsys.readouterr().out
    assert "Two-factor authentication: add this account to an authenticator app" in printed
    assert f"otpauth://totp/vantage6%20%28vantage6%20development%20server%29:{username}" in printed
    return re.search(r"enter this secret by hand: (\w+)", printed).group(1)


@pytest.fixture(scope="module")
def root_secret(server) -> str:
    """Root's enrolment, by raw REST."""
    status, answer = server.call("POST", "/token/user", {"username": "root", "password": "root"})
    assert status == 200
    return answer["otp_secret"]


@pytest.fixture(scope="module")
def root(server, root_secret):
    """Root, logged in once: a code logs in only once."""
    client = client_for(server)
    assert client.authenticate("root", "root", mfa_code=pyotp.TOTP(root_secret).now())
    return client


@pytest.fixture
def user(root) -> dict:
    username = unique("tfa")
    email = f"{username}@example.org"
    root.user.create(username, None, None, PASSWORD, email, root.whoami.organization_id)
    return {"username": username, "email": email}


def test_login_with_the_code_of_the_authenticator_app(server, user, capsys):
    secret = enrol(server, user["username"], PASSWORD, capsys)
    client = client_for(server)
    with pytest.raises(AuthenticationError, match="two-factor authentication code: client"):
        client.authenticate(user["username"], PASSWORD)
    with pytest.raises(ServerError, match="code is incorrect") as info:
        wrong = f"{(int(pyotp.TOTP(secret).now()) + 500_000) % 1_000_000:06d}"
        client.authenticate(user["username"], PASSWORD, mfa_code=wrong)
    assert info.value.status == 401
    assert client.authenticate(user["username"], PASSWORD, mfa_code=pyotp.TOTP(secret).now())
    assert client.whoami.name == user["username"]
    # A code logs in once: the next one (good within the allowed drift) does it again.
    as_number = int(pyotp.TOTP(secret).at(time.time() + 30))  # an int keeps its leading zeros
    assert client_for(server).authenticate(user["username"], PASSWORD, mfa_code=as_number)


def test_lost_two_factor_secret_is_reset_by_email(server, inbox, user, capsys):
    old_secret = enrol(server, user["username"], PASSWORD, capsys)
    client = client_for(server)
    answer = client.util.reset_two_factor_auth(PASSWORD, username=user["username"])
    assert "on its way" in answer["msg"]
    new = client.util.set_two_factor_auth(token_sent(inbox, user["email"]))
    assert new["otp_secret"] != old_secret
    assert new["otp_secret"] in capsys.readouterr().out
    code = pyotp.TOTP(new["otp_secret"]).now()
    assert client.authenticate(user["username"], PASSWORD, mfa_code=code)
    # Logged in, the username may be left out.
    assert "on its way" in client.util.reset_two_factor_auth(PASSWORD)["msg"]


def test_forgotten_password_is_reset_by_email(server, inbox, user, capsys):
    secret = enrol(server, user["username"], PASSWORD, capsys)
    client = client_for(server)
    assert "reset token" in client.util.reset_my_password(email=user["email"])["msg"]
    token = token_sent(inbox, user["email"])
    assert "reset" in client.util.set_my_password(token, "Brand-new-pass-4")["msg"]
    code = pyotp.TOTP(secret).now()
    assert client.authenticate(user["username"], "Brand-new-pass-4", mfa_code=code)
