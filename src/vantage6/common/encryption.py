"""End-to-end encryption of task input and results between organizations.

Each organization holds one RSA key pair; the server stores the public key as base64 of its PEM
(SubjectPublicKeyInfo) and never sees a private key. Unencrypted collaborations carry plain
base64 (:class:`DummyCryptor`).

Wire format written by :class:`RSACryptor` (version ``v6e1``)::

    v6e1$<b64 wrapped key>$<b64 nonce>$<b64 ciphertext and GCM tag>

A fresh AES-256-GCM key encrypts each message under a random 12-byte nonce; RSA-OAEP (SHA-256,
MGF1-SHA-256) wraps that key for the recipient. All text up to and including the last ``$`` is
the GCM associated data, so changing any part of a message (version, wrapped key, nonce,
ciphertext, tag) or cutting it short fails decryption. ``v6e1`` is itself valid base64, so every
``$``-separated part is base64, which is what the server checks to tell encrypted input from
plain input.

Legacy format (the original vantage6 up to 4.x), written only for a reader that reads nothing
else, a vantage6 4.x node or client, and only where the writer was told it may
(``legacy=True``)::

    <b64 RSA-PKCS#1-v1.5 wrapped key>$<b64 16-byte IV>$<b64 AES-256-CTR ciphertext>

Its web UI wraps base64 of the key instead of the key and encrypts base64 of the plaintext; both
quirks are undone. The legacy format has no integrity check: a tampered ciphertext decrypts to
altered bytes without any error, and because OpenSSL answers a PKCS#1 v1.5 padding failure with
a random-length decoy instead of an error (implicit rejection), a message for another key
yields a wrong-length key and a :class:`DecryptionError` in most cases, but not in all of them.
So a reader may refuse it (``RSACryptor(..., allow_legacy=False)``, what nodes do unless their
``[encryption] allow_legacy`` says otherwise).
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import tempfile
from pathlib import Path

from cryptography.exceptions import InvalidTag, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

VERSION = "v6e1"
SEPARATOR = "$"
MIN_KEY_BITS = 2048
NEW_KEY_BITS = 4096  # as the original generates
AES_KEY_BYTES = 32
GCM_NONCE_BYTES = 12
LEGACY_IV_BYTES = 16

_OAEP = padding.OAEP(mgf=padding.MGF1(hashes.SHA256()), algorithm=hashes.SHA256(), label=None)


class DecryptionError(ValueError):
    """A message that cannot be read: tampered with, cut short, malformed, or for another key."""


class LegacyFormatRefused(DecryptionError):
    """A message in the legacy format, which this reader was told not to accept."""


class InvalidKey(ValueError):
    """A private or public key that cannot be used (missing, not RSA, too small, unreadable)."""


def bytes_to_base64s(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def base64s_to_bytes(text: str) -> bytes:
    """Strict: anything but base64 characters and correct padding raises ``binascii.Error``
    (a ``ValueError``), where the original silently skipped them."""
    return base64.b64decode(text, validate=True)


class CryptorBase:
    """Turns the bytes of a run's input or result into the text the server stores, and back."""

    def encrypt_bytes_to_str(
        self, data: bytes, public_key_b64: str | None = None, legacy: bool = False
    ) -> str:
        raise NotImplementedError

    def decrypt_str_to_bytes(self, data: str) -> bytes:
        raise NotImplementedError


class DummyCryptor(CryptorBase):
    """Unencrypted collaborations: base64 only; the public key and the format are ignored."""

    def encrypt_bytes_to_str(
        self, data: bytes, public_key_b64: str | None = None, legacy: bool = False
    ) -> str:
        return bytes_to_base64s(data)

    def decrypt_str_to_bytes(self, data: str) -> bytes:
        if SEPARATOR in data:
            raise DecryptionError(
                "the data looks encrypted ('$'-separated parts), but this collaboration is "
                "not encrypted"
            )
        return _decode(data, "the data")


