"""The node's policies: whole-name image patterns, initiators compared as ints, studies."""

from __future__ import annotations

import re

import pytest

from vantage6.node.config import Policies, load_config
from vantage6.node.policies import check, input_refused, outside_study

AVERAGE = "harbor2.vantage6.ai/demo/average"


def images(*patterns: str) -> Policies:
    return Policies(allowed_images=tuple(re.compile(p) for p in patterns))


def test_no_policies_allow_everything():
    assert check(Policies(), "anything/at:all", init_org_id=1, init_user_id=None) is None


@pytest.mark.parametrize(
    "image",
    [AVERAGE, f"{AVERAGE}:latest", f"{AVERAGE}:1.2", f"{AVERAGE}@sha256:{'a' * 64}"],
)
def test_an_image_pattern_allows_every_tag_and_digest_of_that_image(image):
    assert check(images(re.escape(AVERAGE)), image, 1, 2) is None


@pytest.mark.parametrize(
    "image",
    [
        f"{AVERAGE}-evil",  # the original's re.match allowed this: a prefix match
        f"{AVERAGE}-evil:latest",
        f"{AVERAGE}/evil",
        f"evil.example.org/{AVERAGE}",
        "harbor2.vantage6.ai/demo/averagex:1.0",
    ],
)
def test_an_image_pattern_must_match_the_whole_name(image):
    reason = check(images(re.escape(AVERAGE)), image, 1, 2)
    assert reason == f"image {image!r} is not allowed at this node (it matches no allowed_images)"


def test_the_seeds_patterns_mean_what_the_seeds_say():
    # "^harbor2.vantage6.ai/[a-zA-Z]+/[a-zA-Z]+: allows all images from the vantage6 registry"
    registry = images("^harbor2.vantage6.ai/[a-zA-Z]+/[a-zA-Z]+")
    assert check(registry, f"{AVERAGE}:latest", 1, None) is None
    assert check(registry, "docker.io/library/python:3", 1, None) is not None
    # "^harbor2.vantage6.ai/algorithms/glm: only this image, but all builds of this image"
    glm = images("^harbor2.vantage6.ai/algorithms/glm")
    assert check(glm, "harbor2.vantage6.ai/algorithms/glm:4.1", 1, None) is None
    assert check(glm, "harbor2.vantage6.ai/algorithms/glmnet", 1, None) is not None
    # "...glm@sha256:<digest>: allows only this specific build"
    digest = "82becede498899ec668628e7cb0ad87b6e1c371cb8a1e597d83a47fac21d6af3"
    build = images(f"^harbor2.vantage6.ai/algorithms/glm@sha256:{digest}")
    assert check(build, f"harbor2.vantage6.ai/algorithms/glm@sha256:{digest}", 1, None) is None
    assert check(build, "harbor2.vantage6.ai/algorithms/glm:latest", 1, None) is not None


def test_a_pattern_with_a_tag_allows_that_tag_only_and_latest_is_implied():
    policies = images(re.escape(f"{AVERAGE}:latest"))
    assert check(policies, AVERAGE, 1, None) is None  # Docker runs :latest
    assert check(policies, f"{AVERAGE}:latest", 1, None) is None
    assert check(policies, f"{AVERAGE}:2.0", 1, None) is not None


def test_any_of_several_patterns_allows():
    policies = images("other/image", re.escape(AVERAGE))
    assert check(policies, AVERAGE, 1, None) is None


def test_organizations_and_users_are_compared_as_ints_from_the_ini(tmp_path):
    """The original compared str(id) with the YAML's ints, so listed ids never matched."""
    ini = tmp_path / "node.ini"
    ini.write_text(
        "[node]\napi_key = key\n[server]\nurl = http://localhost\n"
        "[policies]\nallowed_organizations = 2, 5\nallowed_users = 7\n"
    )
    policies = load_config(ini).policies
    assert check(policies, AVERAGE, init_org_id=5, init_user_id=99) is None
    assert check(policies, AVERAGE, init_org_id=3, init_user_id=7) is None
    assert check(policies, AVERAGE, init_org_id=3, init_user_id=99) == (
        "neither user 99 nor organization 3 may run tasks at this node"
        " (allowed_users, allowed_organizations)"
    )


def test_allowed_organizations_alone():
    policies = Policies(allowed_organizations=frozenset({2}))
    assert check(policies, AVERAGE, 2, None) is None
    assert check(policies, AVERAGE, 3, 1) == (
        "organization 3 may not run tasks at this node (allowed_organizations)"
    )


def test_allowed_users_alone():
    policies = Policies(allowed_users=frozenset({7}))
    assert check(policies, AVERAGE, 1, 7) is None
    assert check(policies, AVERAGE, 1, 8) == (
        "user 8 may not run tasks at this node (allowed_users)"
    )
    assert check(policies, AVERAGE, 1, None) == (
        "a task without initiating user may not run tasks at this node (allowed_users)"
    )


def test_the_image_is_checked_as_well_as_the_initiator():
    policies = Policies(
        allowed_images=(re.compile(re.escape(AVERAGE)),), allowed_organizations=frozenset({2})
    )
    assert check(policies, AVERAGE, 2, None) is None
    assert "allowed_images" in check(policies, "other/image", 2, None)
    assert "allowed_organizations" in check(policies, AVERAGE, 3, None)


def test_a_study_takes_its_own_organizations_only():
    assert outside_study(4, 2, [1, 2]) is None
    assert outside_study(4, 3, [1, 2]) == (
        "this node's organization 3 is not in study 4, which the task is for"
    )
    assert outside_study(4, 3, []) is not None


def test_rds_input_runs_only_where_allowed_and_pickled_input_never():
    rds, pickled = b"RDS.X\n\x00\x00", b"pickle.\x80\x04K\x01."
    assert "allow_rds = true in [policies]" in input_refused(Policies(), rds)
    assert input_refused(Policies(allow_rds=True), rds) is None
    assert input_refused(Policies(allow_rds=True), b'{"method": "x"}') is None
    assert "pickled Python" in input_refused(Policies(allow_rds=True), pickled)


def test_allow_rds_is_read_from_the_policies_section(tmp_path):
    ini = tmp_path / "node.ini"
    ini.write_text(
        "[node]\napi_key = key\n[server]\nurl = http://localhost\n[policies]\nallow_rds = true\n"
    )
    assert load_config(ini).policies.allow_rds is True
