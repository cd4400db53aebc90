"""Ciphertexts in the original vantage6's format, made with ``cryptography`` directly.

Original (Python client and node, up to 4.x): ``b64(RSA-PKCS#1-v1.5(key))$b64(iv)$
b64(AES-256-CTR(key, iv, data))``. Its web UI wraps base64 of the key and encrypts base64 of the
data.
"""

from __future__ import annotations

import base64
import os

from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def legacy_encrypt(
    data: bytes, public_key: rsa.RSAPublicKey, *, ui: bool = False, key: bytes | None = None
) -> str:
    """``ui``: as the original's web UI does it; ``key``: the AES key (random 32 bytes)."""
    key = os.urandom(32) if key is None else key
    iv = os.urandom(16)
    if ui:
        data = base64.b64encode(data)
    encryptor = Cipher(algorithms.AES(key), modes.CTR(iv)).encryptor()
    ciphertext = encryptor.update(data) + encryptor.finalize()
    wrapped = public_key.encrypt(base64.b64encode(key) if ui else key, padding.PKCS1v15())
    return "$".join([b64(wrapped), b64(iv), b64(ciphertext)])
