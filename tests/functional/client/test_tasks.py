"""Tasks, runs and results through the client, with nodes played by raw REST: input goes out
as JSON (base64, or encrypted per organization) and results come back decoded."""

from __future__ import annotations

import base64
import json

import pytest

from tests.functional.client.conftest import PASSWORD, Node, login, new_key, plain, unique
from vantage6.client import ClientError, ServerError
from vantage6.client.subclients import base
from vantage6.common.encryption import DecryptionError

INPUT = {"method": "partial_average", "kwargs": {"column_name": "age"}}


def create(client, federation, organizations, **kw):
    return client.task.create(
        collaboration=federation["collaboration"],
        organizations=organizations,
        name="avg",
        image="harbor2.vantage6.ai/demo/average",
        description="",
        **kw,
    )


def test_task_input_is_base64_json_in_unencrypted_collaborations(federation):
    client, peer = federation["client"], federation["peer"]
    task = create(client, federation, [peer], input=INPUT, data_format="json", database="db1")
    (run,) = federation["nodes"][peer].runs(task["id"])
    assert json.loads(base64.b64decode(run["input"])) == INPUT
    assert task["databases"] == [{"label": "db1", "parameters": "{}"}]
    # input_ (4.x) is the same as input (3.x); several databases with their parameters
    other = create(
        client, federation, [peer], input_=INPUT, databases=[{"label": "a", "query": "q"}]
    )
    (run,) = federation["nodes"][peer].runs(other["id"])
    assert json.loads(base64.b64decode(run["input"])) == INPUT


def test_create_refuses_what_cannot_work_before_asking_the_server(federation):
    client, peer = federation["client"], federation["peer"]
    with pytest.raises(TypeError, match="not both"):
        create(client, federation, [peer], input=INPUT, input_=INPUT)
    with pytest.raises(ValueError, match="pickle"):
        create(client, federation, [peer], input=INPUT, data_format="pickle")
    with pytest.raises(TypeError, match="needs input"):
        create(client, federation, [peer])
    with pytest.raises(ClientError, match="cannot be sent as JSON"):
        create(client, federation, [peer], input={"data": object()})


def test_task_get_list_status_results_runs_kill_and_delete(federation):
    client, own, peer = federation["client"], federation["own"], federation["peer"]
    task = create(client, federation, [own, peer], input=INPUT)
    id_ = task["id"]
    assert client.task.get(id_, fields=["id", "status", "complete"]) == {
        "id": id_, "status": "pending", "complete": False,
    }  # fmt: skip
    assert client.task.status(id_) == "pending"
    assert client.task.list(collaboration=federation["collaboration"], field="id")[0] == id_
    assert client.task.list(initiating_org=own, name="avg", image="%average", field="id")[0] == id_
    assert client.task.list(initiating_user=client.whoami.id_, user_created=True, field="id")
    assert client.task.list(status="pending", database="nothing")["data"] == []

    nodes = federation["nodes"]
    (own_run,) = nodes[own].runs(id_)
    (peer_run,) = nodes[peer].runs(id_)
    nodes[own].complete(own_run["id"], plain({"sum": 253, "count": 4}))
    assert client.task.list(run=own_run["id"], field="id") == [id_]

    results = client.result.list(task=id_)
    assert [r["result"] for r in results["data"]] == [{"sum": 253, "count": 4}, None]
    assert client.result.get(own_run["id"], field="result") == {"sum": 253, "count": 4}
    assert client.result.list(organization=own, task=id_, field="id") == [own_run["id"]]
    assert client.result.list(node=federation["node_ids"][peer], task=id_, field="result") == [None]
    embedded = client.task.get(id_, include_results=True)["results"]
    assert embedded[0]["result"] == {"sum": 253, "count": 4}
    listed = client.task.list(include_results=True, job=task["job_id"])["data"][0]
    assert listed["results"][0]["result"] == {"sum": 253, "count": 4}

    run = client.run.get(own_run["id"])
    assert run["input"] == INPUT and run["status"] == "completed"
    assert client.run.get(own_run["id"], decrypt_input=False)["input"] == plain(INPUT)
    assert client.run.get(peer_run["id"], include_task=True)["task"]["id"] == id_
    assert client.run.list(task=id_, state="open", field="id") == [peer_run["id"]]
    assert client.run.list(task=id_, organization=own, status="completed", field="id") == [
        own_run["id"]
    ]
    assert client.run.list(task=id_, finished=("2000-01-01", None), field="id") == [own_run["id"]]
    assert client.run.list(task=id_, assigned=(None, "2999-01-01"), field="id") == [
        own_run["id"], peer_run["id"],
    ]  # fmt: skip
    assert (
        client.run.list(node=federation["node_ids"][peer], started=("2000-01-01", None))["data"]
        == []
    )
    with pytest.raises(TypeError, match="pair"):
        client.run.list(started="2000-01-01")
    runs = client.run.from_task(id_, include_task=True)
    assert [r["input"] for r in runs] == [INPUT, INPUT]
    assert client.result.from_task(id_)["data"][0]["result"] == {"sum": 253, "count": 4}

    killed = client.task.kill(id_)["killed"]
    assert killed == [{"task_id": id_, "run_id": peer_run["id"], "organization_id": peer}]
    assert client.task.status(id_) == "killed by user"
    assert "deleted" in client.task.delete(id_)["msg"]
    with pytest.raises(ServerError) as info:
        client.task.get(id_)
    assert info.value.status == 404


