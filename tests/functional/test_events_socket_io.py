"""socket.io at the root ``/socket.io/``, namespace ``/tasks``, for the original 4.x nodes and web
UI, driven by a python-socketio client as they use it: the token in the handshake's
``Authorization`` header, events in the original's names and shapes, the same rooms and
permissions as ``/ws`` (a node or user of another collaboration hears nothing), and the
original node's own events (``node_info_update`` kept on the node, also once it is offline,
``algorithm_log`` relayed only for the node's own runs)."""

from __future__ import annotations

import queue
import time

import pytest
import socketio

from tests.functional import test_events_users
from tests.functional.test_events_users import make_user, receive_rule
from tests.functional.test_serve import run  # noqa: F401 (fixture)

NAMESPACE = "/tasks"
PROMPT = 5

server = test_events_users.server  # a pserve of its own for each test, and its federation
federation = test_events_users.federation


class Listener:
    """A python-socketio client on ``/tasks`` that queues every event it hears, with its
    arguments (the original's handlers take ``data`` or nothing)."""

    def __init__(self, server, token: str | None, auth=None, transports=None):
        self.heard: queue.Queue = queue.Queue()
        self.gone = False
        self.client = socketio.Client(reconnection=False)
        self.client.on("*", self._event, namespace=NAMESPACE)
        self.client.on("disconnect", self._disconnected, namespace=NAMESPACE)
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        root = server.api.removesuffix("/api")
        self.client.connect(
            root, headers=headers, auth=auth, namespaces=[NAMESPACE], transports=transports
        )

    def _event(self, name, *arguments):
        self.heard.put((name, arguments))

    def _disconnected(self, *reason):
        self.gone = True

    def next(self, timeout: float = PROMPT) -> tuple[str, tuple]:
        return self.heard.get(timeout=timeout)

    def until(self, name: str, timeout: float = PROMPT) -> tuple:
        """The arguments of the first ``name`` event, skipping others."""
        deadline = time.monotonic() + timeout
        while True:
            event, arguments = self.next(max(deadline - time.monotonic(), 0.01))
            if event == name:
                return arguments

    def silent(self, seconds: float = 1) -> bool:
        try:
            event = self.heard.get(timeout=seconds)
        except queue.Empty:
            return True
        raise AssertionError(f"expected silence, heard {event}")

    def emit(self, event: str, data=None) -> None:
        arguments = () if data is None else (data,)
        self.client.emit(event, *arguments, namespace=NAMESPACE)

    def disconnected(self, timeout: float = PROMPT) -> bool:
        deadline = time.monotonic() + timeout
        while not self.gone and time.monotonic() < deadline:
            time.sleep(0.05)
        return self.gone

    def close(self) -> None:
        self.client.disconnect()


@pytest.fixture
def listeners():
    made = []

    def listener(*args, **kw) -> Listener:
        made.append(Listener(*args, **kw))
        return made[-1]

    yield listener
    for made_one in made:
        made_one.close()


def node_listener(listeners, server, federation, name: str) -> Listener:
    """An original node's connection: ``sync`` without an argument, then its own arrival."""
    node = listeners(server, server.node_token(federation[f"key-{name}"]))
    assert node.next() == ("sync", ())
    return node


def test_a_node_hears_its_collaborations_tasks_and_no_other(server, federation, listeners):
    node_a = node_listener(listeners, server, federation, "a2")
    node_b = node_listener(listeners, server, federation, "b1")
    (arrival,) = node_a.until("node-online")
    assert arrival == {
        "id": federation["node-a2"],
        "name": arrival["name"],
        "org_id": federation["a2"],
        "collaboration_id": federation["A"],
    }
    node_b.until("node-online")  # its own

    task = server.create_task(federation["A"], [federation["a2"]])
    assert node_a.until("new_task") == ({"id": task["id"], "parent_id": None},)
    server.ok("POST", "/kill/task", {"id": task["id"]})
    (kill,) = node_a.until("kill_containers")
    assert kill["collaboration_id"] == federation["A"]
    assert [entry["task_id"] for entry in kill["kill_list"]] == [task["id"]]
    assert node_b.silent()


