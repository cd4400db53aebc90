"""``client.study`` and the ``study`` arguments of the other sub-clients, against a real
server: what each method sends is what the server's ``/study`` takes."""

from __future__ import annotations

import pytest

from tests.functional.client.conftest import login, unique
from vantage6.client import Client, ServerError

INPUT = {"method": "partial_average", "kwargs": {"column_name": "age"}}


def ids(records) -> list[int]:
    return sorted(record["id"] for record in records)


@pytest.fixture
def study(root, federation):
    """A study of the federation's collaboration with its own organization only."""
    return root.study.create(
        unique("study"), [federation["own"]], collaboration=federation["collaboration"]
    )


def test_help_shows_the_study_methods():
    client = Client("http://localhost", 7601)
    for method in ("get", "list", "create", "update", "delete", "add_organization"):
        assert getattr(client.study, method).__doc__
    assert "include_organizations : bool" in client.study.list.__doc__
    assert "study : int, optional" in client.task.create.__doc__
    assert "study : int, optional" in client.node.list.__doc__


def test_create_get_list_update_and_delete(root, federation):
    own, peer, collaboration = federation["own"], federation["peer"], federation["collaboration"]
    name = unique("study")
    created = root.study.create(name, [own, peer], collaboration)
    assert created["name"] == name and ids(created["organizations"]) == [own, peer]
    assert created["collaboration"]["id"] == collaboration
    id_ = created["id"]
    assert root.study.get(id_)["organizations"] == f"/api/organization?study_id={id_}"
    assert ids(root.study.get(id_, include_organizations=True)["organizations"]) == [own, peer]
    assert root.study.get(id_, field="name") == name
    assert root.study.list(collaboration=collaboration, field="id") == [id_]
    assert root.study.list(organization=peer, name=name, field="id") == [id_]
    listed = root.study.list(name=name, include_organizations=True)["data"]
    assert ids(listed[0]["organizations"]) == [own, peer]
    renamed = root.study.update(id_, name=f"{name}-2")
    assert renamed["name"] == f"{name}-2" and ids(renamed["organizations"]) == [own, peer]
    moved = root.study.update(id_, organizations=[peer])
    assert moved["name"] == f"{name}-2" and ids(moved["organizations"]) == [peer]
    assert root.study.delete(id_) == {"msg": f"Study {id_} was deleted"}
    with pytest.raises(ServerError) as info:
        root.study.get(id_)
    assert info.value.status == 404


def test_the_collaboration_defaults_to_setup_collaboration(server, root, federation):
    client = login(server)
    with pytest.raises(TypeError, match="no collaboration given"):
        client.study.create(unique("study"), [federation["own"]])
    client.setup_collaboration(federation["collaboration"])
    created = client.study.create(unique("study"), [federation["own"]])
    assert created["collaboration"]["id"] == federation["collaboration"]


def test_organizations_of_a_study(root, federation, study):
    own, peer = federation["own"], federation["peer"]
    assert ids(root.study.organizations(study["id"])) == [own]
    assert ids(root.study.add_organization(peer, study["id"])) == [own, peer]
    assert ids(root.study.remove_organization(own, study=study["id"])) == [peer]
    with pytest.raises(ServerError) as info:
        root.study.remove_organization(own, study["id"])
    assert info.value.status == 400 and "is not in study" in info.value.msg
    outsider = root.organization.create(name=unique("outsider"))["id"]
    with pytest.raises(ServerError, match="are not members of collaboration"):
        root.study.add_organization(outsider, study["id"])
    with pytest.raises(TypeError, match="no study given"):
        root.study.add_organization(peer)


def test_organization_and_node_lists_by_study(root, federation, study):
    own = federation["own"]
    assert root.organization.list(study=study["id"], field="id") == [own]
    assert root.node.list(study=study["id"], field="id") == [federation["node_ids"][own]]


def test_tasks_for_a_study(root, federation, study):
    """The researcher (role Researcher) sees the study of its organization and starts a task
    for it; the study names the collaboration."""
    client, own, peer = federation["client"], federation["own"], federation["peer"]
    assert client.study.list(field="id") == [study["id"]]
    task = client.task.create(
        organizations=[own], name="avg", image="demo/average", input=INPUT, study=study["id"]
    )
    assert task["study"]["id"] == study["id"]
    assert task["collaboration"]["id"] == federation["collaboration"]
    assert client.task.list(study=study["id"], field="id") == [task["id"]]
    with pytest.raises(ServerError) as info:
        client.task.create(
            organizations=[peer], name="avg", image="demo/average", input=INPUT, study=study["id"]
        )
    assert info.value.status == 400
    assert f"organization(s) {peer} are not in study {study['id']}" in info.value.msg
    with pytest.raises(ServerError, match="still has 1 tasks"):
        root.study.delete(study["id"])
    assert "was deleted" in root.study.delete(study["id"], delete_dependents=True)["msg"]
    assert client.task.list(study=study["id"])["data"] == []
