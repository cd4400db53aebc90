"""The Python client section of the user documentation (seed 004), run as written on a fresh
server: only placeholders (addresses, paths) are filled in, and what the text leaves to the
reader (a user of the new organization, nodes that compute) is arranged between the snippets.
The ids are those of the text, because the server is fresh."""

from __future__ import annotations

import json
import threading
import time

import pytest

from tests.functional.client.conftest import PASSWORD, Node, login, new_key


@pytest.fixture(scope="module")
def server(launch):
    return launch()


def play_nodes(server, root_public_key: str, nodes: dict, results: dict, task_id: int):
    """After a moment, each node reads its run of the task, decrypts the input and reports
    its result encrypted for the organization that started the task (root's)."""

    def work():
        time.sleep(1)
        for organization, (node, cryptor) in nodes.items():
            (run,) = node.runs(task_id)
            assert json.loads(cryptor.decrypt_str_to_bytes(run["input"]))["kwargs"] == {
                "column_name": "age"
            }
            output = json.dumps(results[organization]).encode()
            node.complete(run["id"], cryptor.encrypt_bytes_to_str(output, root_public_key))

    thread = threading.Thread(target=work)
    thread.start()
    return thread


def test_the_python_client_section_runs_as_written(server, tmp_path, monkeypatch, capsys):
    root_key, _ = new_key(tmp_path, "root")
    (tmp_path / "config.py").write_text(
        f"""
server_url = "http://127.0.0.1"
server_port = {server.api.rsplit(":", 1)[1].split("/")[0]}
server_api = "/api"

username = "root"
password = "root"

organization_key = {str(root_key)!r}
"""
    )
    monkeypatch.syspath_prepend(str(tmp_path))

    # --- Authentication
    from vantage6.client import Client  # noqa: I001 (the order of the documentation)

    # Note: we assume here the config.py you just created is in the current directory.
    # If it is not, then you need to make sure it can be found on your PYTHONPATH
    import config

    # Initialize the client object, and run the authentication
    client = Client(config.server_url, config.server_port, config.server_api, verbose=True)
    client.authenticate(config.username, config.password)

    # Optional: setup the encryption, if you have an organization_key
    client.setup_encryption(config.organization_key)

    # --- help
    help(client.task.create)
    assert "organizations : list\n        Organization ids (within the collaboration)" in (
        capsys.readouterr().out
    )

    # --- Creating an organization
    from pathlib import Path

    from vantage6.client.encryption import RSACryptor
    from vantage6.common import (  # noqa: F401
        bytes_to_base64s,
        check_config_write_permissions,
        debug,
        error,
        info,
        warning,
    )

    # Generated a new private key
    # Note that the file below doesn't exist yet: you will create it
    private_key_filepath = str(tmp_path / "shire.pem")
    private_key = RSACryptor.create_new_rsa_key(Path(private_key_filepath))

    # Generate the public key based on the private one
    public_key_bytes = RSACryptor.create_public_key_bytes(private_key)
    public_key = bytes_to_base64s(public_key_bytes)

    client.organization.create(
        name="The_Shire",
        address1="501 Buckland Road",
        address2="Matamata",
        zipcode="3472",
        country="New Zealand",
        domain="the_shire.org",
        public_key=public_key,  # use None if you haven't set up encryption
    )

    # Users of The_Shire with its private key (arranged: one such user)
    researcher = client.role.list(name="Researcher", field="id")
    client.user.create("frodo", "Frodo", "Baggins", PASSWORD, "frodo@shire.example", 2, researcher)
    root_client, client = client, login(server, "frodo", PASSWORD)
    client.setup_encryption(private_key_filepath)
    # or, if you don't use encryption
    client.setup_encryption(None)
    client = root_client

    # --- Creating a collaboration
    assert client.organization.list(fields=["id", "name"]) == [
        {"id": 1, "name": "root"},
        {"id": 2, "name": "The_Shire"},
    ]
    collaboration_name = "fictional_collab"
    organization_ids = [1, 2]  # the id's of the respective organizations
    client.collaboration.create(
        name=collaboration_name, organizations=organization_ids, encrypted=True
    )

    # --- Registering a node
    client.organization.list(fields=["id", "name"])
    assert client.collaboration.list(fields=["id", "name"]) == [
        {"id": 1, "name": "fictional_collab"}
    ]
    # A node is associated with both a collaboration and an organization
    organization_id = 1
    collaboration_id = 1
    api_key = client.node.create(collaboration=collaboration_id, organization=organization_id)
    print(
        f"Registered a node for collaboration with id {collaboration_id}, organization with id "
        f"{organization_id}. The API key that was generated for this node was {api_key}"
    )
    assert f"The API key that was generated for this node was {api_key}" in (
        capsys.readouterr().out
    )

    # Arranged: a third organization with a key pair in the collaboration, nodes for 2 and 3.
    _, mordor = new_key(tmp_path, "mordor")
    client.organization.create(name="Mordor", public_key=mordor.public_key_str)
    client.collaboration.add_organization(3, 1)
    nodes = {
        2: (Node(server, client.node.create(1, 2)), RSACryptor(private_key_filepath)),
        3: (Node(server, client.node.create(1, 3)), mordor),
    }
    root_public_key = client.organization.get(1)["public_key"]

    # --- Determining which collaboration / organizations to create a task for
    listed = client.collaboration.list(fields=["id", "name", "organizations"])
    assert [(c["id"], c["name"]) for c in listed] == [(1, "fictional_collab")]
    assert [o["id"] for o in listed[0]["organizations"]] == [1, 2, 3]
    client.organization.list(fields=["id", "name"])

    # --- Creating a task that runs the master algorithm
    input_ = {"method": "master", "kwargs": {"column_name": "age"}, "master": True}

    average_task = client.task.create(
        collaboration=1,
        organizations=[2, 3],
        name="an-awesome-task",
        image="harbor2.vantage6.ai/demo/average",
        description="",
        input=input_,
        data_format="json",
    )
    both = {2: {"average": 53.25}, 3: {"average": 53.25}}
    nodes_working = play_nodes(server, root_public_key, nodes, both, average_task["id"])

    # --- Inspecting the results
    print("Waiting for results")
    task_id = average_task["id"]
    task_info = client.task.get(task_id)
    while not task_info.get("complete"):
        task_info = client.task.get(task_id, include_results=True)
        print("Waiting for results")
        time.sleep(3)

    print("Results are ready!")
    nodes_working.join()

    result_id = task_info["id"]
    result_info = client.result.list(task=result_id)
    assert result_info["data"][0]["result"] == {"average": 53.25}

    # --- Creating a task that runs the RPC algorithm
    input_ = {"method": "average_partial", "kwargs": {"column_name": "age"}, "master": False}

    average_task = client.task.create(
        collaboration=1,
        organizations=[2, 3],
        name="an-awesome-task",
        image="harbor2.vantage6.ai/demo/average",
        description="",
        input=input_,
        data_format="json",
    )
    partials = {2: {"sum": 253, "count": 4}, 3: {"sum": 173, "count": 4}}
    nodes_working = play_nodes(server, root_public_key, nodes, partials, average_task["id"])

    print("Waiting for results")
    task_id = average_task["id"]
    task_info = client.task.get(task_id)
    while not task_info.get("complete"):
        task_info = client.task.get(task_id, include_results=True)
        print("Waiting for results")
        time.sleep(3)

    print("Results are ready!")
    nodes_working.join()

    result_id = task_info["id"]
    result_info = client.result.list(task=result_id)
    assert result_info["data"][0]["result"] == {"sum": 253, "count": 4}
    assert result_info["data"][1]["result"] == {"sum": 173, "count": 4}
    assert task_info["results"][1]["result"] == {"sum": 173, "count": 4}
