"""The VPN between algorithms: nodes join it (``POST /vpn/peer``) and get a block of addresses,
each run's node reports its algorithm's address and ports with the run (``PATCH /run/<id>``),
and algorithm containers look up those of their own job (``GET /vpn/algorithm/addresses``).

``api`` here is a server with a VPN whose hub has started; the run tests' world (test_run)
lives on it."""

import base64
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import update
from webtest import TestApp

from tests.functional.api import test_run
from vantage6.server.api.vpn import NO_VPN
from vantage6.server.models import Node, Run

HUB_NOT_STARTED = "The VPN hub has not started yet: start `vserver vpn-hub` beside the server"
ONLY_NODES = (
    "Only nodes join the VPN, each with a key of its own; users and algorithm containers do not"
)
ONLY_CONTAINERS = "Only algorithm containers look up VPN addresses, those of their own job"


def wireguard_key(seed: int) -> str:
    return base64.b64encode(bytes([seed]) * 32).decode()


HUB_KEY = wireguard_key(200)


def vpn_server(make_api, folder, **overrides):
    """A server with a VPN of 10.76.0.0/16 (blocks of /24) whose hub has published its key."""
    key_file = folder / "vpn-hub.key"
    key_file.with_name("vpn-hub.key.pub").write_text(HUB_KEY + "\n")
    settings = {
        "vantage6.vpn.subnet": "10.76.0.0/16",
        "vantage6.vpn.endpoint": "hub.example.org:51820",
        "vantage6.vpn.key_file": str(key_file),
        **overrides,
    }
    return make_api(**settings)


@pytest.fixture
def api(make_api, tmp_path):
    return vpn_server(make_api, tmp_path)


# The run tests' world: a task of a1 in collaboration A at a1 and a2, a1's run, a1's node in A.
world, task, run, node = test_run.world, test_run.task, test_run.run, test_run.node


def join(api, headers, key: str, status: int = 200):
    return api.app.post_json("/api/vpn/peer", {"public_key": key}, headers=headers, status=status)


def stored_node(api, organization_id: int, collaboration_id: int) -> Node:
    with api.session() as session:
        return session.get(Node, api.node_id(organization_id, collaboration_id))


# -- joining: POST /vpn/peer -----------------------------------------------------------------


def test_nodes_get_the_lowest_free_blocks_after_the_hubs(api, world):
    first = join(api, api.node_login("key-a1-A"), wireguard_key(1)).json
    assert first == {
        "subnet": "10.76.0.0/16",
        "prefix": "10.76.1.0/24",
        "hub_public_key": HUB_KEY,
        "endpoint": "hub.example.org:51820",
        "keepalive": 25,
    }
    blocks = [
        join(api, api.node_login(key), wireguard_key(seed)).json["prefix"]
        for seed, key in enumerate(("key-a2-A", "key-b1-B", "key-a2-B"), start=2)
    ]
    assert blocks == ["10.76.2.0/24", "10.76.3.0/24", "10.76.4.0/24"]
    assert stored_node(api, world["b1"], world["B"]).vpn_public_key == wireguard_key(3)


def test_a_block_freed_by_a_deleted_node_is_the_next_one_given(api, root, world):
    for seed, key in enumerate(("key-a1-A", "key-a2-A", "key-b1-B"), start=1):
        join(api, api.node_login(key), wireguard_key(seed))
    a2_node = api.node_id(world["a2"], world["A"])
    api.app.delete(f"/api/node/{a2_node}", headers=root)
    assert join(api, api.node_login("key-a2-B"), wireguard_key(9)).json["prefix"] == "10.76.2.0/24"


def test_joining_again_keeps_the_block_and_replaces_the_key(api, world, node):
    assert join(api, node, wireguard_key(1)).json["prefix"] == "10.76.1.0/24"
    assert join(api, node, wireguard_key(1)).json["prefix"] == "10.76.1.0/24"
    assert join(api, node, wireguard_key(2)).json["prefix"] == "10.76.1.0/24"
    assert stored_node(api, world["a1"], world["A"]).vpn_public_key == wireguard_key(2)
    shown = api.app.get(f"/api/node/{api.node_id(world['a1'], world['A'])}", headers=node).json
    assert shown["vpn_prefix"] == "10.76.1.0/24"


