"""Two-factor login (TOTP) when the server requires it, each code once; enrolling at the first
login or by email, and resetting it by email."""

import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import parse_qs, urlparse

import pyotp
import pytest
from sqlalchemy import select
from webtest import TestApp

from vantage6.server.mail import mailer
from vantage6.server.models import User

CODE_MISSING = {"msg": "Please include your two-factor authentication code"}
BAD_CODE = {"msg": "Your two-factor authentication code is incorrect, or was used before"}


@pytest.fixture
def api(make_api, inbox):
    """A server named "lab" that requires 2FA, mails through ``inbox``, and has user alice."""
    api = make_api(
        **inbox.settings(),
        **{
            "vantage6.two_factor_auth": "true",
            "vantage6.server_name": "lab",
            "vantage6.login.max_failed_attempts": "3",
        },
    )
    api.account("alice", "alice@example.org")
    return api


def login(api, code=None, password="Password-1", status=200):
    body = {"username": "alice", "password": password}
    if code is not None:
        body["mfa_code"] = code
    return api.app.post_json("/api/token/user", body, status=status).json


def failures(api) -> int:
    with api.session() as session:
        query = select(User.failed_login_attempts).filter_by(username="alice")
        return session.scalars(query).one()


@pytest.fixture
def totp(api) -> pyotp.TOTP:
    """Alice, enrolled: her authenticator."""
    return pyotp.TOTP(login(api)["otp_secret"])


def test_the_first_login_enrols_and_later_ones_need_the_code(api):
    enrolment = login(api)
    assert set(enrolment) == {"qr_uri", "otp_secret", "msg"}
    uri = urlparse(enrolment["qr_uri"])
    assert (uri.scheme, uri.netloc) == ("otpauth", "totp")
    assert parse_qs(uri.query)["issuer"] == ["vantage6 (lab)"]
    assert parse_qs(uri.query)["secret"] == [enrolment["otp_secret"]]
    assert login(api) == CODE_MISSING
    assert login(api, code="") == CODE_MISSING
    tokens = login(api, code=pyotp.TOTP(enrolment["otp_secret"]).now())
    assert set(tokens) >= {"access_token", "refresh_token"}


def test_codes_of_the_neighbouring_30_seconds_count_but_older_ones_do_not(api, totp):
    now = time.time()
    assert "access_token" in login(api, code=totp.at(now - 30))
    assert login(api, code=totp.at(now - 90), status=401) == BAD_CODE


def test_a_code_logs_in_once_and_no_earlier_code_works_after_it(api, totp):
    now = time.time()
    assert "access_token" in login(api, code=totp.at(now))
    assert login(api, code=totp.at(now), status=401) == BAD_CODE  # replayed
    assert login(api, code=totp.at(now - 30), status=401) == BAD_CODE  # older than the last
    assert "access_token" in login(api, code=totp.at(now + 30))  # the next one still works
    assert failures(api) == 0


def test_of_concurrent_logins_with_one_code_only_one_gets_in(api, totp):
    code = totp.now()
    start = threading.Barrier(6)

    def attempt(_) -> int:
        app = TestApp(api.wsgi)  # one client per thread, all on the same server
        body = {"username": "alice", "password": "Password-1", "mfa_code": code}
        start.wait()
        return app.post_json("/api/token/user", body, expect_errors=True).status_int

    with ThreadPoolExecutor(max_workers=6) as pool:
        statuses = sorted(pool.map(attempt, range(6)))
    assert statuses == [200, 401, 401, 401, 401, 401]


def test_a_wrong_code_is_a_failed_attempt_and_leads_to_lockout(api, totp):
    wrong = f"{(int(totp.now()) + 500000) % 1000000:06d}"
    for expected in (1, 2, 3):
        assert login(api, code=wrong, status=401) == BAD_CODE
        assert failures(api) == expected
    assert login(api, code=totp.now(), status=401) == {"msg": "Failed to login"}


def test_only_a_complete_login_clears_the_failures(api, inbox, totp):
    wrong = f"{(int(totp.now()) + 500000) % 1000000:06d}"
    login(api, code=wrong, status=401)
    login(api)  # the right password without a code
    body = {"username": "alice", "password": "Password-1"}
    api.app.post_json("/api/recover/2fa/lost", body)
    assert failures(api) == 1
    login(api, code=totp.now())
    assert failures(api) == 0


@pytest.mark.parametrize("code", ["12345", "1234567", "abcdef", 123456])
def test_malformed_codes_are_400(api, totp, code):
    response = login(api, code=code, status=400)
    assert "mfa_code" in response["errors"]


def test_a_lost_second_factor_is_reset_by_an_emailed_token_once(api, inbox, totp):
    body = {"username": "alice", "password": "Password-1"}
    answer = api.app.post_json("/api/recover/2fa/lost", body).json
    assert "on its way" in answer["msg"]
    [message] = api.delivered(inbox)
    assert message["Subject"] == "Reset your vantage6 two-factor authentication"
    assert totp.secret not in message.as_string()
    token = inbox.token(message)
    renewed = api.app.post_json("/api/recover/2fa/reset", {"reset_token": token}).json
    assert set(renewed) == {"qr_uri", "otp_secret", "msg"}
    assert renewed["otp_secret"] != totp.secret
    assert login(api, code=pyotp.TOTP(renewed["otp_secret"]).now())["access_token"]
    reused = api.app.post_json("/api/recover/2fa/reset", {"reset_token": token}, status=400)
    assert "already been used" in reused.json["msg"]


