"""``/port``: a node clears its run's algorithm ports after every run, which clears a finished
run's place on the VPN; registering a port is refused with where ports go instead (with the
run)."""

import pytest

from tests.functional.api import test_run, test_vpn
from vantage6.server.models import Run

PORTS_COME_WITH_THE_RUN = (
    "Ports are not registered one at a time on this server: its nodes send an algorithm's "
    "ports with its run (PATCH /run/<id> with vpn_address and vpn_ports). The VPN of the "
    "original's nodes (EduVPN) is not supported"
)


# The run tests' world: a task of a1 in collaboration A, the run of a1, and a1's node in A.
world, task, run, node = test_run.world, test_run.task, test_run.run, test_run.node


def snapshot(api, run_id) -> tuple:
    with api.session() as session:
        run = session.get(Run, run_id)
        return (run.status, run.result, run.log, run.started_at, run.finished_at, run.cleanup_at)


def test_the_node_of_a_run_clears_its_ports_during_and_after_the_run(api, node, run):
    """As the original node does: when the algorithm starts and once it has finished."""
    cleared = api.app.delete(f"/api/port?run_id={run}", headers=node)
    assert cleared.json == {"msg": "Ports removed from the database."}
    api.app.patch_json(f"/api/run/{run}", {"status": "completed"}, headers=node)
    api.app.delete(f"/api/port?run_id={run}", headers=node, status=200)


@pytest.mark.parametrize("key", ["key-b1-B", "key-a2-B", "key-a2-A"])
def test_attack_a_node_cannot_clear_the_ports_of_another_nodes_run(api, run, key):
    """b1 (another collaboration), a2's node in B (another collaboration), and a2's node in A,
    which runs the same task but not this run: all refused, and the run is left as it was."""
    before = snapshot(api, run)
    refused = api.app.delete(f"/api/port?run_id={run}", headers=api.node_login(key), status=403)
    assert refused.json == {"msg": f"Only the node that executes run {run} may delete its ports"}
    assert snapshot(api, run) == before


def test_users_and_algorithm_containers_cannot_clear_ports(api, root, node, task, run):
    container = api.container_login(node, task)
    for headers in (root, container):
        refused = api.app.delete(f"/api/port?run_id={run}", headers=headers, status=403)
        assert "Only the node that executes run" in refused.json["msg"]
    nobody = api.user("nobody", 1)
    api.app.delete(f"/api/port?run_id={run}", headers=nobody, status=403)
    api.app.delete(f"/api/port?run_id={run}", status=401)


@pytest.mark.parametrize(
    "query, status, msg",
    [
        ("", 400, "run_id is required: the id of the run whose ports to delete"),
        ("?run_id=", 400, "run_id must be a whole number (an id), not ''"),
        ("?run_id=abc", 400, "run_id must be a whole number (an id), not 'abc'"),
        ("?run_id=-1", 400, "run_id must be a whole number (an id), not '-1'"),
        ("?run_id=999", 404, "Run '999' does not exist"),
    ],
)
def test_a_missing_malformed_or_unknown_run_id_is_refused(api, node, query, status, msg):
    refused = api.app.delete(f"/api/port{query}", headers=node, status=status)
    assert refused.json == {"msg": msg}


def test_registering_a_port_says_ports_come_with_the_run(api, node, run):
    body = {"port": 8888, "run_id": run, "label": "api"}
    refused = api.app.post_json("/api/port", body, headers=node, status=400)
    assert refused.json == {"msg": PORTS_COME_WITH_THE_RUN}
    shown = api.app.get(f"/api/run/{run}", headers=node).json
    assert shown["ports"] == []


def test_clearing_ports_clears_a_finished_runs_place_on_the_vpn_only(make_api, tmp_path):
    """While the run goes on, its algorithm is still reached at its place: the original's node
    clears its ports when the algorithm starts as well."""
    api = test_vpn.vpn_server(make_api, tmp_path)
    ids = api.federation()
    node = api.node_login("key-a1-A")
    test_vpn.join(api, node, test_vpn.wireguard_key(1))
    run = api.run_id(api.task(ids["A"], [ids["a1"]], ids["a1"]), ids["a1"])
    api.app.patch_json(f"/api/run/{run}", test_vpn.PLACE, headers=node)
    placed = test_vpn.place_of(api, run)
    api.app.delete(f"/api/port?run_id={run}", headers=node)
    assert test_vpn.place_of(api, run) == placed != (None, None)
    api.app.patch_json(f"/api/run/{run}", {"status": "completed"}, headers=node)
    cleared = api.app.delete(f"/api/port?run_id={run}", headers=node)
    assert cleared.json == {"msg": "Ports removed from the database."}
    assert test_vpn.place_of(api, run) == (None, None)


def test_ports_cannot_be_listed_as_in_the_original(api, node):
    """The original has no ``GET /port`` either (a 405)."""
    refused = api.app.get("/api/port", headers=node, status=405)
    assert set(refused.headers["Allow"].split(", ")) == {"DELETE", "POST"}
