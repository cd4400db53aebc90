"""``/recover/lost`` and ``/recover/reset`` end to end through a real SMTP server, and the
email that tells a user their account got blocked."""

import datetime as dt
import logging

import jwt
import pytest
from sqlalchemy import select, update

from tests.functional.api.conftest import JWT_SECRET
from tests.smtp_server import free_port
from vantage6.server.mail import mailer
from vantage6.server.models import User
from vantage6.server.security.login import PASSWORD_RULES

SENT = {"msg": "If the username or email is known here, an email with a reset token is on its way"}
NEW = "New-password-2"


@pytest.fixture
def api(make_api, inbox):
    """An app that mails through ``inbox``, with user alice (alice@example.org)."""
    api = make_api(**inbox.settings(), **{"vantage6.login.max_failed_attempts": "3"})
    api.account("alice", "alice@example.org")
    return api


def ask_reset(api, inbox, **body):
    api.app.post_json("/api/recover/lost", body or {"username": "alice"})
    return inbox.token(api.delivered(inbox)[-1])


def login_status(api, password):
    body = {"username": "alice", "password": password}
    return api.app.post_json("/api/token/user", body, expect_errors=True).status_int


def test_a_mailed_token_resets_the_password_once(api, inbox):
    assert api.app.post_json("/api/recover/lost", {"username": "alice"}).json == SENT
    [message] = api.delivered(inbox)
    assert message["To"] == "alice@example.org"
    assert message["From"] == "vantage6@example.org"
    assert "ignore this email" in message.get_content()
    token = inbox.token(message)
    reset = api.app.post_json("/api/recover/reset", {"reset_token": token, "password": NEW})
    assert reset.json == {"msg": "Your password has been reset"}
    assert (login_status(api, NEW), login_status(api, "Password-1")) == (200, 401)
    again = {"reset_token": token, "password": "Third-password-3"}
    reused = api.app.post_json("/api/recover/reset", again, status=400)
    assert "already been used" in reused.json["msg"]
    assert login_status(api, NEW) == 200


def test_the_answer_is_the_same_whether_or_not_the_account_exists(api, inbox):
    asks = [{"username": "nobody"}, {"email": "nobody@example.org"}, {"username": "alice"}]
    answers = [api.app.post_json("/api/recover/lost", body).json for body in asks]
    assert answers == [SENT] * 3
    assert [m["To"] for m in api.delivered(inbox)] == ["alice@example.org"]


def test_the_account_can_be_found_by_its_email(api, inbox):
    token = ask_reset(api, inbox, email="alice@example.org")
    api.app.post_json("/api/recover/reset", {"reset_token": token, "password": NEW})
    assert login_status(api, NEW) == 200


def test_reset_emails_are_rate_limited_per_user(api, inbox):
    for _ in range(3):
        api.app.post_json("/api/recover/lost", {"username": "alice"})
    assert len(api.delivered(inbox)) == 1
    with api.session() as session, session.begin():
        an_hour_ago = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=61)
        session.execute(update(User).values(last_email_recover_password_sent=an_hour_ago))
    api.app.post_json("/api/recover/lost", {"username": "alice"})
    assert len(api.delivered(inbox)) == 2


def test_a_reset_lifts_the_lockout(api, inbox):
    for _ in range(3):
        login_status(api, "wrong")
    assert login_status(api, "Password-1") == 401
    token = ask_reset(api, inbox)
    api.app.post_json("/api/recover/reset", {"reset_token": token, "password": NEW})
    assert login_status(api, NEW) == 200


@pytest.mark.parametrize(
    "weak", ["Short-1", "no-uppercase-1", "NO-LOWERCASE-1", "No-digits-here", "NoSpecial123"]
)
def test_weak_passwords_are_refused_with_one_clear_message_and_keep_the_token(api, inbox, weak):
    token = ask_reset(api, inbox)
    refused = api.app.post_json(
        "/api/recover/reset", {"reset_token": token, "password": weak}, status=400
    )
    assert refused.json == {"msg": PASSWORD_RULES}
    api.app.post_json("/api/recover/reset", {"reset_token": token, "password": NEW})


def test_reset_tokens_expire_after_the_configured_minutes(make_api, inbox):
    api = make_api(**inbox.settings(), **{"vantage6.email_token_validity_minutes": "5"})
    api.account("alice", "alice@example.org")
    token = ask_reset(api, inbox)
    claims = jwt.decode(token, JWT_SECRET, algorithms=["HS256"])
    assert claims["exp"] - claims["iat"] == 5 * 60
    claims["exp"] = claims["iat"] - 1  # the same token, as it is once its time is up
    expired = jwt.encode(claims, JWT_SECRET, algorithm="HS256")
    response = api.app.post_json(
        "/api/recover/reset", {"reset_token": expired, "password": NEW}, status=400
    )
    assert "expired" in response.json["msg"]


