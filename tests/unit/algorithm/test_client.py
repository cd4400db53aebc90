"""``AlgorithmClient`` over real HTTP against a stub node proxy: what it sends, how it reads
pages and results, how it waits, and the errors it gives."""

import base64
import json

import jwt
import pytest

from vantage6.algorithm.client import AlgorithmClient, AlgorithmClientError, Retry
from vantage6.algorithm.decorators import algorithm_client
from vantage6.algorithm.errors import AlgorithmError

SUBJECT = {
    "run_id": 11,
    "task_id": 5,
    "node_id": 3,
    "organization_id": 2,
    "collaboration_id": 9,
    "image": "harbor2.vantage6.ai/demo/average",
    "databases": [{"label": "default"}],
}
TOKEN = jwt.encode(
    {"sub": SUBJECT, "client_type": "container"},
    "a test secret of at least 32 bytes",
    algorithm="HS256",
)


def b64json(value) -> str:
    return base64.b64encode(json.dumps(value).encode()).decode()


@pytest.fixture
def client(proxy):
    return AlgorithmClient(TOKEN, proxy.url, path="/api")


def test_reads_who_it_is_from_the_token(client):
    assert (client.organization_id, client.collaboration_id, client.image) == (
        2,
        9,
        "harbor2.vantage6.ai/demo/average",
    )


def test_a_subtask_reuses_image_and_databases_with_base64_json_input(client, proxy):
    proxy.route("POST", "/api/task", {"id": 6})
    assert client.task.create({"method": "partial"}, organizations=[2, 4]) == {"id": 6}
    [request] = proxy.requests
    assert request["headers"]["Authorization"] == f"Bearer {TOKEN}"
    body = request["json"]
    assert body["image"] == SUBJECT["image"]
    assert body["collaboration_id"] == 9
    assert body["databases"] == [{"label": "default"}]
    assert [o["id"] for o in body["organizations"]] == [2, 4]
    assert json.loads(base64.b64decode(body["organizations"][1]["input"])) == {"method": "partial"}


def test_lists_follow_every_page(client, proxy):
    def organizations(request):
        page = int(request["query"]["page"])
        links = {"next": "more"} if page < 3 else {}
        return {"data": [{"id": page}], "links": links}

    proxy.route("GET", "/api/organization", organizations)
    assert [o["id"] for o in client.organization.list()] == [1, 2, 3]
    assert {r["query"]["collaboration_id"] for r in proxy.requests} == {"9"}


def test_waits_until_the_subtask_completed_then_decodes_its_results(client, proxy):
    statuses = iter(["pending", "active", "completed"])
    proxy.route("GET", "/api/task/6/status", lambda _: {"status": next(statuses)})
    proxy.route(
        "GET",
        "/api/result",
        {"data": [{"id": 1, "result": b64json({"sum": 3})}, {"id": 2, "result": None}]},
    )
    assert client.wait_for_results(6, interval=0.01) == [{"sum": 3}, None]
    assert [r["path"] for r in proxy.requests].count("/api/task/6/status") == 3
    assert proxy.requests[-1]["query"]["task_id"] == "6"


def test_a_failed_subtask_raises_instead_of_giving_partial_results(client, proxy):
    proxy.route("GET", "/api/task/6/status", {"status": "crashed"})
    with pytest.raises(AlgorithmClientError, match="task 6 did not complete: crashed"):
        client.wait_for_results(6)


def test_waiting_can_time_out(client, proxy):
    proxy.route("GET", "/api/task/6/status", {"status": "active"})
    with pytest.raises(AlgorithmClientError, match="task 6 is still active after 0.05 s"):
        client.wait_for_results(6, interval=0.01, timeout=0.05)


def test_a_refusal_shows_the_servers_message(client, proxy):
    proxy.route("GET", "/api/run/4", (403, {"msg": "not your run"}))
    with pytest.raises(AlgorithmClientError, match="GET .*/api/run/4: 403 not your run"):
        client.run.get(4)


def test_an_unreachable_proxy_is_a_clear_error():
    client = AlgorithmClient(TOKEN, "http://127.0.0.1", port=1, retry=Retry(attempts=1))
    with pytest.raises(AlgorithmClientError, match="the node proxy cannot be reached"):
        client.collaboration.get()


def test_a_result_that_is_not_base64_json_is_a_clear_error(client, proxy):
    proxy.route("GET", "/api/result/8", {"id": 8, "result": "not base64!"})
    with pytest.raises(AlgorithmClientError, match="not base64 JSON"):
        client.result.get(8)


def test_the_decorator_builds_the_client_from_the_node_environment(proxy, node_env, tmp_path):
    token_file = tmp_path / "token"
    token_file.write_text(TOKEN + "\n")
    node_env(TOKEN_FILE=token_file, HOST="http://127.0.0.1", PORT=proxy.server.server_port)
    proxy.route("GET", "/collaboration/9", {"id": 9, "name": "c"})

    @algorithm_client
    def central(client):
        return client.collaboration.get()

    assert central() == {"id": 9, "name": "c"}


def test_a_malformed_token_is_a_clear_error():
    with pytest.raises(AlgorithmError, match="the container token is not a JWT"):
        AlgorithmClient("garbage", "http://proxy")
