"""The node admits each run's container token to its proxy when it starts the run and
dismisses it when the run ends: the token opens the proxy only meanwhile."""

from __future__ import annotations

import requests

from tests.functional.node.daemons import eventually
from tests.functional.node.test_node_lifecycle import fresh, nodes, server  # noqa: F401

PROXY_REFUSAL = (
    "The node proxy serves only the algorithms this node runs, with the container token it "
    "gave them; this token is not one of those (or its run has ended)"
)


def answer_to(token: str, port: int) -> tuple[int, str]:
    answer = requests.get(
        f"http://127.0.0.1:{port}/organization",
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )
    return answer.status_code, answer.json().get("msg", "") if not answer.ok else ""


def test_a_runs_token_opens_the_proxy_only_while_its_run_lasts(server, nodes):  # noqa: F811
    ids = fresh(server)
    node = nodes(server, ids["key"]).wait_connected()
    task = server.task(ids, "test/time", {"method": "sleep", "args": [60]})
    run = server.run_reaches(task, "active")
    token = (node.config.task_dir / f"run-{run['id']:09d}" / "token").read_text()
    port = node.node.proxy.port
    assert answer_to(token, port)[0] == 200
    server.ok("POST", "/kill/task", {"id": task["id"]})
    # the server refuses the token of a finished run too; the proxy then answers itself
    eventually(
        lambda: answer_to(token, port) == (401, PROXY_REFUSAL),
        20,
        "the proxy refusing the token",
    )
