"""Where the client's documentation imports the encryption tools from
(``from vantage6.client.encryption import RSACryptor``); they live in
:mod:`vantage6.common.encryption`."""

from vantage6.common.encryption import (
    CryptorBase,
    DecryptionError,
    DummyCryptor,
    RSACryptor,
    base64s_to_bytes,
    bytes_to_base64s,
)

__all__ = [
    "CryptorBase",
    "DecryptionError",
    "DummyCryptor",
    "RSACryptor",
    "base64s_to_bytes",
    "bytes_to_base64s",
]
