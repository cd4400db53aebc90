"""LDAP logins for the vantage6 server; the hooks are in :mod:`vantage6_auth_ldap.plugin`."""
