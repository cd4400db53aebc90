"""``AlgorithmClient`` called as the original 4.x client is: its sub-clients (``study``, ``vpn``
too), ``request`` with the original's parameters, the blob store check, tokens of tasks in a
study. Over real HTTP against a stub node proxy."""

from __future__ import annotations

import base64
import json

import jwt
import pytest

from tests.unit.algorithm.test_client import SUBJECT, TOKEN
from vantage6.algorithm.client import AlgorithmClient, AlgorithmClientError
from vantage6.algorithm.errors import ClientError


@pytest.fixture
def client(proxy):
    return AlgorithmClient(token=TOKEN, host=proxy.url, port=None, path="/api")


def calls(proxy) -> list[tuple[str, str, dict]]:
    return [(r["method"], r["path"], r["query"]) for r in proxy.requests]


def test_the_original_constructor_and_attributes(proxy):
    host, port = proxy.url.rsplit(":", 1)
    client = AlgorithmClient(TOKEN, host, int(port), "/api")
    assert client.base_url == f"{proxy.url}/api"
    assert (client.host, client.port, client.path) == (host, int(port), "/api")
    assert (client.node_id, client.organization_id, client.collaboration_id) == (3, 2, 9)
    assert client.databases == [{"label": "default"}]
    assert client.study_id is None and client.store_id is None
    with pytest.raises(NotImplementedError):
        client.authenticate()
    with pytest.raises(NotImplementedError):
        client.refresh_token()


def test_sub_clients_take_the_originals_keywords(client, proxy):
    for path in ("/api/task/4", "/api/run/5", "/api/organization/6", "/api/study/7"):
        proxy.route("GET", path, {"id": int(path.rsplit("/", 1)[1])})
    proxy.route("GET", "/api/result/8", {"id": 8, "result": _b64json({"sum": 1})})
    assert client.task.get(task_id=4) == {"id": 4}
    assert client.run.get(id_=5) == {"id": 5}
    assert client.organization.get(id_=6) == {"id": 6}
    assert client.study.get(id_=7) == {"id": 7}
    assert client.result.get(id_=8) == {"sum": 1}


def test_studies_of_the_collaboration_are_listed(client, proxy):
    proxy.route("GET", "/api/study", {"data": [{"id": 1}, {"id": 2}], "links": {}})
    assert [s["id"] for s in client.study.list()] == [1, 2]
    assert calls(proxy)[0][2]["collaboration_id"] == "9"


def test_request_takes_the_originals_parameters(client, proxy):
    proxy.route("POST", "/api/custom", lambda request: {"got": request["json"]})
    answer = client.request("custom", {"a": 1}, "post", headers={"X-Extra": "yes"}, retry=False)
    assert answer == {"got": {"a": 1}}
    assert proxy.requests[0]["headers"]["X-Extra"] == "yes"
    assert client.request("custom", method="POST", json={"b": 2}) == {"got": {"b": 2}}
    with pytest.raises(TypeError, match="unexpected keyword arguments \\['nonsense'\\]"):
        client.request("custom", nonsense=True)


def test_a_subtask_as_the_original_creates_it(client, proxy):
    proxy.route("POST", "/api/task", lambda request: request["json"])
    body = client.task.create({"method": "partial"}, [2])
    assert body["description"] == "task from container on node_id=3"
    assert "study_id" not in body and "store_id" not in body
    assert client.task.create({"method": "partial"})["organizations"] == []


def test_a_task_in_a_study_stays_in_it(proxy):
    subject = {**SUBJECT, "study_id": 12, "store_id": 4}
    token = jwt.encode({"sub": subject}, "a test secret of at least 32 bytes", algorithm="HS256")
    client = AlgorithmClient(token, proxy.url)
    proxy.route("POST", "/task", lambda request: request["json"])
    proxy.route("GET", "/organization", {"data": [{"id": 2}], "links": {}})
    body = client.task.create({"method": "partial"}, [2])
    assert (body["study_id"], body["store_id"]) == (12, 4)
    client.organization.list()
    assert calls(proxy)[-1][2]["study_id"] == "12"


def test_vpn_addresses_as_the_original_asks_for_them(client, proxy):
    proxy.route("GET", "/api/vpn/algorithm/addresses", {"addresses": []})
    assert client.vpn.get_addresses() == []
    assert client.vpn.get_child_addresses() == []
    assert client.vpn.get_parent_address() == []
    assert client.vpn.get_sibling_addresses() == []
    assert client.vpn.get_own_address() == []
    assert client.vpn.get_addresses(include_parent=True, label="grpc") == []
    queries = [query for _, _, query in calls(proxy)]
    assert queries == [
        {},
        {"only_children": "1"},
        {"only_parent": "1"},
        {"only_siblings": "1"},
        {"only_self": "1"},
        {"include_parent": "1", "label": "grpc"},
    ]
    proxy.route("GET", "/api/vpn/algorithm/addresses", {"other": 1})
    assert client.vpn.get_addresses() == {"message": "Obtaining VPN addresses failed!"}


@pytest.mark.parametrize(
    "answer, enabled",
    [
        ({"blob_store_enabled": False}, False),
        ({"blob_store_enabled": True}, True),
        ((404, {"msg": "no such endpoint"}), False),
    ],
)
def test_the_blob_store_check(client, proxy, answer, enabled):
    proxy.route("GET", "/api/blobstream/status", answer)
    assert client.check_if_blob_store_enabled() is enabled


def test_a_refusal_is_a_client_error_of_the_originals_hierarchy(client, proxy):
    proxy.route("GET", "/api/task/1", (403, {"msg": "not yours"}))
    with pytest.raises(ClientError, match="403 not yours") as refused:
        client.task.get(1)
    assert isinstance(refused.value, AlgorithmClientError)


def _b64json(value) -> str:
    return base64.b64encode(json.dumps(value).encode()).decode()