def test_a_block_of_other_settings_is_replaced_and_one_overlapping_anothers_is_skipped(
    api, world, node
):
    """Blocks kept from an earlier subnet or prefix length: the node's own is replaced when it
    joins again, and no new block overlaps another node's."""
    with api.session() as session, session.begin():
        session.execute(
            update(Node)
            .where(Node.id == api.node_id(world["a1"], world["A"]))
            .values(vpn_prefix="10.99.1.0/24")
        )
        session.execute(
            update(Node)
            .where(Node.id == api.node_id(world["a2"], world["A"]))
            .values(vpn_prefix="10.76.1.128/25")
        )
    assert join(api, node, wireguard_key(1)).json["prefix"] == "10.76.2.0/24"


def test_a_key_another_node_joined_with_is_refused(api, world, node):
    join(api, node, wireguard_key(1))
    refused = join(api, api.node_login("key-a2-A"), wireguard_key(1), status=409)
    assert refused.json == {
        "msg": "Another node has joined the VPN with this public key: each node makes a key "
        "pair of its own"
    }
    assert stored_node(api, world["a2"], world["A"]).vpn_prefix is None


def test_a_full_subnet_is_refused(make_api, tmp_path):
    """A /29 holds two blocks of /30: the hub's and one node's."""
    settings = {"vantage6.vpn.subnet": "10.76.0.0/29", "vantage6.vpn.prefix_length": "30"}
    api = vpn_server(make_api, tmp_path, **settings)
    world = api.federation()
    assert join(api, api.node_login("key-a1-A"), wireguard_key(1)).json["prefix"] == "10.76.0.4/30"
    refused = join(api, api.node_login("key-a2-A"), wireguard_key(2), status=409)
    assert refused.json == {
        "msg": "The VPN's subnet 10.76.0.0/29 has no free block of /30 left for this node: its "
        "administrator can widen vantage6.vpn.subnet or lengthen vantage6.vpn.prefix_length"
    }
    assert stored_node(api, world["a2"], world["A"]).vpn_public_key is None


def test_without_a_vpn_nodes_cannot_join(make_api):
    api = make_api()
    api.federation()
    refused = join(api, api.node_login("key-a1-A"), wireguard_key(1), status=400)
    assert refused.json == {"msg": NO_VPN}


@pytest.mark.parametrize("published", [None, "", "being written"])
def test_before_the_hub_has_published_its_key_nodes_cannot_join(
    api, world, node, tmp_path, published
):
    public_key_file = tmp_path / "vpn-hub.key.pub"
    if published is None:
        public_key_file.unlink()
    else:
        public_key_file.write_text(published)
    assert join(api, node, wireguard_key(1), status=503).json == {"msg": HUB_NOT_STARTED}
    assert stored_node(api, world["a1"], world["A"]).vpn_prefix is None


def test_users_and_algorithm_containers_cannot_join(api, root, world, node, task):
    container = api.container_login(node, task)
    for headers in (root, container, api.user("nobody", world["a1"])):
        assert join(api, headers, wireguard_key(1), status=403).json == {"msg": ONLY_NODES}
    join(api, {}, wireguard_key(1), status=401)
    assert stored_node(api, world["a1"], world["A"]).vpn_public_key is None


@pytest.mark.parametrize(
    "key",
    [
        "",
        "abc",
        wireguard_key(1)[:-1],  # no padding
        wireguard_key(1) + "\n",
        "A" * 42 + "B=",  # not what any 32 bytes encode to
        base64.b64encode(bytes(31)).decode(),
        base64.b64encode(bytes(33)).decode(),
        "!" * 43 + "=",
        1,
        None,
    ],
)
def test_a_key_that_is_not_a_wireguard_public_key_is_refused(api, node, key):
    refused = join(api, node, key, status=400)
    assert list(refused.json["errors"]) == ["public_key"]


