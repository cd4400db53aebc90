"""A real OpenLDAP server (Debian's ``slapd``) per test module: its own configuration and
data in a temporary folder, plain LDAP and LDAPS on free ports, a certificate from a test CA.

Without slapd the LDAP tests are skipped, except in CI (``CI=true``), where they fail.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from ldap3 import MODIFY_ADD, MODIFY_DELETE, Connection, Server

from tests.functional.test_serve import free_port

HERE = Path(__file__).parent
SUFFIX = "dc=example,dc=org"
ADMIN_DN, ADMIN_PASSWORD = f"cn=admin,{SUFFIX}", "admin-secret"

SLAPD_CONF = """\
include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/inetorgperson.schema
modulepath /usr/lib/ldap
moduleload back_mdb
pidfile {folder}/slapd.pid
TLSCACertificateFile {folder}/ca.pem
TLSCertificateFile {folder}/server.pem
TLSCertificateKeyFile {folder}/server.key
database mdb
suffix "{suffix}"
rootdn "{admin}"
rootpw {password}
directory {folder}/data
"""


def slapd_program() -> str | None:
    return shutil.which("slapd", path=f"{os.environ.get('PATH', '')}:/usr/sbin")


class Slapd:
    def __init__(self, folder: Path):
        self.folder = folder
        self.port, self.tls_port = free_port(), free_port()
        self.url = f"ldap://127.0.0.1:{self.port}"
        self.tls_url = f"ldaps://127.0.0.1:{self.tls_port}"
        self.ca_file = str(folder / "ca.pem")
        self.process = None

    def start(self, program: str) -> None:
        (self.folder / "data").mkdir()
        write_certificates(self.folder)
        conf = self.folder / "slapd.conf"
        conf.write_text(
            SLAPD_CONF.format(
                folder=self.folder, suffix=SUFFIX, admin=ADMIN_DN, password=ADMIN_PASSWORD
            )
        )
        slapadd = str(Path(program).with_name("slapadd"))
        subprocess.run(
            [slapadd, "-f", str(conf), "-l", str(HERE / "directory.ldif")],
            check=True,
            capture_output=True,
        )
        self.process = subprocess.Popen(
            [program, "-f", str(conf), "-h", f"{self.url}/ {self.tls_url}/", "-d", "0"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        self._wait_until_listening()

    def _wait_until_listening(self, seconds: float = 15) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"slapd stopped: {self.process.stderr.read().decode()}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"slapd did not listen on port {self.port} within {seconds} s")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process.stderr.close()

    def membership(self, group: str, user: str, add: bool) -> None:
        """Add ``user`` (uid) to, or remove them from, ``group`` (cn), as the admin."""
        member = f"uid={user},ou=people,{SUFFIX}"
        with Connection(Server(self.url), ADMIN_DN, ADMIN_PASSWORD, auto_bind=True) as admin:
            change = (MODIFY_ADD if add else MODIFY_DELETE, [member])
            assert admin.modify(f"cn={group},ou=groups,{SUFFIX}", {"member": [change]})


def write_certificates(folder: Path) -> None:
    """A test CA (ca.pem) and a certificate it signed for 127.0.0.1 (server.pem/.key)."""
    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "vantage6 test CA")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    certificate = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )
    pem = serialization.Encoding.PEM
    (folder / "ca.pem").write_bytes(ca.public_bytes(pem))
    (folder / "server.pem").write_bytes(certificate.public_bytes(pem))
    (folder / "server.key").write_bytes(
        key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )


@pytest.fixture(scope="module")
def slapd(tmp_path_factory):
    program = slapd_program()
    if program is None:
        reason = "slapd (OpenLDAP) is not installed; scripts/bootstrap-system installs it"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason} (required in CI)")
        pytest.skip(reason)
    server = Slapd(tmp_path_factory.mktemp("slapd"))
    try:
        server.start(program)
        yield server
    finally:
        server.stop()
