"""``client.collaboration.list`` as the user documentation (seed 004) uses it: root finding the
collaboration to register a node for ("Registering a node"), and a researcher reading the ids of
its members ("Determining which collaboration / organizations to create a task for"). The
arrangement is the one the documentation's outputs show: root's organization (id 1) and three
example organizations (2, 3, 4) in one collaboration without root's. The ids are those of the
text, because the server is fresh."""

from __future__ import annotations

import logging

import pytest

from tests.functional.client.conftest import PASSWORD, client_for, login

HINT = "use client.collaboration.list(scope='global', ...) to list them"


@pytest.fixture(scope="module")
def server(launch):
    return launch()


@pytest.fixture(scope="module")
def arranged(server):
    """example_collab1 of example_org1..3; a researcher in example_org1 and one in an
    organization that is in no collaboration."""
    root = login(server)
    for name in ("example_org1", "example_org2", "example_org3", "lonely_org"):
        root.organization.create(name=name)
    root.collaboration.create("example_collab1", [2, 3, 4], encrypted=False)
    researcher = root.role.list(name="Researcher", field="id")
    for username, organization in (("example_user1", 2), ("lonely_user", 5)):
        email = f"{username}@example.org"
        root.user.create(username, "A", "B", PASSWORD, email, organization, researcher)


@pytest.fixture
def client(server, arranged):
    """Root, logged in as the documentation's "Authentication" section does it."""
    client = client_for(server, verbose=True)
    client.authenticate("root", "root")
    return client


def test_root_registering_a_node_is_told_how_to_see_every_collaboration(client, caplog, capsys):
    # --- Registering a node (as written)
    client.organization.list(fields=["id", "name"])
    capsys.readouterr()
    with caplog.at_level(logging.INFO, "vantage6.client"):
        mine = client.collaboration.list(fields=["id", "name"])
    # The 4.x client's default: only the collaborations of root's own organization...
    assert mine == []
    # ...and the log (on the console, verbose as in the documentation) says how to see more.
    (hint,) = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert hint == (
        "Your organization (id 1) is in no collaboration, but you may see others: " + HINT
    )
    assert HINT in capsys.readouterr().err
    # What the docstring shows for that: every collaboration root may see.
    assert "client.collaboration.list(scope='global', fields=['id', 'name'])" in (
        client.collaboration.list.__doc__
    )
    assert client.collaboration.list(scope="global", fields=["id", "name"]) == [
        {"id": 1, "name": "example_collab1"}
    ]
    # A node is associated with both a collaboration and an organization (the text's ids are
    # placeholders: root's organization is no member here, example_org1 is)
    organization_id = 2
    collaboration_id = 1
    api_key = client.node.create(collaboration=collaboration_id, organization=organization_id)
    assert api_key.node["collaboration"]["id"] == 1


def test_no_hint_when_there_is_nothing_more_to_see_or_a_filter_was_asked(
    server, arranged, client, caplog
):
    lonely = login(server, "lonely_user", PASSWORD)
    with caplog.at_level(logging.INFO, "vantage6.client"):
        assert lonely.collaboration.list(field="id") == []  # may see no others either
        assert client.collaboration.list(organization=1, field="id") == []  # asked for
        assert client.collaboration.list(scope="global", name="nothing-%", field="id") == []
    assert HINT not in caplog.text
    with caplog.at_level(logging.INFO, "vantage6.client"):
        assert client.collaboration.list(name="example%", field="id") == []
    assert "is in no collaboration matching your filters" in caplog.text


def test_members_are_the_references_the_documentation_shows(server, arranged, client):
    # --- Determining which collaboration / organizations to create a task for (as written,
    # by a user of a member organization)
    client = login(server, "example_user1", PASSWORD)
    listed = client.collaboration.list(fields=["id", "name", "organizations"])
    assert [(c["id"], c["name"]) for c in listed] == [(1, "example_collab1")]
    members = listed[0]["organizations"]
    assert [{key: m[key] for key in ("id", "link")} for m in members] == [
        {"id": 2, "link": "/api/organization/2"},
        {"id": 3, "link": "/api/organization/3"},
        {"id": 4, "link": "/api/organization/4"},
    ]
    for m in members:
        assert set(m) == {"id", "link", "methods"} and {"GET", "PATCH"} <= set(m["methods"])
    assert client.organization.list(fields=["id", "name"]) == [
        {"id": 2, "name": "example_org1"},
        {"id": 3, "name": "example_org2"},
        {"id": 4, "name": "example_org3"},
    ]
    assert client.collaboration.get(1, field="organizations") == members

    # The members in full, when asked for
    full = client.collaboration.list(include_organizations=True, field="organizations")
    assert [m["name"] for m in full[0]] == ["example_org1", "example_org2", "example_org3"]
    one = client.collaboration.get(1, include_organizations=True)
    assert [m["name"] for m in one["organizations"]] == [m["name"] for m in full[0]]
