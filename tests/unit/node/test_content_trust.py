"""Which image the node runs with DOCKER_CONTENT_TRUST set: the signed digest of the tag, as
``docker trust inspect`` reports it. The registry's Notary server cannot run here, so a stand-in
``docker`` command answers as the real one does."""

from __future__ import annotations

import json

import pytest

from vantage6.node.runtime import content_trust
from vantage6.node.runtime.content_trust import Unsigned, required, signed_reference

DIGEST = "a" * 64
REPOSITORY = "harbor2.vantage6.ai/demo/average"


@pytest.fixture
def notary(tmp_path, monkeypatch):
    """A ``docker`` on the PATH whose ``trust inspect`` reports ``signed`` (tag -> digest)."""

    def answer(signed: dict[str, str] | None):
        report = [
            {
                "Name": REPOSITORY,
                "SignedTags": [
                    {"SignedTag": tag, "Digest": digest, "Signers": ["IKNL"]}
                    for tag, digest in (signed or {}).items()
                ],
            }
        ]
        failing = signed is None
        script = tmp_path / "docker"
        script.write_text(
            "#!/bin/sh\n"
            + (
                "echo 'no signatures or cannot access x' >&2\nexit 1\n"
                if failing
                else f"cat <<'END'\n{json.dumps(report)}\nEND\n"
            )
        )
        script.chmod(0o755)
        monkeypatch.setenv("PATH", f"{tmp_path}:/usr/bin:/bin")  # before the real docker

    return answer


@pytest.mark.parametrize(
    "value, on", [("1", True), ("true", True), ("", False), ("0", False), ("false", False)]
)
def test_the_variable_is_read_as_docker_reads_it(value, on):
    assert required({"DOCKER_CONTENT_TRUST": value}) is on
    assert required({}) is False


def test_a_signed_tag_runs_as_its_signed_digest(notary):
    notary({"latest": DIGEST, "1.0": "b" * 64})
    assert signed_reference(REPOSITORY) == f"{REPOSITORY}@sha256:{DIGEST}"
    assert signed_reference(f"{REPOSITORY}:1.0") == f"{REPOSITORY}@sha256:{'b' * 64}"


def test_a_digest_runs_only_when_a_signed_tag_has_it(notary):
    notary({"latest": DIGEST})
    assert signed_reference(f"{REPOSITORY}@sha256:{DIGEST}") == f"{REPOSITORY}@sha256:{DIGEST}"
    with pytest.raises(Unsigned, match="is not the digest of a signed tag"):
        signed_reference(f"{REPOSITORY}@sha256:{'c' * 64}")


def test_an_unsigned_tag_or_an_unreachable_notary_refuses_the_image(notary):
    notary({"1.0": DIGEST})
    with pytest.raises(Unsigned, match="has no signed tag latest"):
        signed_reference(REPOSITORY)
    notary(None)
    with pytest.raises(
        Unsigned, match=r"no signature of .*:latest could be checked \(no signatures"
    ):
        signed_reference(REPOSITORY)


def test_an_unreadable_answer_refuses_the_image(tmp_path, monkeypatch):
    script = tmp_path / "docker"
    script.write_text("#!/bin/sh\necho 'not json'\n")
    script.chmod(0o755)
    monkeypatch.setenv("PATH", f"{tmp_path}:/usr/bin:/bin")
    with pytest.raises(Unsigned, match="unreadable answer"):
        signed_reference(REPOSITORY)


def test_without_the_docker_command_nothing_runs(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(Unsigned, match="the docker command, which checks signatures"):
        signed_reference(REPOSITORY)
    assert content_trust.VARIABLE in content_trust.ADVICE
