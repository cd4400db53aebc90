"""``PATCH /password/change``: users change their own password by proving the current one."""

import pytest
from sqlalchemy import select

from vantage6.server.models import User
from vantage6.server.security.login import PASSWORD_RULES

URL = "/api/password/change"
NEW = "New-password-2"


@pytest.fixture
def api(make_api):
    return make_api(**{"vantage6.login.max_failed_attempts": "3"})


@pytest.fixture
def alice(api) -> dict:
    api.account("alice")
    return api.login("alice", "Password-1")


def change(current="Password-1", new=NEW) -> dict:
    return {"current_password": current, "new_password": new}


def login_status(api, password) -> int:
    body = {"username": "alice", "password": password}
    return api.app.post_json("/api/token/user", body, expect_errors=True).status_int


def failures(api) -> int:
    with api.session() as session:
        query = select(User.failed_login_attempts).filter_by(username="alice")
        return session.scalars(query).one()


def test_a_user_changes_their_password(api, alice):
    response = api.app.patch_json(URL, change(), headers=alice)
    assert response.json == {"msg": "Your password has been changed"}
    assert (login_status(api, NEW), login_status(api, "Password-1")) == (200, 401)


def test_a_wrong_current_password_is_a_failed_login_and_leads_to_lockout(api, alice):
    for expected in (1, 2, 3):
        response = api.app.patch_json(URL, change(current="wrong"), headers=alice, status=401)
        assert response.json == {"msg": "Your current password is not correct"}
        assert failures(api) == expected
    api.app.patch_json(URL, change(), headers=alice, status=401)  # blocked: no more guesses
    assert login_status(api, "Password-1") == 401


def test_a_change_clears_earlier_failures(api, alice):
    api.app.patch_json(URL, change(current="wrong"), headers=alice, status=401)
    api.app.patch_json(URL, change(), headers=alice)
    assert failures(api) == 0


@pytest.mark.parametrize(
    "new, message",
    [
        ("Password-1", "The new password is the same as the current one"),
        ("weak", PASSWORD_RULES),
        ("alllowercase-1", PASSWORD_RULES),
    ],
)
def test_unacceptable_new_passwords_are_400_and_change_nothing(api, alice, new, message):
    response = api.app.patch_json(URL, change(new=new), headers=alice, status=400)
    assert response.json == {"msg": message}
    assert login_status(api, "Password-1") == 200


@pytest.mark.parametrize(
    "body, field",
    [
        ({"current_password": "Password-1"}, "new_password"),
        ({**change(), "username": "root"}, "body"),
        ({"current_password": 1, "new_password": NEW}, "current_password"),
    ],
)
def test_bad_bodies_are_400(api, alice, body, field):
    response = api.app.patch_json(URL, body, headers=alice, status=400)
    assert field in response.json["errors"]


def test_only_users_have_a_password_to_change(api):
    ids = api.federation()
    node = api.node_login("key-a1-A")
    container = api.container_login(node, api.task(ids["A"], [ids["a1"]], init_org=ids["a1"]))
    for headers in (node, container):
        api.app.patch_json(URL, change(), headers=headers, status=403)
    anonymous = api.app.patch_json(URL, change(), status=401)
    assert "Authentication required" in anonymous.json["msg"]


def test_a_new_password_logs_out_the_tokens_of_the_old_one(api):
    """Whoever learned the old password (and got tokens with it) is out after a change."""
    api.account("alice")
    old = api.app.post_json("/api/token/user", {"username": "alice", "password": "Password-1"}).json
    headers = {"Authorization": f"Bearer {old['access_token']}"}
    api.app.patch_json(URL, change(), headers=headers)
    refused = api.app.get("/api/user", headers=headers, status=401)
    assert "log in again" in refused.json["msg"]
    refresh = {"Authorization": f"Bearer {old['refresh_token']}"}
    api.app.post("/api/token/refresh", headers=refresh, status=401)
    api.app.get("/api/user", headers=api.login("alice", NEW))
