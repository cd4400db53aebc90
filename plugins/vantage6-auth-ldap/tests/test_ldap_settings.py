"""Settings that cannot work stop the server at start, naming the key."""

from __future__ import annotations

import pytest
from pyramid.exceptions import ConfigurationError
from vantage6_auth_ldap.settings import Grant, parse_settings

GOOD = {
    "url": "ldaps://ldap.example.org",
    "user_dn_template": "uid={username},ou=people,dc=example,dc=org",
    "group_search_base": "ou=groups,dc=example,dc=org",
    "group_map": "cn=staff,ou=groups,dc=example,dc=org -> Researcher@Hospital A",
}


def settings(**changes) -> dict:
    merged = {key: value for key, value in {**GOOD, **changes}.items() if value is not None}
    return {f"vantage6_auth_ldap.{key}": value for key, value in merged.items()}


def test_good_settings_parse():
    group_map = "cn=staff, ou=groups, dc=example, dc=org -> Organization Admin@A@B"
    parsed = parse_settings(settings(group_map=group_map), environ={})
    assert parsed.group_map == {
        "cn=staff,ou=groups,dc=example,dc=org": (Grant("Organization Admin", "A@B"),)
    }
    assert parsed.timeout == 10 and parsed.uses_tls


def test_the_bind_password_may_come_from_the_environment():
    environ = {"VANTAGE6_AUTH_LDAP_BIND_PASSWORD": "from-env"}
    parsed = parse_settings(
        settings(user_dn_template=None, user_search_base="dc=example,dc=org", bind_dn="cn=x"),
        environ=environ,
    )
    assert parsed.bind_password == "from-env"


@pytest.mark.parametrize(
    "changes, key",
    [
        ({"url": None}, "url is required"),
        ({"url": "http://ldap"}, "url must start with"),
        ({"start_tls": "yes please"}, "start_tls must be true or false"),
        ({"start_tls": "true"}, "start_tls cannot be used with an ldaps://"),
        ({"timeout_seconds": "0"}, "timeout_seconds must be a positive whole number"),
        ({"ca_file": "/nonexistent/ca.pem"}, "ca_file names no readable file"),
        ({"user_dn_template": None}, "user_dn_template or user_search_base must be set"),
        ({"user_search_base": "dc=example,dc=org"}, "user_dn_template or user_search_base"),
        ({"user_dn_template": "uid=alice,dc=org"}, "user_dn_template may use only {username}"),
        ({"user_dn_template": "uid={user}"}, "user_dn_template may use only {username}"),
        ({"group_filter": "(member={dn})"}, "group_filter may use only {user_dn}, {username}"),
        ({"group_search_base": None}, "group_search_base is required"),
        ({"group_search_base": "not a dn"}, "group_search_base is not a DN"),
        ({"group_map": None}, "group_map is required"),
        ({"group_map": "cn=x,dc=org Researcher@A"}, "group_map line 1 is not"),
        ({"group_map": "cn=x,dc=org -> Researcher"}, "group_map line 1 is not"),
        ({"group_map": "cn=a,dc=org -> R@A\nnot a dn -> R@A"}, "group_map (line 2) is not a DN"),
        ({"bind_password": "secret"}, "bind_password is set but bind_dn is not"),
        ({"group_mapping": "x"}, "group_mapping is not a setting"),
    ],
)
def test_a_bad_setting_is_named(changes, key):
    with pytest.raises(ConfigurationError) as raised:
        parse_settings(settings(**changes), environ={})
    assert f"vantage6_auth_ldap.{key}" in str(raised.value)
    assert "secret" not in str(raised.value)


def test_the_server_does_not_start_with_a_bad_setting(make_api):
    with pytest.raises(ConfigurationError, match="vantage6_auth_ldap.url is required"):
        make_api(**{"vantage6.plugins": "auth_ldap", **settings(url=None)})
