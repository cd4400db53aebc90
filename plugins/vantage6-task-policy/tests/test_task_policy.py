"""Tasks sent to a real server app with the policy on: refused with every problem named (400,
nothing stored), or created."""

from __future__ import annotations

import base64

import pytest
from pyramid.exceptions import ConfigurationError
from sqlalchemy import func, select
from vantage6_task_policy.policy import TaskPolicy

from vantage6.server.models import Task

DIGEST = "sha256:" + "ab" * 32
DEMO = "harbor2.vantage6.ai/demo/average"
ALLOWED = r"""
    # every collaboration without a list of its own
    * -> harbor2\.vantage6\.ai/demo/[a-z-]+(:[\w.-]+)?
    B -> registry\.example\.org/approved/.+
    B -> harbor2\.vantage6\.ai/demo/average@sha256:(ab)+
"""
ENCRYPTED = "a2V5$aXY=$Y2lwaGVydGV4dA=="


def policy(**settings) -> dict:
    return {
        "vantage6.plugins": "task_policy",
        **{f"vantage6_task_policy.{key}": value for key, value in settings.items()},
    }


@pytest.fixture
def federation(make_api):
    """An app with the policy in ``settings``; its world and a researcher in A and B."""

    def make(**settings):
        api = make_api(**policy(**settings))
        world = api.federation()
        researcher = api.user("researcher", world["a2"], roles=["Researcher"])
        return api, world, researcher

    return make


def send(api, headers, collaboration, organizations, image=DEMO, input_=None, status=201):
    input_ = input_ or base64.b64encode(b'{"method": "average"}').decode()
    body = {
        "name": "avg",
        "image": image,
        "collaboration_id": collaboration,
        "organizations": [{"id": id_, "input": input_} for id_ in organizations],
    }
    response = api.app.post_json("/api/task", body, headers=headers, status=status)
    return response.json


def tasks(api) -> int:
    with api.session() as session:
        return session.scalar(select(func.count()).select_from(Task))


def test_images_outside_the_collaborations_allowlist_are_refused(federation):
    api, world, researcher = federation(allowed_images=ALLOWED)
    send(api, researcher, world["A"], [world["a2"]], image=f"{DEMO}:1.0")
    send(api, researcher, world["A"], [world["a2"]], image=f"{DEMO}@{DIGEST}")  # name matches
    refused = send(api, researcher, world["A"], [world["a2"]], image="evil/average", status=400)
    assert "image 'evil/average' is not allowed in collaboration 'A'" in refused["msg"]
    refused = send(api, researcher, world["A"], [world["a2"]], image=f"x{DEMO}", status=400)
    assert "is not allowed" in refused["msg"]  # the whole name must match, not a part

    encrypted = {"input_": ENCRYPTED}
    send(
        api,
        researcher,
        world["B"],
        [world["b1"]],
        image="registry.example.org/approved/x",
        **encrypted,
    )
    send(api, researcher, world["B"], [world["b1"]], image=f"{DEMO}@{DIGEST}", **encrypted)
    refused = send(
        api, researcher, world["B"], [world["b1"]], image=DEMO, status=400, **encrypted
    )  # B's own list replaces "*": there, only that digest
    assert f"image '{DEMO}' is not allowed in collaboration 'B'" in refused["msg"]
    assert tasks(api) == 4


def test_digest_pinning(federation):
    api, world, researcher = federation(require_digest="true")
    for unpinned in (DEMO, f"{DEMO}:latest", f"{DEMO}@sha256:abc", f"{DEMO}@sha256:{'AB' * 32}"):
        refused = send(api, researcher, world["A"], [world["a2"]], image=unpinned, status=400)
        assert f"image '{unpinned}' is not pinned to a digest" in refused["msg"]
    send(api, researcher, world["A"], [world["a2"]], image=f"{DEMO}@{DIGEST}")
    send(api, researcher, world["A"], [world["a2"]], image=f"{DEMO}:1.0@{DIGEST}")
    assert tasks(api) == 2


def test_too_many_organizations_and_too_large_input_are_refused_together(federation):
    api, world, researcher = federation(
        max_organizations="1", max_input_bytes="16", require_digest="true"
    )
    large = base64.b64encode(b'{"method": "average", "x": 1}').decode()
    refused = send(
        api, researcher, world["A"], [world["a1"], world["a2"]], input_=large, status=400
    )
    msg = refused["msg"]
    assert "the task is for 2 organizations; this server allows at most 1" in msg
    assert f"the input for organization {world['a1']} is {len(large)} bytes" in msg
    assert f"the input for organization {world['a2']} is {len(large)} bytes" in msg
    assert "is not pinned to a digest" in msg  # every problem at once
    assert tasks(api) == 0
    send(
        api,
        researcher,
        world["A"],
        [world["a1"]],
        image=f"{DEMO}@{DIGEST}",
        input_=base64.b64encode(b"{}").decode(),
    )


def test_subtasks_of_algorithms_follow_the_policy_too(federation):
    api, world, researcher = federation(max_organizations="1")
    parent = send(api, researcher, world["A"], [world["a1"]])
    container = api.container_login(api.node_login("key-a1-A"), parent["id"], image=DEMO)
    refused = send(api, container, world["A"], [world["a1"], world["a2"]], status=400)
    assert "this server allows at most 1" in refused["msg"]
    send(api, container, world["A"], [world["a2"]])


@pytest.mark.parametrize(
    "settings, problem",
    [
        ({}, "the task_policy plugin is enabled but sets no rule"),
        ({"max_organizations": "ten"}, "vantage6_task_policy.max_organizations must be a"),
        ({"max_input_bytes": "0"}, "vantage6_task_policy.max_input_bytes must be a positive"),
        ({"max_input_bytes": "-5"}, "vantage6_task_policy.max_input_bytes must be a positive"),
        ({"require_digest": "always"}, "vantage6_task_policy.require_digest must be true or"),
        ({"allowed_images": "A harbor/x"}, "vantage6_task_policy.allowed_images line 1 is not"),
        (
            {"allowed_images": "A -> ok\nB -> demo/(average"},
            "vantage6_task_policy.allowed_images line 2: 'demo/(average' is not a regular",
        ),
        ({"max_organisations": "3"}, "vantage6_task_policy.max_organisations is not a setting"),
    ],
)
def test_a_bad_setting_is_named(settings, problem):
    with pytest.raises(ConfigurationError) as raised:
        TaskPolicy.from_settings(policy(**settings))
    assert problem in str(raised.value)


def test_the_server_does_not_start_with_a_bad_setting(make_api):
    with pytest.raises(ConfigurationError, match="max_organizations must be a positive"):
        make_api(**policy(max_organizations="many"))


def test_installed_but_not_enabled_changes_nothing(make_api):
    api = make_api(**{"vantage6_task_policy.require_digest": "true"})
    world = api.federation()
    researcher = api.user("researcher", world["a2"], roles=["Researcher"])
    send(api, researcher, world["A"], [world["a2"]])
