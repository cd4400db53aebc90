"""vantage6-auth-ldap: users log in to a vantage6 server with their LDAP credentials."""

from setuptools import find_packages, setup

setup(
    name="vantage6-auth-ldap",
    version="1.0.0",
    description="vantage6 server plugin: LDAP logins, LDAP groups mapped to roles",
    license="Apache-2.0",
    python_requires=">=3.11",
    package_dir={"": "src"},
    packages=find_packages("src"),
    install_requires=["vantage6", "ldap3>=2.9"],
    entry_points={"vantage6.server": ["auth_ldap = vantage6_auth_ldap.plugin"]},
)
