"""The browser's task input and end-to-end encryption (static/task-input.js, static/crypto.js)
in Chromium, against the Python code on the other side: the client's own ``encrypt_input``,
and ``RSACryptor`` as nodes use it, with keys made as ``vnode create-private-key`` makes them
(``RSACryptor.create_new_rsa_key``)."""

from __future__ import annotations

import base64
import json
import os
from urllib.parse import unquote, unquote_plus

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from playwright.sync_api import expect

from tests.browser.ui import expect_sign_in_page, sign_in
from vantage6.client.payload import encrypt_input
from vantage6.common.encryption import DecryptionError, RSACryptor, cryptor_for

pytestmark = pytest.mark.browser

# Run in the page: the modules as the UI serves them, next to main.js (index.html's
# "assets/main.js"), and failures as {name, message}.
MODULES = """
    const keys = await import("./assets/formats/crypto.js");
    const task = await import("./assets/formats/task-input.js");
    const failure = (error) => ({ name: error.name, message: error.message });
"""
DECRYPT = "return keys.decrypt(arg).then((bytes) => ({ bytes: Array.from(bytes) }), failure);"
ORGANIZATION_INPUTS = "return task.organizationInputs(arg.input, arg.to).catch(failure);"

INPUTS = [
    {"method": "average"},
    {"method": "central_average", "kwargs": {"column_name": "age"}},
    {
        "method": "partial",
        "args": ["Zoë", "☃ 😀", 'quote " backslash \\ slash /', "\n\r\t\b\f\x00\x1f\x7f\u2028"],
        "kwargs": {"ünïcode kéy": {"nested": [[], {}, None, True, False]}, "": ""},
    },
    {
        "method": "numbers",
        "args": [0, 1, -7, 2**53 - 1, -(2**53 - 1), 0.1, -1.5, 1 / 3, 0.0001, 2.5e-7, 1e-05],
        "kwargs": {
            "large": [1e15 + 0.5, 2.0**53, 1e16, 1.5e16, 1e21, 2.0**60, 1.7976931348623157e308]
        },
    },
]
RESULT = bytes(range(256)) + json.dumps({"average": 42.5, "name": "Zoë"}).encode()
AUTHENTICATION_FAILED = "the data was tampered with or corrupted (authentication failed)"
OTHER_KEY = "cannot decrypt the message key"


def client_input(input_: dict) -> dict:
    """What the Python client is given for the same task: all three parts, in this order."""
    return {
        "method": input_["method"],
        "args": input_.get("args", []),
        "kwargs": input_.get("kwargs", {}),
    }


def client_bytes(input_: dict) -> bytes:
    """The bytes the client sends for ``input_``, through its own code (unencrypted, the
    bytes are only base64-encoded)."""
    (sent,) = encrypt_input(None, {"id": 1, "encrypted": False}, [1], client_input(input_))
    return base64.b64decode(sent["input"])


def in_page(page, body: str, arg=None):
    """``body`` run in the page, as an async function of ``arg`` with the modules at hand."""
    return page.evaluate(f"async (arg) => {{ {MODULES} {body} }}", arg)


def load_key(page, pem: str, public_key: str | None = None):
    """Load ``pem``, checked against ``public_key`` (base64 of its PEM) when given."""
    body = "return keys.loadPrivateKey(arg.pem, arg.publicKey).then(() => null, failure);"
    return in_page(page, body, {"pem": pem, "publicKey": public_key})


@pytest.fixture(scope="module")
def key_files(tmp_path_factory):
    """The private keys of two organizations, written as `vnode create-private-key` does."""
    folder = tmp_path_factory.mktemp("keys")
    paths = [folder / "a.pem", folder / "b.pem"]
    for path in paths:
        RSACryptor.create_new_rsa_key(path)
    return paths


@pytest.fixture
def ui(page):
    """The UI's page, loaded: its modules can be imported."""
    page.goto("/")
    expect_sign_in_page(page)
    return page


def pkcs8(path) -> str:
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


@pytest.mark.parametrize("key_format", ["PKCS#1, as written", "PKCS#8"])
def test_a_result_encrypted_by_python_is_decrypted_in_the_browser(ui, key_files, key_format):
    pem = key_files[0].read_text()
    assert pem.startswith("-----BEGIN RSA PRIVATE KEY-----")  # what crypto.js wraps in PKCS#8
    if key_format == "PKCS#8":
        pem = pkcs8(key_files[0])
    organization = RSACryptor(key_files[0])
    result = organization.encrypt_bytes_to_str(RESULT, organization.public_key_str)

    assert load_key(ui, pem) is None
    assert in_page(ui, DECRYPT, result) == {"bytes": list(RESULT)}

    in_page(ui, "keys.forgetPrivateKey();")
    outcome = in_page(ui, DECRYPT, result)
    assert outcome["name"] == "InvalidKey" and "no private key is loaded" in outcome["message"]


