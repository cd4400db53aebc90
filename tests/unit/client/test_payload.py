"""How the client reads stored inputs and results."""

from __future__ import annotations

import base64

from vantage6.client.payload import decode
from vantage6.common.encryption import DummyCryptor


def stored(data: bytes) -> str:
    return base64.b64encode(data).decode()


def test_json_is_read_with_or_without_the_original_format_mark():
    """R algorithms answer a ``json.``-marked input (the original clients') in kind."""
    for data in (b'{"n": 3}', b'json.{"n": 3}'):
        assert decode(DummyCryptor(), stored(data), "result") == {"n": 3}


def test_what_is_not_json_stays_bytes_and_nothing_stays_none():
    assert decode(DummyCryptor(), stored(b"RDS.X\n\x00"), "result") == b"RDS.X\n\x00"
    assert decode(DummyCryptor(), None, "result") is None
