"""The mailer: sends through a real SMTP server, only after a commit, and never fails loudly."""

import datetime as dt
import logging
from types import SimpleNamespace

import pytest
import transaction

from tests.smtp_server import Credentials, running_smtp_server
from vantage6.server.mail import Mailer
from vantage6.server.models import User
from vantage6.server.settings import load_settings

ALICE = User(username="alice", firstname="Alice", email="alice@example.org")


def make_mailer(inbox, **overrides) -> Mailer:
    return Mailer(load_settings({"sqlalchemy.url": "sqlite://", **inbox.settings(**overrides)}, {}))


def a_request():
    """What the mailer needs of a request: its transaction manager and the caller's address."""
    manager = transaction.TransactionManager(explicit=True)
    manager.begin()
    return SimpleNamespace(tm=manager, client_addr="192.0.2.7")


@pytest.fixture
def inbox():
    with running_smtp_server() as inbox:
        yield inbox


def test_a_message_leaves_when_the_transaction_commits_and_not_when_it_aborts(inbox):
    mailer = make_mailer(inbox)
    aborted, committed = a_request(), a_request()
    mailer.password_reset(aborted, ALICE, "token-of-the-aborted-request")
    mailer.password_reset(committed, ALICE, "token-of-the-committed-request")
    mailer.wait()
    assert inbox.messages == []  # nothing before the commit
    aborted.tm.abort()
    committed.tm.commit()
    mailer.wait()
    [message] = inbox.messages
    assert "token-of-the-committed-request" in message.get_content()
    assert message["Subject"] == "Reset your vantage6 password"
    assert message.get_content().startswith("Hello Alice,")


def test_it_logs_in_to_the_smtp_server_when_given_credentials(caplog):
    with running_smtp_server(
        authenticator=Credentials("mailer", "right-pw"), auth_require_tls=False
    ) as inbox:
        for password in ("wrong-pw", "right-pw"):
            mailer = make_mailer(
                inbox, **{"vantage6.smtp.username": "mailer", "vantage6.smtp.password": password}
            )
            request = a_request()
            mailer.password_reset(request, ALICE, "a-token")
            request.tm.commit()
            mailer.wait()
    assert len(inbox.messages) == 1
    assert "Could not email" in caplog.text
    assert "wrong-pw" not in caplog.text and "a-token" not in caplog.text


def test_starttls_that_the_server_does_not_offer_is_an_error_in_the_log(inbox, caplog):
    mailer = make_mailer(inbox, **{"vantage6.smtp.security": "starttls"})
    request = a_request()
    mailer.password_reset(request, ALICE, "a-token")
    request.tm.commit()  # no exception here, whatever the SMTP server does
    mailer.wait()
    assert inbox.messages == []
    assert "STARTTLS extension not supported by server" in caplog.text


@pytest.mark.parametrize("email", [None, "alice@example.org\r\nBcc: eve@example.org"])
def test_an_absent_or_unusable_address_gets_nothing(inbox, caplog, email):
    mailer = make_mailer(inbox)
    request = a_request()
    with caplog.at_level(logging.WARNING):
        mailer.password_reset(request, User(username="bob", email=email), "a-token")
    request.tm.commit()
    mailer.wait()
    assert inbox.messages == []
    assert "Not emailing 'Reset your vantage6 password' to user 'bob'" in caplog.text


def test_the_lockout_notice_says_what_happened_and_what_to_do(inbox):
    mailer = make_mailer(inbox, **{"vantage6.server_name": "lab"})
    request = a_request()
    blocked = User(username="alice", email="alice@example.org", failed_login_attempts=5)
    mailer.lockout(request, blocked, dt.datetime(2030, 1, 2, 3, 4, tzinfo=dt.UTC))
    request.tm.commit()
    mailer.wait()
    text = inbox.messages[0].get_content()
    assert '5 failed attempts to log in to your account "alice"' in text
    assert 'server "lab"' in text and "192.0.2.7" in text and "2030-01-02 03:04 UTC" in text
    assert "reset your password" in text and "ignore this email" in text


def test_the_smtp_settings_never_show_the_password(inbox):
    mailer = make_mailer(
        inbox, **{"vantage6.smtp.username": "mailer", "vantage6.smtp.password": "s3cret"}
    )
    assert "s3cret" not in repr(mailer.smtp) and "s3cret" not in str(mailer.smtp)


@pytest.mark.parametrize(
    "overrides, support",
    [
        ({"vantage6.support_email": "help@example.org"}, "help@example.org"),
        ({}, "vantage6@example.org"),  # the seed: "defaults to the address you set above"
    ],
)
def test_the_email_sends_users_with_questions_to_the_support_address(inbox, overrides, support):
    mailer = make_mailer(inbox, **overrides)
    request = a_request()
    mailer.password_reset(request, ALICE, "a-token")
    request.tm.commit()
    mailer.wait()
    [message] = inbox.messages
    assert message.get_content().rstrip().endswith(f"Questions? Contact {support}.")
