"""The node proxy between a real server and the real ``AlgorithmClient``: algorithms create
subtasks (inputs encrypted per organization in encrypted collaborations, only for public keys
the node accepts), read results (decrypted with the node's key, only those of their own job)
and their job's VPN addresses (the server's); tokens the node did not give and everything else
are refused without reaching the server."""

from __future__ import annotations

import json
import logging
import socket
from types import SimpleNamespace

import pytest
import requests

from tests.functional.node.conftest import IMAGE, plain
from tests.functional.test_serve import free_port
from tests.unit.algorithm.conftest import StubProxy
from vantage6.algorithm.client import AlgorithmClient, AlgorithmClientError
from vantage6.common.encryption import (
    DecryptionError,
    DummyCryptor,
    base64s_to_bytes,
    is_legacy,
    public_key_fingerprint,
)
from vantage6.node.proxy import MAX_BODY, NodeProxy
from vantage6.node.recipient_keys import RecipientKeys
from vantage6.node.state import NodeState

PARTIAL = {"method": "partial_average", "kwargs": {"column_name": "age"}}


def algorithm(port: int, token: str) -> AlgorithmClient:
    return AlgorithmClient(token, "http://127.0.0.1", port)


@pytest.fixture
def in_a(world, logged_in, start_proxy, container_token):
    """An algorithm of root's organization in unencrypted collaboration A, behind its node's
    proxy."""
    proxy = start_proxy(logged_in(world["key-root"]), DummyCryptor())
    token = container_token(world["A"], world["root"], world["key-root"], proxy=proxy)
    return algorithm(proxy.port, token)


@pytest.fixture
def in_e(world, logged_in, start_proxy, container_token):
    """The same in encrypted collaboration E, with the node's private key."""
    return encrypted_algorithm(world, logged_in, start_proxy, container_token)


def encrypted_algorithm(world, logged_in, start_proxy, container_token) -> AlgorithmClient:
    cryptor = world["cryptor-root"]
    proxy = start_proxy(logged_in(world["key-E-root"]), cryptor)
    parent_input = cryptor.encrypt_bytes_to_str(b"{}", cryptor.public_key_str)
    token = container_token(world["E"], world["root"], world["key-E-root"], parent_input, proxy)
    client = algorithm(proxy.port, token)
    client.proxy = proxy  # for the tests that play the node's operator
    return client


def offline_proxy(tmp_path) -> NodeProxy:
    """A proxy whose server is never reached, that knows the token ``x.y.z``."""
    dead = SimpleNamespace(base_url=f"http://127.0.0.1:{free_port()}/api")
    proxy = NodeProxy(dead, DummyCryptor(), RecipientKeys(NodeState(tmp_path), "--name n"))
    proxy.containers.admit(1, "x.y.z", job_id=1)
    return proxy


@pytest.fixture
def isolated(tmp_path):
    """A proxy whose server never answers: what it refuses, it refuses by itself."""
    proxy = offline_proxy(tmp_path)
    port = proxy.listen("127.0.0.1")
    yield f"http://127.0.0.1:{port}"
    proxy.stop()


def runs_of(server, task_id: int) -> list[dict]:
    return server.ok("GET", f"/task/{task_id}?include=runs")["runs"]


def report(logged_in, api_key: str, run_id: int, result: str) -> None:
    """What a node does when its run completed: PATCH the run with the (encrypted) result."""
    body = {"status": "completed", "result": result}
    logged_in(api_key).request("PATCH", f"/run/{run_id}", json=body)


def run_at(runs: list[dict], organization_id: int) -> dict:
    return next(run for run in runs if run["organization"]["id"] == organization_id)


# -- unencrypted collaboration ------------------------------------------------------------------


def test_the_algorithm_reads_its_collaboration_and_organizations(in_a, world):
    assert {o["id"] for o in in_a.organization.list()} == {world["root"], world["a2"]}
    assert in_a.organization.get(world["a2"])["name"] == "a2"
    collaboration = in_a.collaboration.get()
    assert (collaboration["id"], collaboration["encrypted"]) == (world["A"], False)


def test_a_subtask_is_stored_with_its_input_as_sent(in_a, server, world):
    created = in_a.task.create(PARTIAL, [world["a2"], world["root"]], name="partial")
    stored = server.ok("GET", f"/task/{created['id']}")
    assert stored["parent"]["id"] == in_a.task_id
    assert (stored["name"], stored["image"]) == ("partial", IMAGE)
    runs = runs_of(server, created["id"])
    assert {run["organization"]["id"] for run in runs} == {world["a2"], world["root"]}
    assert all(run["input"] == plain(PARTIAL) for run in runs)
    assert in_a.task.get(created["id"])["status"] == "pending"


