"""The original 4.15.2 client's study calls against our server: create, list, get, add and
remove organizations, update, list organizations by study, a task for a study (refused when it
targets an organization outside the study), and delete."""

from __future__ import annotations

import uuid

import pytest

from tests.functional.node.daemons import RestartableServer
from tests.integration.original.original import original_client, required

STUDY_CALLS = """
from vantage6.client import Client
client = Client(ARGS["host"], ARGS["port"], "/api", log_level="warning")
client.authenticate("root", "root")
client.setup_encryption(None)
inside, outside = ARGS["inside"], ARGS["outside"]
study = client.study.create(ARGS["name"], [inside], collaboration=ARGS["collaboration"])
seen = {"got": client.study.get(study["id"])["name"]}
seen["listed"] = [s["id"] for s in client.study.list(collaboration=ARGS["collaboration"])["data"]]
seen["added"] = sorted(o["id"] for o in client.study.add_organization(outside, study=study["id"]))
removed = client.study.remove_organization(outside, study=study["id"])
seen["removed"] = sorted(o["id"] for o in removed)
seen["renamed"] = client.study.update(study["id"], name=ARGS["name"] + "-2")["name"]
seen["members"] = sorted(o["id"] for o in client.organization.list(study=study["id"])["data"])
task = client.task.create(
    organizations=[inside], name="for the study", image="demo/average", description="",
    input_={"method": "partial_average", "kwargs": {"column_name": "age"}}, study=study["id"],
)
seen["task_study"] = task["study"]["id"]
refused = client.task.create(  # 4.x returns the server's refusal rather than raising
    organizations=[outside], name="outside", image="demo/average", description="",
    input_={"method": "partial_average"}, study=study["id"],
)
seen["outside"] = refused.get("msg")
seen["outside_tasks"] = [t["name"] for t in client.task.list(study=study["id"])["data"]]
client.task.delete(task["id"])
client.study.delete(study["id"])
left = client.study.list(collaboration=ARGS["collaboration"])["data"]
seen["after_delete"] = [s["id"] for s in left]
seen["study"] = study["id"]
print(json.dumps(seen))
"""


@pytest.fixture(scope="module")
def server(tmp_path_factory, database_factory):
    required()
    server = RestartableServer(tmp_path_factory.mktemp("server"), database_factory.new_url())
    server.start()
    yield server
    server.stop()


def test_the_original_clients_study_calls(server):
    ids = server.collaboration(2)
    inside, outside = ids["orgs"]
    seen = original_client(
        STUDY_CALLS,
        host="http://127.0.0.1",
        port=server.port,
        collaboration=ids["collab"],
        inside=inside,
        outside=outside,
        name=f"study-{uuid.uuid4().hex[:6]}",
    )
    study = seen["study"]
    assert seen["got"] == seen["renamed"].removesuffix("-2")
    assert seen["listed"] == [study]
    assert seen["added"] == sorted([inside, outside])
    assert seen["removed"] == [inside]
    assert seen["renamed"].endswith("-2")
    assert seen["members"] == [inside]
    assert seen["task_study"] == study
    assert seen["outside"].endswith(f"organization(s) {outside} are not in study {study}")
    assert seen["outside_tasks"] == ["for the study"]
    assert seen["after_delete"] == []