def test_asking_for_a_2fa_reset_with_a_wrong_password_is_a_failed_login(api, inbox):
    body = {"username": "alice", "password": "wrong"}
    response = api.app.post_json("/api/recover/2fa/lost", body, status=401)
    assert response.json == {"msg": "Failed to login"}
    assert failures(api) == 1
    assert api.delivered(inbox) == []


def test_a_password_reset_token_does_not_reset_the_second_factor(api, inbox, totp):
    api.app.post_json("/api/recover/lost", {"username": "alice"})
    token = inbox.token(api.delivered(inbox)[0])
    response = api.app.post_json("/api/recover/2fa/reset", {"reset_token": token}, status=400)
    assert "reset_password token cannot be used here" in response.json["msg"]


def test_the_secret_appears_only_in_the_enrolment_answer(api, caplog):
    with caplog.at_level(logging.DEBUG):
        secret = login(api)["otp_secret"]
        tokens = api.app.post_json(
            "/api/token/user",
            {"username": "alice", "password": "Password-1", "mfa_code": pyotp.TOTP(secret).now()},
        )
        refresh = {"Authorization": f"Bearer {tokens.json['refresh_token']}"}
        responses = [
            tokens,
            api.app.post("/api/token/refresh", headers=refresh),
            api.app.post_json("/api/token/user", {"username": "alice", "password": "Password-1"}),
            api.app.post_json(
                "/api/recover/2fa/lost", {"username": "alice", "password": "Password-1"}
            ),
        ]
        mailer(api.wsgi.registry).wait()
    for text in [caplog.text, *(response.text for response in responses)]:
        assert secret not in text


@pytest.fixture
def by_email(make_api, inbox):
    """A server that requires 2FA and mails the means to set it up, with alice (who has an
    email address) and bob (who has none)."""
    api = make_api(
        **inbox.settings(),
        **{"vantage6.two_factor_auth": "true", "vantage6.two_factor_enrolment": "email"},
    )
    api.account("alice", "alice@example.org")
    api.account("bob")
    return api


def secret_of(api, username: str) -> str | None:
    with api.session() as session:
        return session.scalars(select(User.otp_secret).filter_by(username=username)).one()


def test_with_email_enrolment_the_password_alone_does_not_enrol(by_email, inbox):
    answer = login(by_email)  # e.g. by whoever learnt the password
    assert answer == {
        "msg": "Two-factor authentication is obligatory on this server. A token to set it up is "
        "on its way to your email address: send it to /recover/2fa/enrol"
    }
    assert secret_of(by_email, "alice") is None
    [message] = by_email.delivered(inbox)
    assert message["To"] == "alice@example.org"
    assert message["Subject"] == "Set up your vantage6 two-factor authentication"
    assert "/api/recover/2fa/enrol" in message.get_content()
    token = inbox.token(message)
    enrolled = by_email.app.post_json("/api/recover/2fa/enrol", {"enrol_token": token}).json
    assert set(enrolled) == {"qr_uri", "otp_secret", "msg"}
    assert secret_of(by_email, "alice") == enrolled["otp_secret"]
    assert login(by_email, code=pyotp.TOTP(enrolled["otp_secret"]).now())["access_token"]
    reused = by_email.app.post_json("/api/recover/2fa/enrol", {"enrol_token": token}, status=400)
    assert reused.json["msg"] == (
        "The enrolment token is not valid: this token has already been used, or what it "
        "resets has changed since"
    )


def test_without_an_email_address_the_answer_says_who_can_help(by_email, inbox):
    body = {"username": "bob", "password": "Password-1"}
    answer = by_email.app.post_json("/api/token/user", body).json
    assert "your account has no email address: ask an administrator" in answer["msg"]
    assert by_email.delivered(inbox) == []


def test_enrolment_and_reset_tokens_do_not_stand_in_for_each_other(by_email, inbox):
    login(by_email)
    enrol_token = inbox.token(by_email.delivered(inbox)[0])
    body = {"reset_token": enrol_token}
    refused = by_email.app.post_json("/api/recover/2fa/reset", body, status=400)
    assert "enrol_2fa token cannot be used here" in refused.json["msg"]
    by_email.app.post_json("/api/recover/lost", {"username": "alice"})
    reset_token = inbox.token(by_email.delivered(inbox)[1])
    body = {"enrol_token": reset_token}
    refused = by_email.app.post_json("/api/recover/2fa/enrol", body, status=400)
    assert "reset_password token cannot be used here" in refused.json["msg"]
    assert secret_of(by_email, "alice") is None


def test_without_two_factor_auth_the_2fa_endpoints_are_400(make_api):
    api = make_api()
    body = {"username": "root", "password": "root"}
    response = api.app.post_json("/api/recover/2fa/lost", body, status=400)
    assert response.json == {"msg": "Two-factor authentication is not enabled on this server"}
    api.app.post_json("/api/recover/2fa/reset", {"reset_token": "x"}, status=400)
    api.app.post_json("/api/recover/2fa/enrol", {"enrol_token": "x"}, status=400)
    assert "access_token" in api.app.post_json("/api/token/user", body).json