def test_results_reach_the_algorithm_decoded(in_a, server, world, logged_in):
    created = in_a.task.create(PARTIAL, [world["a2"], world["root"]])
    runs = runs_of(server, created["id"])
    for name, value in (("a2", {"sum": 3, "count": 2}), ("root", {"sum": 10, "count": 4})):
        report(logged_in, world[f"key-{name}"], run_at(runs, world[name])["id"], plain(value))

    # Results come in run order; the original's GET /result/<id> route was broken (§11).
    in_order = sorted(runs, key=lambda run: run["id"])
    sums = {world["a2"]: {"sum": 3, "count": 2}, world["root"]: {"sum": 10, "count": 4}}
    expected = [sums[run["organization"]["id"]] for run in in_order]
    assert in_a.wait_for_results(created["id"], timeout=10) == expected
    assert in_a.result.get(in_order[0]["id"]) == expected[0]
    assert [run["status"] for run in in_a.run.from_task(created["id"])] == ["completed"] * 2
    assert in_a.run.get(in_order[1]["id"])["id"] == in_order[1]["id"]


def test_query_strings_reach_the_server(in_a, world):
    found = in_a.request("organization", params={"name": "a2"})["data"]
    assert [o["id"] for o in found] == [world["a2"]]
    with pytest.raises(AlgorithmClientError, match="400"):
        in_a.request("run", params={"task_id": "abc"})


def test_the_servers_refusals_are_passed_on(in_a, world):
    with pytest.raises(AlgorithmClientError, match=r"404 Task '999999' does not exist"):
        in_a.task.get(999999)
    other = {
        "collaboration_id": world["B"],
        "organizations": [{"id": world["b1"], "input": plain(1)}],
    }
    with pytest.raises(AlgorithmClientError, match="403"):
        in_a.request("task", method="POST", json_body={"image": IMAGE, **other})
    forged = AlgorithmClient(in_a.token[:-4] + "AAAA", in_a.base_url)
    with pytest.raises(AlgorithmClientError, match="401"):
        forged.organization.get(world["a2"])


@pytest.mark.parametrize(
    "body, why",
    [
        (b"{not json", "not JSON"),
        (b'{"collaboration_id": 1}', "organizations"),
        (b'{"collaboration_id": 1, "organizations": [{"id": 1}]}', "organizations"),
        (b"[1, 2]", "organizations"),
    ],
)
def test_a_task_the_proxy_cannot_read_is_refused(in_a, body, why):
    answer = requests.post(
        f"{in_a.base_url}/task",
        data=body,
        headers={"Authorization": f"Bearer {in_a.token}", "Content-Type": "application/json"},
        timeout=10,
    )
    assert answer.status_code == 400
    assert why in answer.json()["msg"]


# -- encrypted collaboration --------------------------------------------------------------------


def test_subtask_input_is_encrypted_for_each_organization(in_e, server, world):
    created = in_e.task.create(PARTIAL, [world["a2"], world["root"]])
    runs = runs_of(server, created["id"])
    for name in ("a2", "root"):
        stored = run_at(runs, world[name])["input"]
        assert "$" in stored and stored != plain(PARTIAL)
        assert json.loads(world[f"cryptor-{name}"].decrypt_str_to_bytes(stored)) == PARTIAL
    with pytest.raises(DecryptionError):
        world["cryptor-root"].decrypt_str_to_bytes(run_at(runs, world["a2"])["input"])


def test_encrypted_results_are_decrypted_and_a_bad_one_is_named(in_e, server, world, logged_in):
    created = in_e.task.create(PARTIAL, [world["a2"], world["root"]])
    runs = runs_of(server, created["id"])
    good, bad = run_at(runs, world["a2"]), run_at(runs, world["root"])
    for_root = world["cryptor-root"].public_key_str
    for_a2 = world["cryptor-a2"].public_key_str
    result = world["cryptor-a2"].encrypt_bytes_to_str(b'{"sum": 3, "count": 2}', for_root)
    report(logged_in, world["key-E-a2"], good["id"], result)
    wrong_key = world["cryptor-root"].encrypt_bytes_to_str(b'{"sum": 1}', for_a2)
    report(logged_in, world["key-E-root"], bad["id"], wrong_key)

    assert in_e.result.get(good["id"]) == {"sum": 3, "count": 2}
    listed = {item["id"]: item for item in in_e.list_all("result", {"task_id": created["id"]})}
    assert base64s_to_bytes(listed[good["id"]]["result"]) == b'{"sum": 3, "count": 2}'
    assert listed[bad["id"]]["result"] is None
    assert f"run {bad['id']} cannot be decrypted" in listed[bad["id"]]["decryption_error"]
    embedded = in_e.request(f"task/{created['id']}", params={"include": "results"})["results"]
    assert {r["id"]: r["result"] for r in embedded}[good["id"]] == listed[good["id"]]["result"]


