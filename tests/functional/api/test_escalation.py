"""Attacks from the security review on users, roles and rules, each refused: grants that
reach across collaborations, and takeovers of more privileged users through their email
address or by deleting them."""

import time

import pyotp
import pytest
from sqlalchemy import select

from vantage6.server.models import Role, Rule, User
from vantage6.server.models.rule import Operation, Scope

C, E = Operation.CREATE, Operation.EDIT
COL, GLO = Scope.COLLABORATION, Scope.GLOBAL
GLOBAL_ONLY = "Only holders of a rule at global scope can grant or take it away in organization"


@pytest.fixture
def world(api):
    """Collaboration A = {a1, a2, a3}, B = {a2, b1}; a collaboration admin of a1 (``admin``),
    and a plain user in each organization."""
    ids = {
        "a1": api.organization("a1", ["A"]),
        "a2": api.organization("a2", ["A", "B"]),
        "a3": api.organization("a3", ["A"]),
        "b1": api.organization("b1", ["B"]),
    }
    for name, organization_id in ids.items():
        api.account(f"user-{name}", f"user@{name}.org", organization_id)
    ids["admin"] = api.user("admin", ids["a1"], roles=["Collaboration Admin"])
    return ids


def role_id(api, name: str) -> int:
    with api.session() as session:
        return session.scalars(select(Role.id).filter_by(name=name)).one()


def new_user(organization_id: int, **fields) -> dict:
    return {
        "username": "minted",
        "email": "minted@example.org",
        "password": "Secret-123",
        "organization_id": organization_id,
        **fields,
    }


def test_a_collaboration_admin_cannot_mint_an_admin_in_a_shared_organization(api, world):
    """a2 is also in B, which a1's admin does not reach: an admin made in a2 would."""
    body = new_user(world["a2"], roles=[role_id(api, "Collaboration Admin")])
    refused = api.app.post_json("/api/user", body, headers=world["admin"], status=403)
    assert GLOBAL_ONLY in refused.json["msg"]
    rule = api.rule_id("task", COL, C)
    api.app.post_json(
        "/api/user", new_user(world["a2"], rules=[rule]), headers=world["admin"], status=403
    )
    with api.session() as session:
        assert session.scalars(select(User).filter_by(username="minted")).first() is None


def test_a_collaboration_admin_cannot_add_rules_to_users_or_roles_of_other_organizations(
    api, world
):
    target = f"/api/user/{api.user_id('user-a2')}"
    rule = api.rule_id("task", COL, C)
    response = api.app.patch_json(target, {"rules": [rule]}, headers=world["admin"], status=403)
    assert GLOBAL_ONLY in response.json["msg"]
    role = api.role("a2 helpers", world["a2"])
    api.app.patch_json(f"/api/role/{role}", {"rules": [rule]}, headers=world["admin"], status=403)
    api.app.post(f"/api/role/{role}/rule/{rule}", headers=world["admin"], status=403)


def test_within_its_own_organization_an_admin_still_grants_what_it_holds(api, world):
    body = new_user(world["a1"], roles=[role_id(api, "Collaboration Admin")])
    api.app.post_json("/api/user", body, headers=world["admin"], status=201)


def test_a_holder_of_the_global_rule_grants_in_any_organization(api, world):
    root = api.login("root", "root")
    body = new_user(world["b1"], roles=[role_id(api, "Collaboration Admin")])
    api.app.post_json("/api/user", body, headers=root, status=201)


def test_an_admin_cannot_edit_or_delete_a_more_privileged_user(api, world):
    root_user = "/api/user/1"  # root, of the root organization (not in any collaboration)
    with api.session() as session, session.begin():  # make root reachable from a1's admin
        session.get(User, 1).organization_id = world["a2"]
    response = api.app.patch_json(
        root_user, {"email": "mallory@evil.org"}, headers=world["admin"], status=403
    )
    assert "they hold rules that you could not grant them" in response.json["msg"]
    api.app.delete(root_user, headers=world["admin"], status=403)
    api.login("root", "root")