def test_a_body_without_the_key_or_with_more_is_refused(api, node):
    api.app.post_json("/api/vpn/peer", {}, headers=node, status=400)
    body = {"public_key": wireguard_key(1), "prefix": "10.76.9.0/24"}
    refused = api.app.post_json("/api/vpn/peer", body, headers=node, status=400)
    assert "prefix" in refused.json["msg"]


def test_nodes_joining_at_once_get_blocks_of_their_own(api, world):
    """On PostgreSQL, by a lock; on SQLite, as every writer."""
    for number in range(4):
        organization = api.organization(f"extra{number}", ["A"])
        api.node(organization, "A", f"key-extra{number}-A")
    keys = ["key-a1-A", "key-a2-A", "key-a2-B", "key-b1-B"]
    keys += [f"key-extra{number}-A" for number in range(4)]
    logins = [api.node_login(key) for key in keys]
    start = threading.Barrier(len(logins))

    def attempt(number: int) -> str:
        app = TestApp(api.wsgi)  # one client per thread, all on the same server
        body = {"public_key": wireguard_key(number)}
        start.wait()
        return app.post_json("/api/vpn/peer", body, headers=logins[number]).json["prefix"]

    with ThreadPoolExecutor(max_workers=len(logins)) as pool:
        blocks = list(pool.map(attempt, range(len(logins))))
    assert sorted(blocks, key=lambda block: int(block.split(".")[2])) == [
        f"10.76.{number}.0/24" for number in range(1, len(logins) + 1)
    ]


# -- a run's place: PATCH /run/<id> ---------------------------------------------------------


@pytest.fixture
def joined(api, node):
    """a1's node in A, joined: its block is 10.76.1.0/24."""
    join(api, node, wireguard_key(1))
    return node


PLACE = {
    "status": "active",
    "vpn_address": "10.76.1.5",
    "vpn_ports": [{"port": 8888, "label": "api"}, {"port": 9000}],
}


def place_of(api, run_id) -> tuple:
    with api.session() as session:
        run = session.get(Run, run_id)
        return run.vpn_address, run.vpn_ports


def test_the_node_reports_its_runs_place_with_the_run(api, joined, run):
    reported = api.app.patch_json(f"/api/run/{run}", PLACE, headers=joined).json
    assert reported["status"] == "active"
    assert reported["vpn_address"] == "10.76.1.5"  # and the run shows them as the original
    assert reported["ports"] == [
        {"port": 8888, "label": "api", "run_id": run},
        {"port": 9000, "label": None, "run_id": run},
    ]
    assert place_of(api, run) == (
        "10.76.1.5",
        [{"port": 8888, "label": "api"}, {"port": 9000, "label": None}],
    )
    moved = {"vpn_address": "10.76.1.6", "vpn_ports": []}
    api.app.patch_json(f"/api/run/{run}", moved, headers=joined)
    assert place_of(api, run) == ("10.76.1.6", [])


@pytest.mark.parametrize(
    "address, msg",
    [
        ("10.76.2.5", "vpn_address 10.76.2.5 is not one of the host addresses of node"),
        ("10.76.1.0", "vpn_address 10.76.1.0 is not one of the host addresses of node"),
        ("10.76.1.255", "vpn_address 10.76.1.255 is not one of the host addresses of node"),
        ("192.168.1.5", "vpn_address 192.168.1.5 is not one of the host addresses of node"),
    ],
)
def test_an_address_outside_the_nodes_block_is_refused(api, joined, run, address, msg):
    body = {**PLACE, "vpn_address": address}
    refused = api.app.patch_json(f"/api/run/{run}", body, headers=joined, status=400)
    assert refused.json["msg"].startswith(msg) and "block 10.76.1.0/24" in refused.json["msg"]
    assert place_of(api, run) == (None, None)
    assert test_run.stored(api, run).status == "pending"


