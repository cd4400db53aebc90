"""How soon ``AlgorithmClient.wait_for_results`` notices that a subtask completed: its polls
grow with the time waited, so a central algorithm is not held up for seconds by its own sleep
(the 3-node benchmark lost 1–2 s to it), yet a long wait does not poll often."""

import time

from tests.unit.algorithm.test_client import TOKEN
from vantage6.algorithm.client import AlgorithmClient

COMPLETES_AFTER = 3.0


def test_the_end_of_a_subtask_is_noticed_soon_without_polling_often(proxy):
    completed_at = time.monotonic() + COMPLETES_AFTER

    def status(_):
        return {"status": "completed" if time.monotonic() >= completed_at else "active"}

    proxy.route("GET", "/task/6/status", status)
    proxy.route("GET", "/result", {"data": [], "links": {}})
    client = AlgorithmClient(TOKEN, proxy.url)
    assert client.wait_for_results(6) == []
    late = time.monotonic() - completed_at
    polls = [r["path"] for r in proxy.requests].count("/task/6/status")
    assert late < 0.7, f"noticed {late:.2f} s after the subtask completed"
    assert polls <= 40, f"{polls} polls in {COMPLETES_AFTER} s"
