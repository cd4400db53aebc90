"""Logging in as user or node, refreshing, and what happens to bad or stale tokens."""

import datetime as dt
import threading
import time

import jwt
import pytest
from sqlalchemy import select
from webtest import TestApp

from tests.functional.api.conftest import JWT_SECRET
from vantage6.server.models import User
from vantage6.server.security import hashing


def test_user_login_answers_the_original_token_shape(api):
    response = api.app.post_json("/api/token/user", {"username": "root", "password": "root"})
    body = response.json
    assert set(body) == {"access_token", "refresh_token", "refresh_url", "user_url"}
    assert body["refresh_url"] == "/api/token/refresh"
    assert body["user_url"] == "/api/user/1"
    assert response.headers["jwt-token"] == body["access_token"]
    claims = jwt.decode(body["access_token"], JWT_SECRET, algorithms=["HS256"])
    assert claims["client_type"] == "user" and claims["type"] == "access"
    assert claims["roles"] == ["Root"]


@pytest.mark.parametrize(
    "overrides, hours",
    [
        ({}, 6),
        ({"vantage6.type": "test"}, 24),
        ({"vantage6.type": "test", "vantage6.jwt.access_expires_seconds": "3600"}, 1),
    ],
)
def test_the_access_token_lasts_as_the_servers_type_says(make_api, overrides, hours):
    """The seed: "In case the type is set to test the JWT-tokens expiration is set to 1 day
    (default is 6 hours)"; a lifetime set in the ini file wins."""
    body = make_api(**overrides).app.post_json(
        "/api/token/user", {"username": "root", "password": "root"}
    )
    claims = jwt.decode(body.json["access_token"], JWT_SECRET, algorithms=["HS256"])
    assert claims["exp"] - claims["iat"] == hours * 3600


@pytest.mark.parametrize("username", ["root", "nobody"])
def test_wrong_password_and_unknown_user_get_the_same_answer(api, username):
    response = api.app.post_json(
        "/api/token/user", {"username": username, "password": "wrong"}, status=401
    )
    assert response.json == {"msg": "Failed to login"}


def test_repeated_failures_block_the_account_and_are_remembered(make_api):
    api = make_api(**{"vantage6.login.max_failed_attempts": "3"})
    for _ in range(3):
        api.app.post_json("/api/token/user", {"username": "root", "password": "x"}, status=401)
    blocked = api.app.post_json(
        "/api/token/user", {"username": "root", "password": "root"}, status=401
    )
    # Even the right password gets the generic answer: a distinct "blocked" message would
    # tell anyone which usernames exist (the owner learns of the block by email).
    assert blocked.json == {"msg": "Failed to login"}
    with api.session() as session:
        assert session.scalars(select(User.failed_login_attempts)).one() == 3


def test_a_good_login_resets_the_failure_count(api):
    api.app.post_json("/api/token/user", {"username": "root", "password": "x"}, status=401)
    api.login("root", "root")
    with api.session() as session:
        assert session.scalars(select(User.failed_login_attempts)).one() == 0


def test_node_login_with_its_api_key(api):
    organization = api.organization("hospital", collaborations=["study"])
    node_id = api.node(organization, "study", api_key="0b0e3b5e-key")
    body = api.app.post_json("/api/token/node", {"api_key": "0b0e3b5e-key"}).json
    assert body["node_url"] == f"/api/node/{node_id}"
    claims = jwt.decode(body["access_token"], JWT_SECRET, algorithms=["HS256"])
    assert claims["client_type"] == "node" and claims["sub"] == str(node_id)
    api.app.post_json("/api/token/node", {"api_key": "0b0e3b5e-kez"}, status=401)


def test_refresh_gives_a_new_pair_only_for_a_refresh_token(api):
    tokens = api.app.post_json("/api/token/user", {"username": "root", "password": "root"}).json
    refreshed = api.app.post(
        "/api/token/refresh", headers={"Authorization": f"Bearer {tokens['refresh_token']}"}
    ).json
    assert refreshed["access_token"] != tokens["access_token"]
    api.app.get(
        "/api/organization", headers={"Authorization": f"Bearer {refreshed['access_token']}"}
    )
    wrong_kind = api.app.post(
        "/api/token/refresh",
        headers={"Authorization": f"Bearer {tokens['access_token']}"},
        status=401,
    )
    assert "access token cannot be used here" in wrong_kind.json["msg"]
    api.app.post("/api/token/refresh", status=401)
    forged_kind = _token(type="refresh", client_type="container")
    api.app.post(
        "/api/token/refresh", headers={"Authorization": f"Bearer {forged_kind}"}, status=401
    )


