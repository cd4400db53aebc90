"""``DOCKER_CONTENT_TRUST`` for the node's algorithms, as the documentation's security advice
means it: with the variable set (``1``) in the node's environment, an algorithm runs only as
an image its publisher signed.

The Docker engine, which the node talks to, checks no signatures: the ``docker`` command does,
with the Notary server of the image's registry. So the node asks ``docker trust inspect`` for
the signed digest of the image's tag and runs the image by that digest (a tag moved since,
or a local image of the same name, cannot stand in for it). An image whose signature cannot
be found or checked does not run, and the run's log says why.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess

from docker.utils import parse_repository_tag

VARIABLE = "DOCKER_CONTENT_TRUST"
INSPECT_TIMEOUT_SECONDS = 60
ADVICE = (
    f"{VARIABLE} is set on this node, so only signed images run (unset it in the node's "
    "environment to run unsigned ones)"
)


class Unsigned(Exception):
    """The image has no signature the node could check; the message says why."""


def required(environ=os.environ) -> bool:
    """Whether the node's owner asked for signed images (Docker reads any non-empty value
    other than 0 or false as on)."""
    return environ.get(VARIABLE, "").strip().lower() not in ("", "0", "false")


def signed_reference(image: str) -> str:
    """``repository@sha256:...``: the image as its publisher signed its tag (``latest``
    when it names none); an image named by digest must be the digest of a signed tag."""
    repository, tag = parse_repository_tag(image)
    pinned = tag if tag and tag.startswith("sha256:") else None
    signed = _signed_digests(repository if pinned else f"{repository}:{tag or 'latest'}")
    if pinned:
        if pinned not in signed.values():
            raise Unsigned(f"{image} is not the digest of a signed tag of {repository}; {ADVICE}")
        return image
    digest = signed.get(tag or "latest")
    if digest is None:
        raise Unsigned(f"{image} has no signed tag {tag or 'latest'}; {ADVICE}")
    return f"{repository}@{digest}"


def _signed_digests(reference: str) -> dict[str, str]:
    """The signed tags of ``reference`` (a repository, or one tag of it) and their digests."""
    docker = shutil.which("docker")
    if docker is None:
        raise Unsigned(f"the docker command, which checks signatures, is not installed; {ADVICE}")
    try:
        done = subprocess.run(
            [docker, "trust", "inspect", reference],
            capture_output=True,
            text=True,
            timeout=INSPECT_TIMEOUT_SECONDS,
        )
    except subprocess.TimeoutExpired:
        raise Unsigned(f"the signature of {reference} could not be checked in time; {ADVICE}")
    if done.returncode != 0:
        reason = done.stderr.strip().splitlines()[-1] if done.stderr.strip() else "no answer"
        raise Unsigned(f"no signature of {reference} could be checked ({reason}); {ADVICE}")
    try:
        return {
            entry["SignedTag"]: f"sha256:{entry['Digest']}"
            for repository in json.loads(done.stdout or "[]")
            for entry in repository.get("SignedTags") or ()
        }
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        raise Unsigned(f"docker trust inspect gave an unreadable answer ({exc}); {ADVICE}")