class RSACryptor(CryptorBase):
    """Encrypts for any organization's public key; decrypts with this organization's key.
    ``allow_legacy=False`` refuses messages in the legacy format (no integrity check)."""

    def __init__(self, private_key_path: str | Path, allow_legacy: bool = True) -> None:
        self.private_key = _load_private_key(Path(private_key_path))
        self.allow_legacy = allow_legacy

    @property
    def public_key_bytes(self) -> bytes:
        return self.create_public_key_bytes(self.private_key)

    @property
    def public_key_str(self) -> str:
        """What the server stores in ``organization.public_key``: base64 of the PEM."""
        return bytes_to_base64s(self.public_key_bytes)

    def verify_public_key(self, public_key_b64: str) -> bool:
        """Whether ``public_key_b64`` (e.g. as the server has it) belongs to our private key;
        False for anything unreadable."""
        try:
            public_key = serialization.load_pem_public_key(base64s_to_bytes(public_key_b64))
        except (ValueError, TypeError, UnsupportedAlgorithm):
            return False
        mine = self.private_key.public_key().public_numbers()
        return isinstance(public_key, rsa.RSAPublicKey) and public_key.public_numbers() == mine

    @staticmethod
    def create_new_rsa_key(path: str | Path, key_size: int = NEW_KEY_BITS) -> rsa.RSAPrivateKey:
        """Generate a key pair and store the private key at ``path`` (PEM, mode 0600).

        The file is written under a temporary name that only its owner can read, then linked
        into place: it never exists half-written or readable by others, and an existing key
        file is never replaced (losing it would lose access to everything encrypted for it).
        """
        if key_size < MIN_KEY_BITS:
            raise InvalidKey(f"RSA keys must have at least {MIN_KEY_BITS} bits, not {key_size}")
        path = Path(path)
        if path.exists():
            raise InvalidKey(f"{path} already exists; not overwriting a private key")
        private_key = rsa.generate_private_key(public_exponent=65537, key_size=key_size)
        pem = private_key.private_bytes(
            encoding=serialization.Encoding.PEM,
            format=serialization.PrivateFormat.TraditionalOpenSSL,
            encryption_algorithm=serialization.NoEncryption(),
        )
        _write_private(path, pem)
        return private_key

    @staticmethod
    def create_public_key_bytes(private_key: rsa.RSAPrivateKey) -> bytes:
        """The PEM (SubjectPublicKeyInfo) public key of ``private_key``."""
        return private_key.public_key().public_bytes(
            encoding=serialization.Encoding.PEM,
            format=serialization.PublicFormat.SubjectPublicKeyInfo,
        )

    def encrypt_bytes_to_str(
        self, data: bytes, public_key_b64: str | None = None, legacy: bool = False
    ) -> str:
        """Encrypt ``data`` for the organization whose public key (base64 PEM) is given; in
        the legacy format when ``legacy`` (for a 4.x reader: see the module's docstring)."""
        recipient = _load_public_key(public_key_b64)
        if legacy:
            return _seal_legacy(data, recipient)
        key = AESGCM.generate_key(bit_length=AES_KEY_BYTES * 8)
        nonce = os.urandom(GCM_NONCE_BYTES)
        wrapped = recipient.encrypt(key, _OAEP)
        header = SEPARATOR.join([VERSION, bytes_to_base64s(wrapped), bytes_to_base64s(nonce), ""])
        sealed = AESGCM(key).encrypt(nonce, data, header.encode("ascii"))
        return header + bytes_to_base64s(sealed)

    def decrypt_str_to_bytes(self, data: str) -> bytes:
        parts = data.split(SEPARATOR)
        if parts[0] == VERSION:
            return self._open(data, parts)
        if len(parts) == 3:
            if not self.allow_legacy:
                raise LegacyFormatRefused(LEGACY_REFUSED)
            return self._open_legacy(parts)
        if len(parts) == 4:
            raise DecryptionError(f"unsupported encryption format version {parts[0][:16]!r}")
        if len(parts) == 1:
            raise DecryptionError("the data is not encrypted ('$'-separated parts expected)")
        raise DecryptionError(
            f"malformed encrypted data: {len(parts)} '$'-separated parts, expected "
            f"4 ({VERSION}$key$nonce$ciphertext) or 3 (legacy key$iv$ciphertext)"
        )

    def _open(self, data: str, parts: list[str]) -> bytes:
        if len(parts) != 4:
            raise DecryptionError(
                f"malformed {VERSION} data: {len(parts)} '$'-separated parts, expected 4"
            )
        wrapped, nonce, sealed = _decode_all(parts[1:], ("key", "nonce", "ciphertext"))
        key = self._unwrap(wrapped, _OAEP)
        if len(key) != AES_KEY_BYTES:
            raise DecryptionError(f"message key is {len(key)} bytes, expected {AES_KEY_BYTES}")
        if len(nonce) != GCM_NONCE_BYTES:
            raise DecryptionError(f"nonce is {len(nonce)} bytes, expected {GCM_NONCE_BYTES}")
        header = data[: data.rindex(SEPARATOR) + 1]
        try:
            return AESGCM(key).decrypt(nonce, sealed, header.encode("ascii"))
        except InvalidTag:
            raise DecryptionError("the data was tampered with or corrupted (authentication failed)")

    def _open_legacy(self, parts: list[str]) -> bytes:
        wrapped, iv, ciphertext = _decode_all(parts, ("key", "IV", "ciphertext"))
        key = self._unwrap(wrapped, padding.PKCS1v15())
        from_ui = len(key) != AES_KEY_BYTES
        if from_ui:
            key = _decode_ui_key(key)
        if len(iv) != LEGACY_IV_BYTES:
            raise DecryptionError(f"IV is {len(iv)} bytes, expected {LEGACY_IV_BYTES}")
        decryptor = Cipher(algorithms.AES(key), modes.CTR(iv)).decryptor()
        plaintext = decryptor.update(ciphertext) + decryptor.finalize()
        return _undo_ui_base64(plaintext) if from_ui else plaintext

    def _unwrap(self, wrapped: bytes, scheme: padding.AsymmetricPadding) -> bytes:
        try:
            return self.private_key.decrypt(wrapped, scheme)
        except ValueError:
            raise DecryptionError(
                "cannot decrypt the message key: the data was encrypted for another "
                "organization's key, or was tampered with"
            )