def test_a_replaced_public_key_stops_the_subtask_until_the_operator_accepts_it(
    in_e, server, world, logged_in
):
    """Someone able to change an organization's key at the server (here with the credentials
    of that organization's node) puts in a key of theirs, to read the input the node encrypts
    for that organization."""
    genuine = world["cryptor-a2"].public_key_str
    in_e.task.create(PARTIAL, [world["a2"]])  # the node encrypts for a2: its key is remembered
    attacker = world["cryptor-root"].public_key_str

    def set_key(public_key: str) -> None:
        a2 = logged_in(world["key-E-a2"])
        a2.request("PATCH", f"/organization/{world['a2']}", json={"public_key": public_key})

    set_key(attacker)
    try:
        with pytest.raises(AlgorithmClientError) as refused:
            in_e.task.create(PARTIAL, [world["a2"], world["root"]])
        message = str(refused.value)
        assert "409 The task was not created: The server has another public key for " in message
        assert f"organization {world['a2']} (SHA-256 fingerprint " in message
        assert public_key_fingerprint(attacker) in message
        assert public_key_fingerprint(genuine) in message
        assert "vnode trust-key --organization" in message
        assert len(server.ok("GET", f"/task?parent_id={in_e.task_id}")["data"]) == 1

        # the operator accepts the new key (as `vnode trust-key` does): subtasks go again
        in_e.proxy.recipient_keys.state.replace_key(world["a2"], public_key_fingerprint(attacker))
        created = in_e.task.create(PARTIAL, [world["a2"]])
        assert world["cryptor-root"].decrypt_str_to_bytes(
            runs_of(server, created["id"])[0]["input"]
        )
    finally:
        set_key(genuine)


def test_a_token_the_node_did_not_give_is_refused_before_the_server_hears_of_it(
    world, server, logged_in, start_proxy, container_token
):
    """A valid container token, but not one this node's proxy admitted (another node's, or
    one whose run ended here): the proxy answers 401 without forwarding it."""
    proxy = start_proxy(logged_in(world["key-root"]), DummyCryptor())
    valid = container_token(world["A"], world["root"], world["key-root"])  # not admitted
    answer = requests.get(
        f"http://127.0.0.1:{proxy.port}/organization",
        headers={"Authorization": f"Bearer {valid}"},
        timeout=10,
    )
    assert answer.status_code == 401
    assert "serves only the algorithms this node runs" in answer.json()["msg"]

    admitted = algorithm(
        proxy.port, container_token(world["A"], world["root"], world["key-root"], proxy=proxy)
    )
    assert admitted.organization.list()
    proxy.containers.dismiss(admitted.run_id)  # its run ended
    with pytest.raises(AlgorithmClientError, match="401 The node proxy serves only"):
        admitted.organization.list()


def test_a_target_without_public_key_stops_the_subtask(in_e, server, world):
    no_key = f"400 The task was not created: organization {world['c3']} has no public key"
    with pytest.raises(AlgorithmClientError, match=no_key):
        in_e.task.create(PARTIAL, [world["a2"], world["c3"]])
    children = server.ok("GET", f"/task?parent_id={in_e.task_id}")["data"]
    assert children == []


def test_a_4x_node_is_written_the_legacy_format_only_by_a_node_that_allows_it(in_e, server, world):
    """a2's node shares a configuration that names no formats, as a 4.x node does."""
    server.share_config(world["key-E-a2"], {"encryption": True})
    try:
        created = in_e.task.create(PARTIAL, [world["a2"]])
        (run,) = runs_of(server, created["id"])
        assert is_legacy(run["input"])
        assert json.loads(world["cryptor-a2"].decrypt_str_to_bytes(run["input"])) == PARTIAL

        in_e.proxy.cryptor.allow_legacy = False  # [encryption] allow_legacy = false
        refused = "reads only the legacy encryption format; this node writes it only with"
        with pytest.raises(AlgorithmClientError, match=refused):
            in_e.task.create(PARTIAL, [world["a2"]])
    finally:
        in_e.proxy.cryptor.allow_legacy = True
        server.share_config(world["key-E-a2"], {"encryption": True, "encryption_formats": ["v6e1"]})