def test_another_users_email_address_changes_only_once_its_owner_confirms(make_api, inbox):
    api = make_api(**inbox.settings())
    a1 = api.organization("a1", ["A"])
    api.account("bob", "bob@a1.org", a1)
    admin = api.user("admin", a1, roles=["Organization Admin"])
    url = f"/api/user/{api.user_id('bob')}"
    pending = api.app.patch_json(url, {"email": "mallory@evil.org"}, headers=admin, status=202)
    assert pending.json["email"] == "bob@a1.org"
    assert "once they confirm it" in pending.json["msg"]
    [message] = api.delivered(inbox)
    assert message["To"] == "bob@a1.org"
    assert "mallory@evil.org" in message.get_content()
    token = inbox.token(message)
    api.app.post_json("/api/user/email/confirm", {"token": token})
    root = api.login("root", "root")
    assert api.app.get(url, headers=root).json["email"] == "mallory@evil.org"
    reused = api.app.post_json("/api/user/email/confirm", {"token": token}, status=400)
    assert "already been used" in reused.json["msg"]


def test_without_mail_another_users_email_address_cannot_be_changed(api, world):
    root = api.login("root", "root")
    url = f"/api/user/{api.user_id('user-a1')}"
    refused = api.app.patch_json(url, {"email": "new@a1.org"}, headers=root, status=403)
    assert "can only be changed by the user themselves" in refused.json["msg"]
    assert api.app.get(url, headers=root).json["email"] == "user@a1.org"


def test_a_stolen_token_alone_cannot_change_the_own_email_address(api, world):
    me = api.user("me", world["a1"], rules=[("user", Scope.OWN, E)])
    url = f"/api/user/{api.user_id('me')}"
    missing = api.app.patch_json(url, {"email": "thief@evil.org"}, headers=me, status=400)
    assert "send your current password as current_password" in missing.json["msg"]
    wrong = {"email": "thief@evil.org", "current_password": "Guess-123"}
    assert api.app.patch_json(url, wrong, headers=me, status=401).json["msg"] == (
        "Your current password is not correct"
    )
    right = {"email": "me@a1.org", "current_password": "Password-1"}
    assert api.app.patch_json(url, right, headers=me).json["email"] == "me@a1.org"


def test_with_two_factor_on_the_own_email_address_needs_a_code_too(make_api):
    api = make_api(**{"vantage6.two_factor_auth": "true"})
    with api.session() as session, session.begin():
        alice = User(
            username="alice", password="Password-1", email="alice@a.org", organization_id=1
        )
        alice.rules = [session.get(Rule, api.rule_id("user", Scope.OWN, E))]
        session.add(alice)
    body = {"username": "alice", "password": "Password-1"}
    secret = api.app.post_json("/api/token/user", body).json["otp_secret"]
    totp = pyotp.TOTP(secret)
    token = api.app.post_json("/api/token/user", {**body, "mfa_code": totp.now()}).json
    me = {"Authorization": f"Bearer {token['access_token']}"}
    url = f"/api/user/{api.user_id('alice')}"
    change = {"email": "new@a.org", "current_password": "Password-1"}
    missing = api.app.patch_json(url, change, headers=me, status=400)
    assert "current_password and mfa_code" in missing.json["msg"]
    wrong = api.app.patch_json(url, {**change, "mfa_code": "000000"}, headers=me, status=401)
    assert "code is incorrect" in wrong.json["msg"]
    later = totp.at(time.time() + 30)  # the login used the current one
    changed = api.app.patch_json(url, {**change, "mfa_code": later}, headers=me)
    assert changed.json["email"] == "new@a.org"


def test_a_second_factor_is_not_reset_by_mail_right_after_a_password_reset(make_api, inbox):
    """Whoever controls the mailbox could otherwise replace both factors, one after the other."""
    api = make_api(**inbox.settings(), **{"vantage6.two_factor_auth": "true"})
    api.account("alice", "alice@a.org")
    api.app.post_json("/api/recover/lost", {"username": "alice"})
    token = inbox.token(api.delivered(inbox)[-1])
    api.app.post_json("/api/recover/reset", {"reset_token": token, "password": "Taken-over-1"})
    body = {"username": "alice", "password": "Taken-over-1"}
    refused = api.app.post_json("/api/recover/2fa/lost", body, status=403)
    assert "less than 24 hours ago" in refused.json["msg"]
    assert len(api.delivered(inbox)) == 1


def test_a_reset_by_address_reaches_every_account_of_it(make_api, inbox):
    """Addresses are unique per organization only; each account gets its own token."""
    api = make_api(**inbox.settings())
    for name in ("a1", "a2"):
        api.account(f"pat-{name}", "pat@example.org", api.organization(name))
    api.app.post_json("/api/recover/lost", {"email": "pat@example.org"})
    messages = api.delivered(inbox)
    assert sorted(m.get_content().split('"')[1] for m in messages) == ["pat-a1", "pat-a2"]
