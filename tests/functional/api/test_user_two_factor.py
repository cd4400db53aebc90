"""An administrator resets another user's two-factor authentication (POST
/user/<id>/2fa/reset): the user enrols again at their next login and is told by email; nobody
strips their own second factor, nor that of someone they do not outrank."""

import logging

import pyotp
import pytest
from sqlalchemy import select

from vantage6.server.models import Role, Rule, User
from vantage6.server.models.rule import Operation, Scope

PASSWORD = "Password-1"
VIEW = Operation.VIEW


@pytest.fixture
def api(make_api, inbox):
    """A two-factor server with users alice (mail address) and bob, in organization 1."""
    api = make_api(**inbox.settings(), **{"vantage6.two_factor_auth": "true"})
    api.account("alice", "alice@example.org")
    api.account("bob", "bob@example.org")
    return api


def login(api, username: str, password: str = PASSWORD, code: str | None = None) -> dict:
    body = {"username": username, "password": password}
    if code is not None:
        body["mfa_code"] = code
    return api.app.post_json("/api/token/user", body).json


def enrolled(api, username: str, password: str = PASSWORD) -> pyotp.TOTP:
    """Enrol ``username`` at their first login: their authenticator."""
    return pyotp.TOTP(login(api, username, password)["otp_secret"])


def headers(api, username: str, password: str = PASSWORD) -> dict:
    """The Authorization header of a complete login (enrolling first)."""
    token = login(api, username, password, enrolled(api, username, password).now())
    return {"Authorization": f"Bearer {token['access_token']}"}


def reset_path(api, username: str) -> str:
    return f"/api/user/{api.user_id(username)}/2fa/reset"


def secret_of(api, username: str) -> str | None:
    with api.session() as session:
        return session.scalars(select(User.otp_secret).filter_by(username=username)).one()


def grant(api, username: str, role: str) -> None:
    with api.session() as session, session.begin():
        user = session.scalars(select(User).filter_by(username=username)).one()
        user.roles.append(session.scalars(select(Role).filter_by(name=role)).one())


def test_root_resets_a_lost_second_factor_and_the_user_enrols_again(api, inbox, caplog):
    caplog.set_level(logging.DEBUG)
    old = enrolled(api, "alice")
    root = headers(api, "root", "root")

    answer = api.app.post(reset_path(api, "alice"), headers=root).json
    assert answer == {
        "msg": f"The two-factor authentication of user {api.user_id('alice')} was reset: they "
        "set it up again at their next login"
    }
    assert secret_of(api, "alice") is None
    enrolment = login(api, "alice")
    assert set(enrolment) == {"qr_uri", "otp_secret", "msg"}
    assert enrolment["otp_secret"] != old.secret
    [message] = api.delivered(inbox)
    assert message["To"] == "alice@example.org"
    assert message["Subject"] == "Your vantage6 two-factor authentication was reset"
    assert 'An administrator, user "root", reset' in message.get_content()
    assert old.secret not in caplog.text


def test_a_user_who_never_enrolled_is_told_so_and_nothing_is_mailed(api, inbox):
    root = headers(api, "root", "root")
    answer = api.app.post(reset_path(api, "bob"), headers=root).json
    user_id = api.user_id("bob")
    assert answer == {"msg": f"User {user_id} has not set up two-factor authentication yet"}
    assert api.delivered(inbox) == []


def test_nobody_resets_their_own_second_factor_here(api):
    root = headers(api, "root", "root")
    refused = api.app.post(reset_path(api, "root"), headers=root, status=403).json
    assert "cannot reset your own two-factor authentication" in refused["msg"]
    assert secret_of(api, "root") is not None


def test_an_admin_may_not_reset_someone_they_do_not_outrank(api):
    """The organization admin may edit users of the organization, but root holds global rules
    the admin could not grant: resetting root's second factor would be a step to taking over."""
    grant(api, "bob", "Organization Admin")
    enrolled(api, "root", "root")
    admin = headers(api, "bob")
    refused = api.app.post(reset_path(api, "root"), headers=admin, status=403).json
    assert refused["msg"].startswith(
        f"You cannot reset the two-factor authentication of user {api.user_id('root')}"
    )
    assert secret_of(api, "root") is not None

    enrolled(api, "alice")  # holds nothing: bob outranks her
    api.app.post(reset_path(api, "alice"), headers=admin, status=200)
    assert secret_of(api, "alice") is None


def test_without_the_edit_rule_it_is_refused(api):
    enrolled(api, "alice")
    api.account("carol")
    with api.session() as session, session.begin():
        carol = session.scalars(select(User).filter_by(username="carol")).one()
        carol.rules.append(session.get(Rule, api.rule_id("user", Scope.ORGANIZATION, VIEW)))
    api.app.post(reset_path(api, "alice"), headers=headers(api, "carol"), status=403)
    assert secret_of(api, "alice") is not None


def test_unknown_users_are_404(api):
    root = headers(api, "root", "root")
    api.app.post("/api/user/999999/2fa/reset", headers=root, status=404)


def test_on_a_server_without_two_factor_it_is_400(make_api):
    api = make_api()
    root = api.login("root", "root")
    answer = api.app.post("/api/user/1/2fa/reset", headers=root, status=400).json
    assert answer["msg"] == "Two-factor authentication is not enabled on this server"


def test_an_admin_of_another_organization_cannot_reset_a_user_here(api):
    """Organization Admin is scoped to one's own organization: alice's is not theirs."""
    other = api.organization("elsewhere")
    api.account("dave", "dave@example.org", organization_id=other)
    grant(api, "dave", "Organization Admin")
    enrolled(api, "alice")
    api.app.post(reset_path(api, "alice"), headers=headers(api, "dave"), status=403)
    assert secret_of(api, "alice") is not None