def _token(**overrides):
    now = dt.datetime.now(dt.UTC)
    claims = {"sub": "1", "client_type": "user", "type": "access", "iat": now, **overrides}
    return jwt.encode(claims, overrides.pop("key", JWT_SECRET), algorithm="HS256")


@pytest.mark.parametrize(
    "token, reason",
    [
        (_token(exp=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=5)), "expired"),
        (_token(key="another-secret-" + "y" * 40), "Signature verification failed"),
        (_token(sub="999"), "no longer exists"),
        (_token(client_type="robot"), "unknown subject"),
        (_token(client_type="container"), "unknown subject"),
        (_token(sub="99999999999999999999999"), "unknown subject"),
        ("not.a.token", "invalid token"),
    ],
)
def test_bad_tokens_are_401_with_the_reason(api, token, reason):
    response = api.app.get(
        "/api/organization", headers={"Authorization": f"Bearer {token}"}, status=401
    )
    assert reason in response.json["msg"]
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize(
    "body, field",
    [
        ({"username": "root"}, "password"),
        ({"username": 5, "password": "root"}, "username"),
        ({"username": "root", "password": "root", "admin": True}, "body"),
    ],
)
def test_login_body_errors_name_the_field(api, body, field):
    response = api.app.post_json("/api/token/user", body, status=400)
    assert field in response.json["errors"]
    assert response.json["msg"].startswith("Request is incorrect")


def test_malformed_json_is_a_400(api):
    response = api.app.post(
        "/api/token/user",
        "{not json",
        headers={"Content-Type": "application/json"},
        status=400,
    )
    assert "msg" in response.json


def test_oversized_bodies_are_refused_before_reading(make_api):
    api = make_api(**{"vantage6.max_body_bytes": "1000"})
    response = api.app.post_json(
        "/api/token/user", {"username": "root", "password": "x" * 2000}, status=413
    )
    assert "larger than the limit of 1000 bytes" in response.json["msg"]


def test_nul_in_a_login_is_a_400_not_a_database_error(api):
    body = {"username": "ro\u0000ot", "password": "root"}
    response = api.app.post_json("/api/token/user", body, status=400)
    assert response.json["errors"]["username"] == ["must not contain NUL characters"]


def test_a_null_mfa_code_is_no_code_not_a_server_error(api):
    """Found by the fuzzer: a null field's validator got the null (a 500)."""
    body = {"username": "root", "password": "root", "mfa_code": None}
    assert "access_token" in api.app.post_json("/api/token/user", body).json


@pytest.mark.parametrize("path", ["/api/user/1", "/api/user/999", "/api/task/999"])
def test_without_a_token_whether_a_record_exists_stays_unsaid(api, path):
    """Found by the fuzzer: an unknown id was a 404 to anyone, a known one a 401."""
    response = api.app.get(path, status=401)
    assert response.json["msg"].startswith("Authentication required")


class SlowHasher:
    """A password hasher whose checks take ``seconds`` (argon2 at production cost takes a
    quarter of one), telling when the first check starts."""

    def __init__(self, hasher, seconds: float):
        self.hasher, self.seconds = hasher, seconds
        self.checking = threading.Event()

    def verify(self, hashed, password):
        self.checking.set()
        time.sleep(self.seconds)
        return self.hasher.verify(hashed, password)


def test_a_login_does_not_hold_up_other_writes(api, root, monkeypatch):
    """The password is checked before the login's write transaction: on SQLite a writer holds
    the write lock from its start, and every other write waited for the argon2 check."""
    slow = SlowHasher(hashing._hashers["password"], seconds=1.5)
    monkeypatch.setitem(hashing._hashers, "password", slow)
    logins = TestApp(api.wsgi)
    credentials = {"username": "root", "password": "root"}
    login = threading.Thread(target=lambda: logins.post_json("/api/token/user", credentials))
    login.start()
    assert slow.checking.wait(10)
    started = time.monotonic()
    api.app.post_json("/api/organization", {"name": "written meanwhile"}, headers=root)
    waited = time.monotonic() - started
    login.join()
    assert waited < 0.75, f"the write waited {waited:.2f} s for a login's password check"