def test_input_encrypted_in_the_browser_is_decrypted_as_the_clients_by_each_organization(
    ui, key_files
):
    cryptors = [cryptor_for(True, path, allow_legacy=False) for path in key_files]  # as nodes
    organizations = [
        {"id": 11, "name": "A", "public_key": cryptors[0].public_key_str},
        {"id": 12, "name": "B", "public_key": cryptors[1].public_key_str},
    ]
    input_ = INPUTS[2]
    assert load_key(ui, key_files[0].read_text()) is None

    sent = in_page(
        ui,
        ORGANIZATION_INPUTS,
        {"input": input_, "to": {"organizations": organizations, "encrypted": True}},
    )

    assert [item["id"] for item in sent] == [11, 12]
    assert all(item["input"].startswith("v6e1$") for item in sent)
    for cryptor, item in zip(cryptors, sent, strict=True):
        assert cryptor.decrypt_str_to_bytes(item["input"]) == client_bytes(input_)
    with pytest.raises(DecryptionError, match=OTHER_KEY):
        cryptors[0].decrypt_str_to_bytes(sent[1]["input"])


@pytest.mark.parametrize("input_", INPUTS, ids=[item["method"] for item in INPUTS])
def test_unencrypted_input_is_exactly_what_the_client_sends(ui, input_):
    to = {"organizations": [{"id": 3}, {"id": 5}], "encrypted": False}
    sent = in_page(ui, ORGANIZATION_INPUTS, {"input": input_, "to": to})
    expected = encrypt_input(None, {"id": 1, "encrypted": False}, [3, 5], client_input(input_))
    assert sent == expected
    written = in_page(ui, "return Array.from(task.inputBytes(arg));", input_)
    assert bytes(written) == json.dumps(client_input(input_)).encode()


def tampered(message: str, part: str) -> str:
    """``message`` (v6e1) with one byte flipped in ``part``."""
    version, wrapped, nonce, sealed = message.split("$")
    parts = {"key": wrapped, "nonce": nonce, "ciphertext": sealed, "tag": sealed}
    data = bytearray(base64.b64decode(parts[part]))
    data[-1 if part == "tag" else 0] ^= 0x01
    flipped = base64.b64encode(data).decode()
    if part == "key":
        wrapped = flipped
    elif part == "nonce":
        nonce = flipped
    else:
        sealed = flipped
    return "$".join([version, wrapped, nonce, sealed])


@pytest.mark.parametrize(
    "part, error",
    [
        ("ciphertext", AUTHENTICATION_FAILED),
        ("tag", AUTHENTICATION_FAILED),
        ("nonce", AUTHENTICATION_FAILED),
        ("key", OTHER_KEY),
    ],
)
def test_a_tampered_result_is_an_error_and_no_bytes(ui, key_files, part, error):
    organization = RSACryptor(key_files[0])
    result = organization.encrypt_bytes_to_str(RESULT, organization.public_key_str)
    changed = tampered(result, part)
    with pytest.raises(DecryptionError):  # the Python side refuses it too: the change is real
        organization.decrypt_str_to_bytes(changed)
    assert load_key(ui, key_files[0].read_text()) is None

    assert in_page(ui, DECRYPT, result) == {"bytes": list(RESULT)}
    outcome = in_page(ui, DECRYPT, changed)
    assert outcome["name"] == "DecryptionError" and error in outcome["message"]
    assert "bytes" not in outcome


def test_a_result_for_another_organization_is_an_error(ui, key_files):
    other = RSACryptor(key_files[1])
    assert load_key(ui, key_files[0].read_text()) is None
    outcome = in_page(ui, DECRYPT, other.encrypt_bytes_to_str(RESULT, other.public_key_str))
    assert outcome["name"] == "DecryptionError" and OTHER_KEY in outcome["message"]


