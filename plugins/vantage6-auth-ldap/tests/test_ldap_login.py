"""Logging in to a real server app with the credentials of a real OpenLDAP directory."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from vantage6_auth_ldap import directory
from vantage6_auth_ldap.settings import parse_settings

from tests.functional.test_serve import free_port
from vantage6.server.models import User

PEOPLE = "ou=people,dc=example,dc=org"
GROUP_MAP = """
    cn=researchers,ou=groups,dc=example,dc=org -> Researcher@Hospital A
    cn=admins,ou=groups,dc=example,dc=org -> Organization Admin@Hospital A
    # DNs compare as the directory compares them: case and spaces do not matter
    CN=Partners, OU=Groups, DC=Example, DC=org -> Researcher@Hospital B
"""


def ldap_settings(url: str, **overrides) -> dict:
    settings = {
        "url": url,
        "user_dn_template": f"uid={{username}},{PEOPLE}",
        "group_search_base": "ou=groups,dc=example,dc=org",
        "group_map": GROUP_MAP,
        **overrides,
    }
    return {f"vantage6_auth_ldap.{key}": value for key, value in settings.items() if value}


@pytest.fixture
def ldap_api(make_api, slapd):
    """An app with the plugin on (``server`` settings besides), and both hospitals."""

    def make(server=None, url=slapd.url, **overrides):
        settings = {"vantage6.plugins": "auth_ldap", **ldap_settings(url, **overrides)}
        api = make_api(**settings, **(server or {}))
        api.organization("Hospital A")
        api.organization("Hospital B")
        return api

    return make


def login(api, username: str, password: str, status: int = 200):
    body = {"username": username, "password": password}
    return api.app.post_json("/api/token/user", body, status=status).json


def stored(api, username: str) -> User | None:
    with api.session() as session:
        user = session.scalars(select(User).filter_by(username=username)).first()
        if user is not None:
            user.organization_name = user.organization.name
            user.role_names = sorted(role.name for role in user.roles)
        return user


def test_the_first_login_creates_the_user_with_the_roles_of_their_groups(ldap_api):
    api = ldap_api()
    tokens = login(api, "alice", "alice-secret")
    alice = stored(api, "alice")
    assert (alice.organization_name, alice.role_names) == ("Hospital A", ["Researcher"])
    assert (alice.firstname, alice.lastname) == ("Alice", "Smith")
    assert alice.secret_hash is None  # no local password: the directory's is the only one
    headers = {"Authorization": f"Bearer {tokens['access_token']}"}
    me = api.app.get(f"/api/user/{alice.id}", headers=headers).json
    assert me["username"] == "alice"


def test_only_the_directorys_spelling_of_a_username_logs_in(ldap_api):
    """The directory matches "ALICE" to alice too; were that a login, each spelling would
    have a failed-login count of its own, and lockout could be dodged by changing case."""
    api = ldap_api(server={"vantage6.login.max_failed_attempts": "2"})
    login(api, "alice", "alice-secret")
    login(api, "alice", "wrong", status=401)
    login(api, "alice", "wrong", status=401)  # alice is locked out now ...
    login(api, "ALICE", "alice-secret", status=401)  # ... under any spelling
    assert stored(api, "ALICE") is None


def test_roles_follow_the_directory_at_every_login(ldap_api, slapd):
    api = ldap_api()
    login(api, "carol", "carol-secret", status=401)  # only in an unmapped group
    assert stored(api, "carol") is None
    try:
        slapd.membership("researchers", "carol", add=True)
        login(api, "carol", "carol-secret")
        assert stored(api, "carol").role_names == ["Researcher"]
        slapd.membership("admins", "carol", add=True)
        login(api, "carol", "carol-secret")
        assert stored(api, "carol").role_names == ["Organization Admin", "Researcher"]
    finally:
        slapd.membership("researchers", "carol", add=False)
        slapd.membership("admins", "carol", add=False)
    login(api, "carol", "carol-secret", status=401)  # left the mapped groups: let in nowhere
    assert stored(api, "carol").role_names == []


def test_wrong_or_missing_credentials_are_refused(ldap_api, slapd):
    api = ldap_api()
    login(api, "alice", "wrong", status=401)
    login(api, "nobody", "alice-secret", status=401)
    login(api, "alice,ou=people", "alice-secret", status=401)  # escaped, not a DN injection
    assert stored(api, "alice") is None and stored(api, "nobody") is None
    settings = parse_settings(ldap_settings(slapd.url))
    assert directory.authenticate(settings, "alice", "") is None  # no unauthenticated bind


def test_failed_logins_lock_an_ldap_user_out_like_anyone(ldap_api):
    api = ldap_api(server={"vantage6.login.max_failed_attempts": "2"})
    login(api, "erin", "erin-secret")
    login(api, "erin", "wrong", status=401)
    login(api, "erin", "wrong", status=401)
    login(api, "erin", "erin-secret", status=401)  # blocked, though the directory agrees
    assert stored(api, "erin").failed_login_attempts == 2


def test_the_directory_never_logs_in_a_local_account(ldap_api):
    """The directory has a ``root`` too: its password does not open the local root."""
    api = ldap_api()
    login(api, "root", "directory-root-secret", status=401)
    login(api, "ROOT", "directory-root-secret", status=401)  # the directory says "root"
    login(api, "root", "root")
    root = stored(api, "root")
    assert root.organization_name == "root" and root.role_names == ["Root"]


def test_groups_in_two_organizations_let_the_user_in_nowhere(ldap_api):
    api = ldap_api()
    login(api, "dave", "dave-secret", status=401)
    assert stored(api, "dave") is None


def test_a_search_account_finds_users_by_filter(ldap_api, slapd):
    api = ldap_api(
        user_dn_template="",
        user_search_base=PEOPLE,
        user_filter="(&(objectClass=inetOrgPerson)(uid={username}))",
        bind_dn="cn=admin,dc=example,dc=org",
        bind_password="admin-secret",
    )
    login(api, "bob", "bob-secret")
    assert stored(api, "bob").role_names == ["Organization Admin", "Researcher"]
    login(api, "*", "bob-secret", status=401)  # a filter character, escaped
    login(api, "b*", "bob-secret", status=401)


def test_a_wrong_search_account_is_a_503_not_a_failed_login(ldap_api):
    api = ldap_api(
        user_dn_template="",
        user_search_base=PEOPLE,
        bind_dn="cn=admin,dc=example,dc=org",
        bind_password="not-the-password",
    )
    answer = login(api, "bob", "bob-secret", status=503)
    assert "not possible right now" in answer["msg"]
    assert "not-the-password" not in str(answer)


def test_an_unreachable_directory_is_a_503_and_local_accounts_still_log_in(ldap_api):
    api = ldap_api(url=f"ldap://127.0.0.1:{free_port()}", timeout_seconds="2")
    login(api, "alice", "alice-secret", status=503)
    assert stored(api, "alice") is None
    login(api, "root", "root")


def test_blocking_the_built_in_password_check_leaves_only_the_directory(ldap_api):
    api = ldap_api(server={"vantage6.plugins.blocked": "vantage6.password"})
    login(api, "root", "root", status=401)
    login(api, "alice", "alice-secret")


def test_installed_but_not_enabled_changes_nothing(make_api, slapd):
    api = make_api(**ldap_settings(slapd.url))  # settings given, but no vantage6.plugins line
    login(api, "alice", "alice-secret", status=401)
    login(api, "root", "root")


@pytest.mark.parametrize(
    "url_of, extra", [("url", {"start_tls": "true"}), ("tls_url", {})], ids=["starttls", "ldaps"]
)
def test_tls_with_the_directory_ca(ldap_api, slapd, url_of, extra):
    api = ldap_api(url=getattr(slapd, url_of), ca_file=slapd.ca_file, **extra)
    login(api, "alice", "alice-secret")


def test_tls_refuses_a_certificate_from_an_unknown_ca_or_for_another_host(ldap_api, slapd):
    api = ldap_api(url=slapd.tls_url)  # the test CA is not among the system's CAs
    login(api, "alice", "alice-secret", status=503)
    api = ldap_api(start_tls="true")
    login(api, "alice", "alice-secret", status=503)
    api = ldap_api(url=f"ldaps://localhost:{slapd.tls_port}", ca_file=slapd.ca_file)
    login(api, "alice", "alice-secret", status=503)  # the certificate is for 127.0.0.1