# What a node tells the server it reads (``node_info_update``), shown in the node's ``config``.
FORMATS_KEY = "encryption_formats"


def formats_read(allow_legacy: bool) -> list[str]:
    return [VERSION, "legacy"] if allow_legacy else [VERSION]


def formats_of(node_config: list[dict] | None) -> list[str] | None:
    """The formats a node reads, by the configuration it shared: ours names them; a vantage6
    4.x node shares one but names none, and reads only the legacy format; a node that shared
    nothing is unknown (None), and is written the current format: nothing is downgraded on a
    guess."""
    if not node_config:
        return None
    named = [entry["value"] for entry in node_config if entry.get("key") == FORMATS_KEY]
    return named or ["legacy"]


def legacy_only(formats: list[str] | None) -> bool:
    return formats == ["legacy"]


def is_legacy(data: str) -> bool:
    """Whether ``data`` is in the legacy format (by its shape: it is not opened here)."""
    parts = data.split(SEPARATOR)
    return len(parts) == 3 and parts[0] != VERSION


def _seal_legacy(data: bytes, recipient: rsa.RSAPublicKey) -> str:
    key, iv = os.urandom(AES_KEY_BYTES), os.urandom(LEGACY_IV_BYTES)
    wrapped = recipient.encrypt(key, padding.PKCS1v15())
    encryptor = Cipher(algorithms.AES(key), modes.CTR(iv)).encryptor()
    ciphertext = encryptor.update(data) + encryptor.finalize()
    return SEPARATOR.join(bytes_to_base64s(part) for part in (wrapped, iv, ciphertext))


LEGACY_REFUSED = (
    "the data is in the legacy encryption format of vantage6 4.x and older (RSA PKCS#1 v1.5 + "
    "AES-CTR), which has no integrity check, and this node refuses it. Its sender should use a "
    "current client; a node that must read it sets allow_legacy = true in the [encryption] "
    "section of its configuration"
)