# -- refused by the proxy itself ----------------------------------------------------------------


@pytest.mark.parametrize(
    "method, path, status",
    [
        ("GET", "/", 404),
        ("GET", "/user", 404),
        ("GET", "/node/1", 404),
        ("POST", "/token/container", 404),
        ("GET", "/task/abc", 404),
        ("GET", "/api/task/1", 404),
        ("GET", "/task", 405),
        ("DELETE", "/task/1", 405),
        ("PATCH", "/run/1", 405),
        ("POST", "/organization", 405),
        ("PUT", "/result/1", 405),
        ("POST", "/study", 405),
        ("GET", "/study/1/organization", 404),
        ("POST", "/study/1/organization", 404),
        ("GET", "/blobstream/1", 404),
        ("POST", "/vpn/algorithm/addresses", 405),
    ],
)
def test_other_endpoints_are_refused_without_asking_the_server(isolated, method, path, status):
    answer = requests.request(
        method, isolated + path, headers={"Authorization": "Bearer x.y.z"}, timeout=10
    )
    assert answer.status_code == status
    assert path in answer.json()["msg"]


@pytest.mark.parametrize("header", [None, "Basic cm9vdDpyb290", "Bearer ", "x.y.z"])
def test_requests_without_a_container_token_get_401(isolated, header):
    headers = {"Authorization": header} if header else {}
    for method, path in (("GET", "/organization"), ("POST", "/task"), ("GET", "/result/1")):
        answer = requests.request(method, isolated + path, headers=headers, timeout=10)
        assert answer.status_code == 401, (method, path)
        assert "container token" in answer.json()["msg"]


def test_an_unreachable_server_is_502(isolated):
    headers = {"Authorization": "Bearer x.y.z"}
    for method, path in (("GET", "/organization?name=a"), ("POST", "/task"), ("GET", "/result")):
        body = {"collaboration_id": 1, "organizations": [{"id": 1, "input": plain(1)}]}
        answer = requests.request(method, isolated + path, headers=headers, json=body, timeout=10)
        assert answer.status_code == 502
        assert "cannot be reached" in answer.json()["msg"]