def test_users_hear_presence_in_the_originals_names_within_their_rules(
    server, federation, listeners
):
    watcher = make_user(server, "sio-watcher", federation["a2"], [receive_rule(server, "col")])
    stranger = make_user(server, "sio-stranger", federation["b1"], [receive_rule(server, "col")])
    watching = listeners(server, watcher["token"])
    other = listeners(server, stranger["token"])
    assert watching.next() == ("sync", ()) and other.next() == ("sync", ())

    node = node_listener(listeners, server, federation, "root")
    (online,) = watching.until("node-online")
    assert online["id"] == federation["node-root"] and online["org_id"] == federation["root"]
    node.close()
    (offline,) = watching.until("node-offline")
    assert offline["id"] == federation["node-root"]
    assert other.silent()


def test_a_token_in_socket_io_auth_is_accepted_too(server, federation, listeners):
    token = server.node_token(federation["key-a2"])
    node = listeners(server, None, auth={"token": token})
    assert node.next() == ("sync", ())


@pytest.mark.parametrize("token", [None, "not-a-token"])
def test_without_a_valid_token_the_client_is_disconnected(server, listeners, token):
    client = listeners(server, token)
    assert client.disconnected()
    if token:
        assert client.next() == ("invalid_token", ())  # the original node logs in again


def test_a_user_without_a_receive_rule_is_disconnected(server, federation, listeners):
    user = make_user(server, "sio-deaf", federation["a2"])
    assert listeners(server, user["token"]).disconnected()


def test_the_nodes_shared_configuration_shows_on_the_node(server, federation, listeners):
    node = node_listener(listeners, server, federation, "a2")
    shared = {
        "encryption": False,
        "allowed_algorithms": ["average", "summary"],
        "database_labels": ["default"],
        "database_types": {"db_type_default": "csv"},
    }
    node.emit("node_info_update", shared)
    path = f"/node/{federation['node-a2']}"
    deadline = time.monotonic() + PROMPT
    while not server.ok("GET", path)["config"] and time.monotonic() < deadline:
        time.sleep(0.1)
    assert sorted(server.ok("GET", path)["config"], key=lambda e: (e["key"], e["value"])) == [
        {"key": "allowed_algorithms", "value": "average"},
        {"key": "allowed_algorithms", "value": "summary"},
        {"key": "database_labels", "value": "default"},
        {"key": "db_type_default", "value": "csv"},
        {"key": "encryption", "value": "False"},
    ]
    node.close()
    deadline = time.monotonic() + PROMPT
    while server.ok("GET", path)["status"] == "online" and time.monotonic() < deadline:
        time.sleep(0.1)
    assert len(server.ok("GET", path)["config"]) == 5  # writers need it while the node is away


def test_algorithm_logs_are_relayed_only_for_the_nodes_own_runs(server, federation, listeners):
    watcher = make_user(server, "sio-logs", federation["root"], [receive_rule(server, "col")])
    watching = listeners(server, watcher["token"])
    assert watching.next() == ("sync", ())
    task = server.create_task(federation["A"], [federation["a2"]])
    (pending,) = server.ok("GET", f"/run?task_id={task['id']}")["data"]
    own = node_listener(listeners, server, federation, "a2")
    intruder = node_listener(listeners, server, federation, "b1")
    watching.until("node-online")

    line = {"run_id": pending["id"], "task_id": task["id"]}
    intruder.emit("algorithm_log", {**line, "log": "forged"})
    (problem,) = intruder.until("error")
    assert problem == {"msg": f"run {pending['id']} is not a run of this node"}
    own.emit("algorithm_log", {**line, "log": "step 1"})
    assert watching.until("algorithm_log") == ({**line, "log": "step 1"},)
    assert watching.silent()  # the forged line never came


def test_the_original_nodes_status_and_metrics_events_are_taken_quietly(
    server, federation, listeners
):
    node = node_listener(listeners, server, federation, "a2")
    node.until("node-online")
    node.emit("algorithm_status_change", {"run_id": 1, "status": "active"})
    node.emit("node_metrics_update", {"cpu_percent": 3})
    node.emit("ping")
    assert node.silent()
    assert server.ok("GET", f"/node/{federation['node-a2']}")["status"] == "online"