def test_reset_tokens_and_access_tokens_do_not_stand_in_for_each_other(api, inbox):
    token = ask_reset(api, inbox)
    as_bearer = api.app.get(
        "/api/organization", headers={"Authorization": f"Bearer {token}"}, status=401
    )
    assert "reset_password token cannot be used here" in as_bearer.json["msg"]
    access = api.app.post_json(
        "/api/token/user", {"username": "alice", "password": "Password-1"}
    ).json["access_token"]
    forged = jwt.encode(
        {**jwt.decode(token, JWT_SECRET, algorithms=["HS256"]), "sub": "1"},
        "another-secret-" + "y" * 40,
        algorithm="HS256",
    )
    for wrong, reason in [
        (access, "access token cannot be used here"),
        (forged, "Signature verification failed"),
        ("not.a.token", "invalid token"),
    ]:
        body = {"reset_token": wrong, "password": NEW}
        response = api.app.post_json("/api/recover/reset", body, status=400)
        assert response.json["msg"].startswith("The reset token is not valid")
        assert reason in response.json["msg"]


def test_a_token_dies_when_the_password_changes_in_another_way(api, inbox):
    token = ask_reset(api, inbox)
    headers = api.login("alice", "Password-1")
    change = {"current_password": "Password-1", "new_password": NEW}
    api.app.patch_json("/api/password/change", change, headers=headers)
    body = {"reset_token": token, "password": "Third-password-3"}
    api.app.post_json("/api/recover/reset", body, status=400)


@pytest.mark.parametrize(
    "body, field",
    [
        ({}, "body"),
        ({"username": 5}, "username"),
        ({"username": ""}, "username"),
        ({"username": "alice", "admin": True}, "body"),
    ],
)
def test_bad_recovery_requests_are_400(api, body, field):
    response = api.app.post_json("/api/recover/lost", body, status=400)
    assert field in response.json["errors"]


def test_without_smtp_the_answer_is_the_same_and_the_log_says_why(make_api, caplog):
    api = make_api()
    api.account("alice", "alice@example.org")
    with caplog.at_level(logging.WARNING):
        assert api.app.post_json("/api/recover/lost", {"username": "alice"}).json == SENT
    assert "no SMTP server is configured (vantage6.smtp.host)" in caplog.text


def test_a_failing_smtp_server_is_logged_not_answered(make_api, caplog):
    settings = {
        "vantage6.smtp.host": "127.0.0.1",
        "vantage6.smtp.port": str(free_port()),  # nothing listens there
        "vantage6.smtp.username": "mailer",
        "vantage6.smtp.password": "smtp-password-42",
        "vantage6.email_from": "vantage6@example.org",
    }
    api = make_api(**settings)
    api.account("alice", "alice@example.org")
    with caplog.at_level(logging.INFO):
        assert api.app.post_json("/api/recover/lost", {"username": "alice"}).json == SENT
        mailer(api.wsgi.registry).wait()
    assert "Could not email 'Reset your vantage6 password' to user 'alice'" in caplog.text
    assert "smtp-password-42" not in caplog.text


def test_blocking_an_account_mails_its_owner_at_most_once_per_interval(api, inbox):
    for _ in range(5):  # three failures block the account; two more while it is blocked
        assert login_status(api, "wrong") == 401
    [notice] = api.delivered(inbox)
    assert notice["Subject"] == "Failed login attempts on your vantage6 account"
    assert "3 failed attempts" in notice.get_content()
    with api.session() as session, session.begin():
        an_hour_ago = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=61)
        session.execute(update(User).values(last_email_failed_login_sent=an_hour_ago))
    login_status(api, "wrong")
    assert len(api.delivered(inbox)) == 2


def test_a_blocked_account_answers_like_an_unknown_one(api):
    for _ in range(3):
        login_status(api, "wrong")
    answers = [
        api.app.post_json("/api/token/user", {"username": name, "password": password}, status=401)
        for name, password in [("alice", "Password-1"), ("nobody", "Password-1")]
    ]
    assert answers[0].json == answers[1].json == {"msg": "Failed to login"}


def password_hash(api) -> str:
    with api.session() as session:
        return session.scalars(select(User._password_hash).filter_by(username="alice")).one()


def test_no_secret_reaches_a_response_the_log_or_the_email(api, inbox, caplog):
    old_hash = password_hash(api)
    with caplog.at_level(logging.DEBUG):
        responses = [api.app.post_json("/api/recover/lost", {"username": "alice"})]
        [message] = api.delivered(inbox)
        token = inbox.token(message)
        body = {"reset_token": token, "password": NEW}
        responses.append(api.app.post_json("/api/recover/reset", body))
    exposed = caplog.text + "".join(response.text for response in responses)
    for secret in (token, old_hash, password_hash(api), NEW, "Password-1"):
        assert secret not in exposed
    assert old_hash not in message.as_string() and "Password-1" not in message.as_string()
