"""vantage6-audit-log: an append-only, hash-chained audit log of what a vantage6 server did."""

from setuptools import find_packages, setup

setup(
    name="vantage6-audit-log",
    version="1.0.0",
    description="vantage6 server plugin: a hash-chained JSON-lines audit log, and its verifier",
    license="Apache-2.0",
    python_requires=">=3.11",
    package_dir={"": "src"},
    packages=find_packages("src"),
    install_requires=["vantage6", "click>=8.1"],
    entry_points={
        "vantage6.server": ["audit_log = vantage6_audit_log.plugin"],
        "console_scripts": ["vantage6-audit = vantage6_audit_log.cli:cli"],
    },
)