def legacy(cryptor: RSACryptor, plaintext: bytes) -> str:
    """``plaintext`` in the original's legacy format: RSA PKCS#1 v1.5 + AES-256-CTR."""
    key, iv = os.urandom(32), os.urandom(16)
    wrapped = cryptor.private_key.public_key().encrypt(key, padding.PKCS1v15())
    encryptor = Cipher(algorithms.AES(key), modes.CTR(iv)).encryptor()
    ciphertext = encryptor.update(plaintext) + encryptor.finalize()
    return "$".join(base64.b64encode(part).decode() for part in (wrapped, iv, ciphertext))


def test_a_result_in_the_legacy_format_says_that_the_python_client_reads_it(ui, key_files):
    organization = RSACryptor(key_files[0])
    result = legacy(organization, RESULT)
    assert organization.decrypt_str_to_bytes(result) == RESULT  # it is the legacy format
    assert load_key(ui, key_files[0].read_text()) is None

    outcome = in_page(ui, DECRYPT, result)
    assert outcome["name"] == "LegacyFormat"
    assert "legacy encryption format" in outcome["message"]
    assert "the Python client reads it" in outcome["message"]


def password_protected(path, key_format) -> str:
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    return key.private_bytes(
        serialization.Encoding.PEM, key_format, serialization.BestAvailableEncryption(b"secret")
    ).decode()


def small_key() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    ).decode()


@pytest.mark.parametrize(
    "make_pem, error",
    [
        (
            lambda path: password_protected(path, serialization.PrivateFormat.TraditionalOpenSSL),
            "password-protected",
        ),
        (
            lambda path: password_protected(path, serialization.PrivateFormat.PKCS8),
            "password-protected",
        ),
        (lambda path: RSACryptor(path).public_key_bytes.decode(), "not a private key"),
        (lambda path: path.read_text().replace("MII", "MIJ", 1), "not a readable RSA"),
        (lambda path: "my private key", "not a PEM key"),
        (lambda path: small_key(), "1024 bits; at least 2048 are required"),
    ],
    ids=["PKCS#1 with password", "PKCS#8 with password", "public", "damaged", "text", "small"],
)
def test_an_unusable_private_key_is_refused(ui, key_files, make_pem, error):
    outcome = load_key(ui, make_pem(key_files[0]))
    assert outcome["name"] == "InvalidKey" and error in outcome["message"], outcome
    assert in_page(ui, "return keys.hasPrivateKey();") is False


def test_a_private_key_that_is_not_the_organizations_is_refused_and_the_loaded_one_stays(
    ui, key_files
):
    ours, theirs = (RSACryptor(path) for path in key_files)
    result = ours.encrypt_bytes_to_str(RESULT, ours.public_key_str)
    assert load_key(ui, key_files[0].read_text(), ours.public_key_str) is None

    outcome = load_key(ui, key_files[1].read_text(), ours.public_key_str)
    assert outcome["name"] == "InvalidKey", outcome
    assert "it is not your organization's key" in outcome["message"]
    assert in_page(ui, DECRYPT, result) == {"bytes": list(RESULT)}  # still the right key
    assert load_key(ui, key_files[1].read_text(), theirs.public_key_str) is None


@pytest.mark.parametrize(
    "expression, error",
    [
        ("{ kwargs: {} }", "The input names no method to call"),
        ("{ method: '_hidden' }", '"_hidden" is not the name of a public function'),
        ("{ method: 'not-python' }", '"not-python" is not the name of a public function'),
        ("{ method: 'f', args: { a: 1 } }", "The arguments (args) must be a list"),
        ("{ method: 'f', kwargs: [1] }", "The keyword arguments (kwargs) must be an object"),
        ("{ method: 'f', kwargs: { x: undefined } }", "kwargs.x is undefined"),
        ("{ method: 'f', args: [1, NaN] }", "args[1] is NaN, which JSON cannot hold"),
        ("{ method: 'f', args: [[Infinity]] }", "args[0][0] is Infinity"),
        ("{ method: 'f', args: [() => 1] }", "args[0] is a function"),
        ("{ method: 'f', args: [1n] }", "args[0] is a bigint"),
        ("{ method: 'f', kwargs: { 'a b': new Date(0) } }", 'kwargs["a b"] is a Date'),
        ("{ method: 'f', kwargs: { m: new Map() } }", "kwargs.m is a Map"),
        ("{ method: 'f', args: [, 1] }", "args[0] is undefined"),
        (
            "(() => { const a = []; a.push({ a }); return { method: 'f', args: a }; })()",
            "args[0].a contains itself",
        ),
    ],
)
def test_input_that_json_cannot_hold_or_no_algorithm_can_take_is_refused(ui, expression, error):
    outcome = in_page(
        ui, f"try {{ task.inputBytes({expression}); }} catch (e) {{ return failure(e); }}"
    )
    assert outcome == {"name": "TaskInputError", "message": outcome["message"]}
    assert error in outcome["message"]


