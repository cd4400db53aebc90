"""Which tasks this node runs: its owner's ``[policies]`` (empty means no limit).

- ``allowed_images``: regular expressions that must match the WHOLE image name
  (``re.fullmatch``), so ``harbor2.vantage6.ai/demo/average`` does not allow
  ``harbor2.vantage6.ai/demo/average-evil`` (the original's ``re.match`` did: a prefix match).
  A pattern without tag or digest allows every tag and digest of that image, as the seeds'
  examples mean (``^harbor2.vantage6.ai/algorithms/glm`` "allows all builds of this image"),
  and an image named without either is also tried as ``<name>:latest``, what Docker runs.
- ``allowed_organizations`` / ``allowed_users``: ids (ints, compared as ints, unlike the
  original). With both set, a task is allowed when its initiating user OR organization is
  listed; with one set, that one decides.

- ``allow_rds``: whether input in R's serialize format (``RDS.``, the original R client's)
  may run; off by default, as unserializing untrusted RDS can run code (CVE-2024-27322).
  Pickled input never runs.

Whatever the policies say, a task for a study runs only at the organizations in the study
(:func:`outside_study`; the original's nodes ran it anywhere they got it, issue #812).
"""

from __future__ import annotations

import re

from docker.utils import parse_repository_tag

from vantage6.node.config import Policies


def check(policies: Policies, image: str, init_org_id: int, init_user_id: int | None) -> str | None:
    """None when the task may run here, else why not (shown to its initiator)."""
    if policies.allowed_images and not image_allowed(policies.allowed_images, image):
        return f"image {image!r} is not allowed at this node (it matches no allowed_images)"
    return initiator_refused(policies, init_org_id, init_user_id)


RDS_PREFIX = b"RDS."
PICKLE_PREFIX = b"pickle."


def input_refused(policies: Policies, data: bytes) -> str | None:
    """None when the run's (decrypted) input may be handed to the algorithm, else why not."""
    if data.startswith(PICKLE_PREFIX):
        return "the input is pickled Python, which this node never runs (it can run any code)"
    if data.startswith(RDS_PREFIX) and not policies.allow_rds:
        return (
            "the input is in R's serialize format (RDS), which this node does not run: "
            "unserializing untrusted RDS can run code (CVE-2024-27322). Send JSON (the vtg "
            "client's default), or the node's owner allows it with allow_rds = true in "
            "[policies]"
        )
    return None


def outside_study(study_id: int, organization_id: int, members) -> str | None:
    """None when ``organization_id`` is one of ``members``, the organizations in the task's
    study ``study_id``; else why the run is not allowed here."""
    if organization_id in set(members):
        return None
    return (
        f"this node's organization {organization_id} is not in study {study_id}, which the "
        "task is for"
    )


def image_allowed(patterns: tuple[re.Pattern, ...], image: str) -> bool:
    names = image_names(image)
    return any(pattern.fullmatch(name) for pattern in patterns for name in names)


def image_names(image: str) -> set[str]:
    """The names an allowed_images pattern may match for ``image``: the name as given, the
    image without tag or digest, and with ``:latest`` when it has neither."""
    repository, tag = parse_repository_tag(image)
    names = {image, repository}
    if tag is None:
        names.add(f"{repository}:latest")
    return names


def initiator_refused(policies: Policies, org_id: int, user_id: int | None) -> str | None:
    users, orgs = policies.allowed_users, policies.allowed_organizations
    if not users and not orgs:
        return None
    if (user_id is not None and user_id in users) or org_id in orgs:
        return None
    if users and orgs:
        return (
            f"neither user {user_id} nor organization {org_id} may run tasks at this node"
            " (allowed_users, allowed_organizations)"
        )
    if users:
        who = "a task without initiating user" if user_id is None else f"user {user_id}"
        return f"{who} may not run tasks at this node (allowed_users)"
    return f"organization {org_id} may not run tasks at this node (allowed_organizations)"