def test_from_task_reads_every_page(root, federation, monkeypatch):
    """Not only the first page, as the original did."""
    organizations = [federation["own"], federation["peer"]]
    for _ in range(2):
        organization = root.organization.create(name=unique("many"))["id"]
        root.collaboration.add_organization(organization, federation["collaboration"])
        root.node.create(federation["collaboration"], organization)
        organizations.append(organization)
    client = federation["client"]
    task = create(client, federation, organizations, input=INPUT)
    monkeypatch.setattr(base, "PAGE_SIZE", 3)
    assert len(client.result.list(task=task["id"], per_page=3)["data"]) == 3
    assert len(client.result.from_task(task["id"])["data"]) == 4
    assert [run["input"] for run in client.run.from_task(task["id"])] == [INPUT] * 4


@pytest.fixture
def encrypted(server, root, tmp_path):
    """An encrypted collaboration of a new user's organization (``own``, key pair set up by
    the user's client) and ``peer`` (key pair, public key given at creation), a node each."""
    own_key, own_cryptor = new_key(tmp_path, "own")
    peer_key, peer_cryptor = new_key(tmp_path, "peer")
    own = root.organization.create(name=unique("enc-own"))["id"]
    peer = root.organization.create(name=unique("enc-peer"), public_key=peer_cryptor.public_key_str)
    peer = peer["id"]
    collaboration = root.collaboration.create(unique("enc"), [own, peer], encrypted=True)["id"]
    keys = {o: root.node.create(collaboration, o) for o in (own, peer)}
    admin = root.role.list(name="Organization Admin", field="id")[0]
    researcher = root.role.list(name="Researcher", field="id")[0]
    username = unique("enc-user")
    root.user.create(username, None, None, PASSWORD, f"{username}@x.org", own, [admin, researcher])
    return {
        "client": login(server, username, PASSWORD),
        "username": username,
        "own": own,
        "peer": peer,
        "collaboration": collaboration,
        "own_key": own_key,
        "own_cryptor": own_cryptor,
        "peer_cryptor": peer_cryptor,
        "nodes": {o: Node(server, key) for o, key in keys.items()},
    }