@pytest.mark.parametrize(
    "change, field",
    [
        ({"vpn_address": "fe80::1"}, "vpn_address"),
        ({"vpn_address": "10.76.1.300"}, "vpn_address"),
        ({"vpn_address": "10.76.1.05"}, "vpn_address"),
        ({"vpn_address": None}, "vpn_address"),
        ({"vpn_ports": [{"port": 0}]}, "vpn_ports"),
        ({"vpn_ports": [{"port": 65536}]}, "vpn_ports"),
        ({"vpn_ports": [{"port": "80"}]}, "vpn_ports"),
        ({"vpn_ports": [{"label": "api"}]}, "vpn_ports"),
        ({"vpn_ports": [{"port": 80, "label": "x" * 129}]}, "vpn_ports"),
        ({"vpn_ports": [{"port": 80, "protocol": "udp"}]}, "vpn_ports"),
        ({"vpn_ports": [{"port": 1000 + n} for n in range(65)]}, "vpn_ports"),
        ({"vpn_ports": {"port": 80}}, "vpn_ports"),
    ],
)
def test_a_malformed_place_is_refused(api, joined, run, change, field):
    refused = api.app.patch_json(f"/api/run/{run}", {**PLACE, **change}, headers=joined, status=400)
    assert any(name.startswith(field) for name in refused.json["errors"]), refused.json
    assert place_of(api, run) == (None, None)


def test_sixty_four_ports_are_taken(api, joined, run):
    ports = [{"port": 1000 + n, "label": None} for n in range(64)]
    api.app.patch_json(f"/api/run/{run}", {**PLACE, "vpn_ports": ports}, headers=joined)
    assert place_of(api, run) == ("10.76.1.5", ports)


def test_without_a_vpn_a_place_is_refused(make_api):
    api = make_api()
    ids = api.federation()
    run = api.run_id(api.task(ids["A"], [ids["a1"]], ids["a1"]), ids["a1"])
    node = api.node_login("key-a1-A")
    refused = api.app.patch_json(f"/api/run/{run}", PLACE, headers=node, status=400)
    assert refused.json == {"msg": NO_VPN}
    assert place_of(api, run) == (None, None)


def test_a_node_that_has_not_joined_has_no_addresses_to_give(api, world, node, run):
    refused = api.app.patch_json(f"/api/run/{run}", PLACE, headers=node, status=400)
    node_id = api.node_id(world["a1"], world["A"])
    assert refused.json == {
        "msg": f"Node {node_id} has no block of VPN addresses: it joins the VPN first "
        "(POST /vpn/peer)"
    }


def test_an_address_of_another_unfinished_run_is_refused(api, world, joined, run):
    other = api.run_id(api.task(world["A"], [world["a1"]], world["a1"]), world["a1"])
    api.app.patch_json(f"/api/run/{other}", PLACE, headers=joined)
    refused = api.app.patch_json(f"/api/run/{run}", PLACE, headers=joined, status=400)
    assert refused.json == {
        "msg": f"vpn_address 10.76.1.5 is taken by run {other}, which still runs"
    }
    api.app.patch_json(f"/api/run/{other}", {"status": "completed"}, headers=joined)
    api.app.patch_json(f"/api/run/{run}", PLACE, headers=joined)
    assert place_of(api, run)[0] == "10.76.1.5"


def test_ports_need_an_address(api, joined, run):
    body = {"status": "active", "vpn_ports": [{"port": 80}]}
    refused = api.app.patch_json(f"/api/run/{run}", body, headers=joined, status=400)
    assert refused.json == {"msg": f"Run {run} has no vpn_address: send it with vpn_ports"}
    api.app.patch_json(f"/api/run/{run}", {"vpn_address": "10.76.1.5"}, headers=joined)
    api.app.patch_json(f"/api/run/{run}", body, headers=joined)
    assert place_of(api, run) == ("10.76.1.5", [{"port": 80, "label": None}])