def public_key_fingerprint(public_key_b64: str | None) -> str:
    """SHA-256 (hex) of the DER (SubjectPublicKeyInfo) of a public key as the server stores
    it: the same key has the same fingerprint however its PEM is wrapped. InvalidKey for a
    key that is missing, unreadable or unfit for encryption."""
    der = _load_public_key(public_key_b64).public_bytes(
        encoding=serialization.Encoding.DER,
        format=serialization.PublicFormat.SubjectPublicKeyInfo,
    )
    return hashlib.sha256(der).hexdigest()


def cryptor_for(encrypted: bool, private_key: Path | None, *, allow_legacy: bool) -> CryptorBase:
    """A node's cryptor for its collaboration: RSA when it is encrypted (reading the legacy
    format only with ``allow_legacy``), plain base64 otherwise."""
    if not encrypted:
        return DummyCryptor()
    if private_key is None:
        raise InvalidKey("the collaboration is encrypted, but no private key is configured")
    return RSACryptor(private_key, allow_legacy=allow_legacy)


def _decode(text: str, name: str) -> bytes:
    try:
        return base64s_to_bytes(text)
    except ValueError:
        raise DecryptionError(f"{name} is not valid base64")


def _decode_all(parts: list[str], names: tuple[str, ...]) -> list[bytes]:
    return [_decode(text, name) for text, name in zip(parts, names, strict=True)]


def _decode_ui_key(key: bytes) -> bytes:
    """The original's web UI wraps base64 of the AES key rather than the key itself."""
    try:
        decoded = base64s_to_bytes(key)
    except ValueError:
        decoded = b""
    if len(decoded) != AES_KEY_BYTES:
        raise DecryptionError(
            f"message key is {len(key)} bytes, expected {AES_KEY_BYTES} (or base64 of "
            "them): the data was encrypted for another organization's key, or was tampered with"
        )
    return decoded


def _undo_ui_base64(plaintext: bytes) -> bytes:
    """The original's web UI encrypts base64 of the input; as the original does, plaintext
    that is JSON is kept and other plaintext that is base64 is decoded."""
    try:
        json.loads(plaintext)
        return plaintext
    except ValueError:
        pass
    try:
        return base64s_to_bytes(plaintext)
    except ValueError:
        return plaintext


def _load_private_key(path: Path) -> rsa.RSAPrivateKey:
    try:
        pem = path.read_bytes()
    except FileNotFoundError:
        raise InvalidKey(f"private key file {path} does not exist")
    except OSError as error:
        raise InvalidKey(f"cannot read private key file {path}: {error.strerror}")
    try:
        key = serialization.load_pem_private_key(pem, password=None)
    except TypeError:
        raise InvalidKey(f"private key file {path} is password-protected; use one without")
    except (ValueError, UnsupportedAlgorithm):
        raise InvalidKey(f"{path} is not a PEM private key")
    return _usable(key, rsa.RSAPrivateKey, f"private key in {path}")


def _load_public_key(public_key_b64: str | None) -> rsa.RSAPublicKey:
    if not public_key_b64:
        raise InvalidKey("the recipient organization has no public key")
    try:
        key = serialization.load_pem_public_key(base64s_to_bytes(public_key_b64))
    except (ValueError, TypeError, UnsupportedAlgorithm):
        raise InvalidKey("the recipient's public key is not base64 of a PEM public key")
    return _usable(key, rsa.RSAPublicKey, "the recipient's public key")


def _usable(key, kind: type, what: str):
    if not isinstance(key, kind):
        raise InvalidKey(f"{what} is not an RSA key")
    if key.key_size < MIN_KEY_BITS:
        raise InvalidKey(f"{what} has {key.key_size} bits; at least {MIN_KEY_BITS} are required")
    return key


def _write_private(path: Path, pem: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(descriptor, "wb") as file:
            os.fchmod(file.fileno(), 0o600)  # mkstemp's 0600 minus the umask: exactly 0600
            file.write(pem)
            file.flush()
            os.fsync(file.fileno())
        os.link(temporary, path)
    except FileExistsError:
        raise InvalidKey(f"{path} already exists; not overwriting a private key")
    finally:
        os.unlink(temporary)