def test_a_body_over_the_limit_is_413(isolated):
    port = int(isolated.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
        connection.sendall(
            b"POST /task HTTP/1.1\r\nHost: proxy\r\nAuthorization: Bearer x.y.z\r\n"
            b"Content-Type: application/json\r\n"
            + f"Content-Length: {MAX_BODY + 1}\r\n\r\n".encode()
        )
        status_line = connection.recv(1024).split(b"\r\n", 1)[0]
    assert b" 413 " in status_line


def test_tokens_never_reach_the_log(in_a, isolated, caplog):
    caplog.set_level(logging.DEBUG)
    in_a.organization.list()
    with pytest.raises(AlgorithmClientError):
        in_a.task.get(999999)
    requests.get(
        f"{isolated}/organization", headers={"Authorization": f"Bearer {in_a.token}"}, timeout=10
    )
    assert caplog.records
    assert in_a.token not in caplog.text
    assert in_a.token.split(".")[2] not in caplog.text


def test_stop_closes_the_port(tmp_path):
    proxy = offline_proxy(tmp_path)
    port = proxy.listen("127.0.0.1")
    assert requests.get(f"http://127.0.0.1:{port}/user", timeout=5).status_code == 404
    proxy.stop()
    with pytest.raises(requests.ConnectionError):
        requests.get(f"http://127.0.0.1:{port}/user", timeout=5)
    proxy.stop()  # a second stop does nothing


def test_the_proxy_listens_on_the_given_addresses_only_on_one_port(tmp_path):
    proxy = offline_proxy(tmp_path)
    port = proxy.listen("127.0.0.2")
    try:
        assert type(port) is int and port > 0  # what the daemon stores and hands to containers
        assert requests.get(f"http://127.0.0.2:{port}/user", timeout=5).status_code == 404
        with pytest.raises(requests.ConnectionError):
            requests.get(f"http://127.0.0.1:{port}/user", timeout=5)
        assert proxy.listen("127.0.0.3") == port  # another run's network: the same port
        assert requests.get(f"http://127.0.0.3:{port}/user", timeout=5).status_code == 404
        proxy.close("127.0.0.2")  # that run ended
        with pytest.raises(requests.ConnectionError):
            requests.get(f"http://127.0.0.2:{port}/user", timeout=5)
        assert requests.get(f"http://127.0.0.3:{port}/user", timeout=5).status_code == 404
    finally:
        proxy.stop()


# -- what else the original 4.x AlgorithmClient asks for --------------------------------------


def test_the_blob_store_status_is_the_servers(in_a):
    assert in_a.request("blobstream/status") == {"blob_store_enabled": False}
    assert in_a.check_if_blob_store_enabled() is False


def test_vpn_addresses_are_the_servers(in_a):
    """Collaboration A's nodes are not on a VPN: the server lists no address for the job."""
    assert in_a.vpn.get_addresses() == []
    assert in_a.vpn.get_child_addresses() == []
    assert in_a.vpn.get_addresses(include_parent=True, label="grpc") == []


@pytest.fixture
def stand_in(tmp_path):
    """A proxy in front of a stand-in server that records what reaches it; the proxy knows
    the token ``x.y.z``."""
    server = StubProxy().serve()
    base = SimpleNamespace(base_url=f"{server.url}/api")
    proxy = NodeProxy(base, DummyCryptor(), RecipientKeys(NodeState(tmp_path), "--name n"))
    proxy.containers.admit(1, "x.y.z", job_id=1)
    port = proxy.listen("127.0.0.1")
    yield server, f"http://127.0.0.1:{port}"
    proxy.stop()
    server.close()


def test_studies_are_forwarded_to_the_server(stand_in):
    server, proxy_url = stand_in
    server.route("GET", "/api/study", {"data": [{"id": 7}], "links": {}})
    server.route("GET", "/api/study/7", {"id": 7, "name": "s"})
    headers = {"Authorization": "Bearer x.y.z"}
    listed = requests.get(
        f"{proxy_url}/study?collaboration_id=9&page=1", headers=headers, timeout=10
    )
    one = requests.get(f"{proxy_url}/study/7", headers=headers, timeout=10)
    assert (listed.status_code, listed.json()["data"]) == (200, [{"id": 7}])
    assert (one.status_code, one.json()) == (200, {"id": 7, "name": "s"})
    forwarded = [(r["method"], r["path"], r["query"]) for r in server.requests]
    assert forwarded == [
        ("GET", "/api/study", {"collaboration_id": "9", "page": "1"}),
        ("GET", "/api/study/7", {}),
    ]
    assert all(r["headers"]["Authorization"] == "Bearer x.y.z" for r in server.requests)
    server.route("GET", "/api/study/8", (404, {"msg": "Study 8 does not exist"}))
    missing = requests.get(f"{proxy_url}/study/8", headers=headers, timeout=10)
    assert (missing.status_code, missing.json()) == (404, {"msg": "Study 8 does not exist"})


def test_vpn_addresses_are_forwarded_to_the_server_as_asked(stand_in):
    server, proxy_url = stand_in
    sibling = {
        "ip": "10.76.0.3",
        "port": 8888,
        "label": "exchange",
        "organization_id": 2,
        "task_id": 5,
        "parent_id": 4,
        "run_id": 9,
    }
    server.route("GET", "/api/vpn/algorithm/addresses", {"addresses": [sibling]})
    headers = {"Authorization": "Bearer x.y.z"}
    answer = requests.get(
        f"{proxy_url}/vpn/algorithm/addresses?only_siblings=1&label=exchange",
        headers=headers,
        timeout=10,
    )
    assert (answer.status_code, answer.json()) == (200, {"addresses": [sibling]})
    [forwarded] = server.requests
    assert (forwarded["path"], forwarded["query"]) == (
        "/api/vpn/algorithm/addresses",
        {"only_siblings": "1", "label": "exchange"},
    )
    assert forwarded["headers"]["Authorization"] == "Bearer x.y.z"

    refusal = {"msg": "You can only specify one of the only_<...> parameters!"}
    server.route("GET", "/api/vpn/algorithm/addresses", (400, refusal))
    both = requests.get(
        f"{proxy_url}/vpn/algorithm/addresses?only_self=1&only_parent=1",
        headers=headers,
        timeout=10,
    )
    assert (both.status_code, both.json()) == (400, refusal)
    unknown = requests.get(
        f"{proxy_url}/vpn/algorithm/addresses",
        headers={"Authorization": "Bearer a.b.c"},
        timeout=10,
    )
    assert unknown.status_code == 401
    assert len(server.requests) == 2  # the unknown token never reached the server