def test_a_finished_run_gets_no_place(api, joined, run):
    finishing = {**PLACE, "status": "completed"}
    refused = api.app.patch_json(f"/api/run/{run}", finishing, headers=joined, status=400)
    assert refused.json == {
        "msg": f"Run {run} finishes with this report, so it has no place on the VPN: send "
        "vpn_address and vpn_ports while it runs"
    }
    api.app.patch_json(f"/api/run/{run}", {"status": "completed"}, headers=joined)
    refused = api.app.patch_json(f"/api/run/{run}", PLACE, headers=joined, status=409)
    assert "has already finished" in refused.json["msg"]
    assert place_of(api, run) == (None, None)


def test_only_the_node_that_executes_the_run_gives_it_a_place(api, root, world, task, joined, run):
    other_node = api.node_login("key-a2-A")  # runs the task too, at a2
    join(api, other_node, wireguard_key(2))
    container = api.container_login(joined, task)
    for headers in (root, container, other_node):
        api.app.patch_json(f"/api/run/{run}", PLACE, headers=headers, status=403)
    assert place_of(api, run) == (None, None)


# -- addresses: GET /vpn/algorithm/addresses --------------------------------------------------


@pytest.fixture
def job(api, world):
    """A job of task ``top`` (at a1 and a2) with subtask ``child`` (at a1 and a2), beside an
    ``other`` job at a1; every run placed on the VPN, ``child``'s run at a2 finished since."""
    a1, a2 = api.node_login("key-a1-A"), api.node_login("key-a2-A")
    join(api, a1, wireguard_key(1))  # 10.76.1.0/24
    join(api, a2, wireguard_key(2))  # 10.76.2.0/24
    top = api.task(world["A"], [world["a1"], world["a2"]], world["a1"])
    child = api.task(world["A"], [world["a1"], world["a2"]], world["a1"], parent=top)
    other = api.task(world["A"], [world["a1"]], world["a1"])
    ids = {"top": top, "child": child, "other": other, "nodes": {"a1": a1, "a2": a2}}
    places = {
        ("top", "a1"): ("10.76.1.10", [{"port": 8000, "label": "api"}]),
        ("top", "a2"): (
            "10.76.2.10",
            [{"port": 8000, "label": "api"}, {"port": 9000, "label": "metrics"}],
        ),
        ("child", "a1"): ("10.76.1.11", [{"port": 8000, "label": "api"}]),
        ("child", "a2"): ("10.76.2.11", [{"port": 8000, "label": "api"}]),
        ("other", "a1"): ("10.76.1.12", [{"port": 8000, "label": "api"}]),
    }
    for (name, organization), (address, ports) in places.items():
        run_id = api.run_id(ids[name], world[organization])
        ids[f"{name}@{organization}"] = run_id
        body = {"status": "active", "vpn_address": address, "vpn_ports": ports}
        api.app.patch_json(f"/api/run/{run_id}", body, headers=ids["nodes"][organization])
    finished = f"/api/run/{ids['child@a2']}"
    api.app.patch_json(finished, {"status": "completed"}, headers=a2)
    return ids


def container_of(api, job, name: str) -> dict:
    """The algorithm container of ``name``'s run at a1."""
    return api.container_login(job["nodes"]["a1"], job[name])


def found(api, headers, **flags) -> list[tuple[int, int]]:
    """(run id, port) of each address found."""
    answer = api.app.get("/api/vpn/algorithm/addresses", flags, headers=headers).json
    return [(address["run_id"], address["port"]) for address in answer["addresses"]]


def test_an_address_names_its_run_task_and_organization(api, world, job):
    answer = api.app.get(
        "/api/vpn/algorithm/addresses",
        {"only_parent": "1"},
        headers=container_of(api, job, "child"),
    ).json
    assert answer == {
        "addresses": [
            {
                "ip": "10.76.1.10",
                "port": 8000,
                "label": "api",
                "organization_id": world["a1"],
                "task_id": job["top"],
                "parent_id": None,
                "run_id": job["top@a1"],
            },
            {
                "ip": "10.76.2.10",
                "port": 8000,
                "label": "api",
                "organization_id": world["a2"],
                "task_id": job["top"],
                "parent_id": None,
                "run_id": job["top@a2"],
            },
            {
                "ip": "10.76.2.10",
                "port": 9000,
                "label": "metrics",
                "organization_id": world["a2"],
                "task_id": job["top"],
                "parent_id": None,
                "run_id": job["top@a2"],
            },
        ]
    }