def test_encryption_round_trip(root, encrypted, caplog):
    client, own, peer = encrypted["client"], encrypted["own"], encrypted["peer"]
    with pytest.raises(ClientError, match="is encrypted: first call client.setup_encryption"):
        create(client, encrypted, [peer], input=INPUT)

    client.setup_encryption(encrypted["own_key"])  # uploads the missing public key
    own_public = encrypted["own_cryptor"].public_key_str
    assert root.organization.get(own, field="public_key") == own_public

    task = create(client, encrypted, [own, peer], input=INPUT)
    nodes = encrypted["nodes"]
    (peer_run,) = nodes[peer].runs(task["id"])
    assert "partial_average" not in peer_run["input"]
    peer_cryptor = encrypted["peer_cryptor"]
    assert json.loads(peer_cryptor.decrypt_str_to_bytes(peer_run["input"])) == INPUT
    with pytest.raises(DecryptionError):  # each organization's input is for its key only
        encrypted["own_cryptor"].decrypt_str_to_bytes(peer_run["input"])

    result = json.dumps({"sum": 173, "count": 4}).encode()
    nodes[peer].complete(peer_run["id"], peer_cryptor.encrypt_bytes_to_str(result, own_public))
    assert client.result.get(peer_run["id"], field="result") == {"sum": 173, "count": 4}
    assert client.result.list(task=task["id"])["data"][1]["result"] == {"sum": 173, "count": 4}
    assert client.task.get(task["id"], include_results=True)["results"][1]["result"] == {
        "sum": 173, "count": 4,
    }  # fmt: skip
    # Inputs: ours decrypted; the peer's is not for us and stays as the server has it.
    runs = client.run.from_task(task["id"])
    assert runs[0]["input"] == INPUT and runs[1]["input"] == peer_run["input"]

    # A result encrypted for another key is not silently accepted.
    (own_run,) = nodes[own].runs(task["id"])
    foreign = peer_cryptor.encrypt_bytes_to_str(result, peer_cryptor.public_key_str)
    nodes[own].complete(own_run["id"], foreign)
    with pytest.raises(DecryptionError, match=f"result of run {own_run['id']} cannot be"):
        client.result.get(own_run["id"])


def test_setup_encryption_replaces_a_different_key_and_none_switches_it_off(
    server, root, encrypted, tmp_path, caplog
):
    client = encrypted["client"]
    client.setup_encryption(encrypted["own_key"])
    other_key, other = new_key(tmp_path, "other")
    client.setup_encryption(other_key)
    assert root.organization.get(encrypted["own"], field="public_key") == other.public_key_str
    assert "does not belong to this private key; replacing it" in caplog.text
    client.setup_encryption(None)
    with pytest.raises(ClientError, match="is encrypted"):
        create(client, encrypted, [encrypted["peer"]], input=INPUT)

    # A researcher (no organization edit rule) is told, not left with a 403.
    researcher = root.role.list(name="Researcher", field="id")[0]
    username = unique("researcher")
    email = f"{username}@x.org"
    root.user.create(username, None, None, PASSWORD, email, encrypted["own"], [researcher])
    user = login(server, username, PASSWORD)
    with pytest.raises(ClientError, match="you may not change it: ask an administrator"):
        user.setup_encryption(encrypted["own_key"])
    user.setup_encryption(other_key)  # the key the server has: nothing to change


def test_generate_private_key_writes_uploads_and_uses_it(root, encrypted, tmp_path):
    client = encrypted["client"]
    path = client.util.generate_private_key(tmp_path / "new.pem")
    assert path.stat().st_mode & 0o777 == 0o600
    public = client.cryptor.public_key_str
    assert root.organization.get(encrypted["own"], field="public_key") == public
    with pytest.raises(ValueError, match="already exists"):
        client.util.generate_private_key(path)


def test_task_for_an_organization_without_public_key_is_refused_clearly(root, encrypted, tmp_path):
    client = encrypted["client"]
    client.setup_encryption(encrypted["own_key"])
    peer_node = encrypted["nodes"][encrypted["peer"]]
    peer_node.upload_public_key("")
    with pytest.raises(ClientError, match=f"Organization {encrypted['peer']} has no public key"):
        create(client, encrypted, [encrypted["peer"]], input=INPUT)
    peer_node.upload_public_key("bm90IGEga2V5")
    with pytest.raises(ClientError, match="public key is not base64 of a PEM public key"):
        create(client, encrypted, [encrypted["peer"]], input=INPUT)