def test_encrypted_input_needs_the_key_loaded_and_a_public_key_for_each_organization(ui, key_files):
    public_key = RSACryptor(key_files[1]).public_key_str
    to = {
        "organizations": [{"id": 1, "public_key": public_key}, {"id": 2, "name": "Bergen"}],
        "encrypted": True,
    }
    arg = {"input": INPUTS[0], "to": to}
    outcome = in_page(ui, ORGANIZATION_INPUTS, arg)
    assert outcome["name"] == "TaskInputError"
    assert "first load your organization's private key" in outcome["message"]

    assert load_key(ui, key_files[0].read_text()) is None
    outcome = in_page(ui, ORGANIZATION_INPUTS, arg)
    assert outcome["name"] == "TaskInputError"
    assert outcome["message"].startswith('Organization "Bergen" has no public key on the server')

    to["organizations"][1]["public_key"] = base64.b64encode(b"not a key").decode()
    outcome = in_page(ui, ORGANIZATION_INPUTS, arg)
    assert outcome["message"].startswith('Organization "Bergen": the recipient\'s public key')


def test_the_private_key_never_leaves_the_page(page, server, key_files):
    """A task made in the browser in an encrypted collaboration: the server takes it, each
    organization's node reads its input, and no request carried the key, nor was it stored."""
    ids = server.collaboration(organizations=1, encrypted=True)
    server.root_node_key(ids)  # a task is for organizations with a node
    cryptors = [cryptor_for(True, path, allow_legacy=False) for path in key_files]
    server.ok(
        "PATCH", f"/organization/{ids['root_org']}", {"public_key": cryptors[0].public_key_str}
    )
    node = server.node_token(ids["keys"][0])
    server.ok(
        "PATCH", f"/organization/{ids['orgs'][0]}", {"public_key": cryptors[1].public_key_str}, node
    )
    sent = []
    page.on("request", lambda request: sent.append((request.url, request.post_data_buffer)))
    page.goto("/")
    sign_in(page, "root", "root")
    expect(page.get_by_role("heading", name="Welcome")).to_be_visible()

    pem = key_files[0].read_text()
    organization_ids = [ids["root_org"], ids["orgs"][0]]
    create = """
        const api = await import("./assets/core/api.js");
        await keys.loadPrivateKey(arg.pem);
        const organizations = await Promise.all(
            arg.fields.organizations.map((id) => api.get(`/organization/${id}`)),
        );
        const inputs = await task.organizationInputs(arg.input, { organizations, encrypted: true });
        const body = { ...arg.fields, organizations: inputs };
        return (await api.request("POST", "/task", { body })).answer.id;
    """
    fields = {
        "name": "made in the browser",
        "image": "demo/average",
        "collaboration_id": ids["collab"],
        "organizations": organization_ids,
        "databases": [{"label": "default"}],
    }
    arg = {"pem": pem, "input": INPUTS[1], "fields": fields}
    task_id = in_page(page, create, arg)

    runs = server.ok("GET", f"/run?task_id={task_id}")["data"]
    inputs = {run["organization"]["id"]: run["input"] for run in runs}
    assert sorted(inputs) == sorted(organization_ids)
    for organization_id, cryptor in zip(organization_ids, cryptors, strict=True):
        assert cryptor.decrypt_str_to_bytes(inputs[organization_id]) == client_bytes(INPUTS[1])

    bodies = [body for _, body in sent if body]
    assert any(b"v6e1$" in body for body in bodies)  # the task's body was seen
    secret_lines = [line for line in pem.splitlines() if not line.startswith("-----")]
    for url, body in sent:
        text = (body or b"").decode("latin-1")
        carried = f"{url} {unquote(url)} {text} {unquote_plus(text)}"  # also URL-encoded
        assert not any(line in carried for line in secret_lines), f"sent: {url[:60]}"
    stored = """
        return {
            local: localStorage.length, session: sessionStorage.length, cookie: document.cookie,
            databases: (await indexedDB.databases()).length, caches: (await caches.keys()).length,
        };
    """
    assert in_page(page, stored) == {
        "local": 0,
        "session": 0,
        "cookie": "",
        "databases": 0,
        "caches": 0,
    }