TOP = ["top@a1:8000", "top@a2:8000", "top@a2:9000"]  # the top task's runs' ports


@pytest.mark.parametrize(
    "caller, flags, expected",
    [
        ("top", {}, TOP),
        ("top", {"include_children": "1"}, [*TOP, "child@a1:8000"]),
        ("top", {"include_parent": "true"}, TOP),
        ("top", {"only_children": "1"}, ["child@a1:8000"]),
        ("top", {"only_children": "1", "include_children": "1"}, ["child@a1:8000"]),
        ("top", {"only_parent": "1"}, []),
        ("top", {"only_siblings": "1"}, ["top@a2:8000", "top@a2:9000"]),
        ("top", {"only_self": "True"}, ["top@a1:8000"]),
        ("top", {"only_self": "0"}, TOP),
        ("top", {"label": "metrics"}, ["top@a2:9000"]),
        ("top", {"label": "api", "only_siblings": "1"}, ["top@a2:8000"]),
        ("top", {"label": ""}, TOP),
        ("child", {}, ["child@a1:8000"]),
        ("child", {"include_parent": "1"}, [*TOP, "child@a1:8000"]),
        ("child", {"only_parent": "1", "include_parent": "1"}, TOP),
        ("child", {"only_siblings": "1"}, []),
        ("child", {"only_children": "1"}, []),
        ("other", {"include_children": "1", "include_parent": "1"}, ["other@a1:8000"]),
    ],
)
def test_the_flags_choose_among_the_jobs_unfinished_runs(api, job, caller, flags, expected):
    """The finished run (child at a2) and the other job's run are never found."""
    wanted = [(job[name], int(port)) for name, port in (item.split(":") for item in expected)]
    assert found(api, container_of(api, job, caller), **flags) == sorted(wanted)


@pytest.mark.parametrize(
    "flags, msg",
    [
        (
            {"only_children": "1", "only_parent": "1"},
            "Give at most one of the only_ flags, not only_children and only_parent",
        ),
        (
            {"only_siblings": "1", "only_self": "1"},
            "Give at most one of the only_ flags, not only_siblings and only_self",
        ),
        (
            {"only_parent": "1", "include_children": "1"},
            "include_children cannot go with only_parent: an include_ flag goes only with the "
            "only_ flag of its own level",
        ),
        (
            {"only_children": "1", "include_parent": "1"},
            "include_parent cannot go with only_children: an include_ flag goes only with the "
            "only_ flag of its own level",
        ),
        (
            {"only_self": "1", "include_children": "1"},
            "include_children cannot go with only_self: an include_ flag goes only with the "
            "only_ flag of its own level",
        ),
        ({"only_self": "yes please"}, "only_self must be true or false, not 'yes please'"),
    ],
)
def test_flags_that_contradict_each_other_are_refused(api, job, flags, msg):
    headers = container_of(api, job, "top")
    refused = api.app.get("/api/vpn/algorithm/addresses", flags, headers=headers, status=400)
    assert refused.json == {"msg": msg}


def test_users_and_nodes_cannot_look_addresses_up(api, root, job):
    for headers in (root, job["nodes"]["a1"]):
        refused = api.app.get("/api/vpn/algorithm/addresses", headers=headers, status=403)
        assert refused.json == {"msg": ONLY_CONTAINERS}
    api.app.get("/api/vpn/algorithm/addresses", status=401)


def test_without_a_vpn_there_are_no_addresses(make_api):
    api = make_api()
    ids = api.federation()
    task = api.task(ids["A"], [ids["a1"], ids["a2"]], ids["a1"])
    container = api.container_login(api.node_login("key-a1-A"), task)
    answer = api.app.get("/api/vpn/algorithm/addresses", headers=container).json
    assert answer == {"addresses": []}
    flags = {"only_self": "1", "only_parent": "1"}
    api.app.get("/api/vpn/algorithm/addresses", flags, headers=container, status=400)
