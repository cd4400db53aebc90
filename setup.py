"""Packaging for the vantage6 server, node, client and algorithm tools (one distribution)."""

from pathlib import Path

from setuptools import find_packages, setup

HERE = Path(__file__).parent
VERSION = {}
exec((HERE / "src" / "vantage6" / "_version.py").read_text(), VERSION)
# The web UI's module folders (static/core, static/pages, ...): every one ships.
UI_FOLDERS = sorted(
    path.name for path in (HERE / "src/vantage6/server/ui/static").iterdir() if path.is_dir()
)

setup(
    name="vantage6",
    version=VERSION["__version__"],
    description="Privacy-preserving federated analysis: server, node, client and algorithm tools",
    long_description=(HERE / "README.md").read_text(),
    long_description_content_type="text/markdown",
    license="Apache-2.0",
    python_requires=">=3.11",
    package_dir={"": "src"},
    # Folders without __init__.py whose files ship too: the migrations (imported by Alembic
    # from their path), the demo's data and the web UI's assets. Declared, or setuptools warns
    # at every build.
    packages=find_packages("src")
    + ["vantage6.dev.data", "vantage6.server.migrations.versions"]
    + ["vantage6.server.ui.static"]
    + [f"vantage6.server.ui.static.{folder}" for folder in UI_FOLDERS],
    package_data={
        "vantage6.dev.data": ["*.csv"],
        "vantage6.server.migrations": ["script.py.mako"],
        # The web UI's page and assets, served from the package: no build step.
        "vantage6.server.ui": ["index.html"],
        "vantage6.server.ui.static": ["*.css", "*.js", "*.svg"],
        **{f"vantage6.server.ui.static.{folder}": ["*.js"] for folder in UI_FOLDERS},
    },
    install_requires=[
        "alembic>=1.13",
        "argon2-cffi>=23.1",
        "click>=8.1",
        "colander>=2.0",
        "cornice==6.1.*",
        "cornice_swagger==1.0.*",
        "cryptography>=41",
        "docker>=7",
        "gevent>=24.2",
        "gevent-websocket==0.10.1",
        "ipython>=8",
        "plaster_pastedeploy>=1.0",
        "orjson>=3.9",
        "platformdirs>=4",
        "pluggy>=1.5",
        "PyJWT>=2.8",
        "pyotp>=2.8",
        "pyramid>=2.0,<3",
        "pyramid_ipython>=0.2",
        "pyramid_tm>=2.5",
        # socket.io, for the original 4.x nodes and web UI (events.socket_io)
        "python-socketio>=5.11,<6",
        "qrcode>=7.4",
        "pyyaml>=6",
        "requests>=2.31",
        # Pyramid imports pkg_resources, which from setuptools 80.9 prints a warning at every
        # start of pserve, pshell and vserver (a fresh venv would get 81).
        "setuptools<80.9",
        "sqlalchemy>=2.0,<2.2",
        "sqlparse>=0.5",  # the node refuses sql queries of several statements
        "swagger-ui-bundle>=1.1",
        "transaction>=4",
        "waitress>=3",
        "websocket-client>=1.8",
        "zope.sqlalchemy>=3.1",
    ],
    extras_require={
        # vantage6.algorithm's @data loads databases as pandas DataFrames (parquet via pyarrow)
        "algorithm": ["pandas>=1.5", "pyarrow>=14"],
        "postgresql": ["psycopg[binary]>=3.1.14"],
        "test": [
            "aiosmtpd>=1.4",
            "hypothesis>=6.100",  # property tests (also through schemathesis)
            "pandas>=1.5",
            # drives Debian's Chromium in the web UI's browser tests (no browser download)
            "playwright>=1.40",
            "pyarrow>=14",
            "pytest>=8",
            "ruff>=0.6",
            "schemathesis>=4.32,<5",  # fuzzes the API from its OpenAPI document
            "webtest>=3",
            "zxing-cpp>=2.2",  # decodes the client's printed 2FA QR code in its test
        ],
    },
    entry_points={
        "paste.app_factory": ["main = vantage6.server.startup:app_factory"],
        "paste.server_factory": ["gevent_ws = vantage6.server.serve:gevent_ws_server"],
        "console_scripts": [
            "vserver = vantage6.server.cli:cli",
            "vnode = vantage6.node.cli:cli",
            "vdev = vantage6.dev.cli:cli",
            # vantage6 4.x's command name: v6 server|node|dev is vserver|vnode|vdev
            "v6 = vantage6.v6_alias:cli",
        ],
    },
)
