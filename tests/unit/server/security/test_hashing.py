"""The hashing helpers: configured argon2, salted hashes, and verification that never raises."""

from __future__ import annotations

import hashlib

import pytest

from tests.support import FAST_COST
from vantage6.server.security import hashing
from vantage6.server.security.hashing import Cost


@pytest.fixture
def restore_hasher():
    yield
    hashing.configure_hasher(FAST_COST, FAST_COST)  # as tests/conftest.py


def test_hashes_use_the_configured_cost(restore_hasher):
    assert "$m=8,t=1,p=1$" in hashing.hash_secret("s")  # set by the suite's fast_hashing
    hashing.configure_hasher(passwords=Cost(2, 16, 1), api_keys=Cost(1, 32, 2))
    password = hashing.hash_secret("s")
    assert password.startswith("$argon2id$") and "$m=16,t=2,p=1$" in password
    assert hashing.verify_secret(password, "s")
    api_key = hashing.hash_secret("s", kind="api_key")
    assert "$m=32,t=1,p=2$" in api_key and hashing.verify_secret(api_key, "s", kind="api_key")


def test_api_keys_are_cheaper_to_check_than_passwords_by_default():
    """Server-made keys are random; a lighter profile keeps node login fast (bench/)."""
    default, api_key = hashing.PASSWORD_COST, hashing.API_KEY_COST
    assert api_key.memory_cost * api_key.time_cost < default.memory_cost * default.time_cost
    assert api_key.memory_cost >= 19456  # OWASP's minimum for argon2id


def test_hashes_are_salted():
    assert hashing.hash_secret("same") != hashing.hash_secret("same")


@pytest.mark.parametrize(
    "hashed, secret",
    [
        (None, "s"),
        ("", "s"),
        ("not-a-hash", "s"),
        ("$argon2id$v=19$m=8,t=1,p=1$broken", "s"),
        ("$2b$12$abcdefghijklmnopqrstuu5Vd2Klq5gq2ESh5Zr0QGLn3LV8o7V.y", "s"),  # bcrypt
    ],
)
def test_verify_refuses_missing_or_foreign_hashes_without_raising(hashed, secret):
    assert hashing.verify_secret(hashed, secret) is False


@pytest.mark.parametrize("secret", [None, 1, b"s"])
def test_verify_refuses_non_text_secrets(secret):
    assert hashing.verify_secret(hashing.hash_secret("s"), secret) is False


def test_lookup_id_is_a_stable_16_hex_prefix_of_sha256():
    key = "b1c2d3-node-key"
    assert hashing.api_key_lookup_id(key) == hashlib.sha256(key.encode()).hexdigest()[:16]
    assert hashing.api_key_lookup_id(key) == hashing.api_key_lookup_id(key)
    assert hashing.api_key_lookup_id(key) != hashing.api_key_lookup_id(key + "x")


def test_under_gevent_hashing_runs_in_the_thread_pool(monkeypatch):
    """A served process (gevent) must not stall its event loop on argon2."""
    import threading

    from gevent import monkey

    threads = []
    real = hashing._hashers["password"]

    class Recording:
        def hash(self, secret):
            threads.append(threading.get_ident())
            return real.hash(secret)

        def verify(self, hashed, secret):
            threads.append(threading.get_ident())
            return real.verify(hashed, secret)

    monkeypatch.setitem(hashing._hashers, "password", Recording())
    monkeypatch.setattr(monkey, "is_module_patched", lambda name: name == "threading")
    assert hashing.verify_secret(hashing.hash_secret("s"), "s")
    assert len(threads) == 2 and threading.get_ident() not in threads


def test_no_more_hashes_at_once_than_cores(monkeypatch):
    """Each argon2 check holds its working memory while it runs: a burst of logins must not
    hold a burst of it."""
    import os
    import threading
    import time

    running, most = [], []
    lock = threading.Lock()
    real = hashing._hashers["password"]

    class Counting:
        def verify(self, hashed, secret):
            with lock:
                running.append(1)
                most.append(len(running))
            time.sleep(0.05)
            with lock:
                running.pop()
            return real.verify(hashed, secret)

    stored = hashing.hash_secret("s")
    monkeypatch.setitem(hashing._hashers, "password", Counting())
    checks = [threading.Thread(target=hashing.verify_secret, args=(stored, "s")) for _ in range(8)]
    for check in checks:
        check.start()
    for check in checks:
        check.join()
    assert len(most) == 8 and max(most) <= (os.cpu_count() or 1)
