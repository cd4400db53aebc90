"""Which configured registry login goes with an image (the SDK's ``auth_config``)."""

from __future__ import annotations

import pytest

from vantage6.node.config import Registry
from vantage6.node.runtime.docker import registry_login

REGISTRIES = (
    Registry("https://harbor2.vantage6.ai/", "harbor-user", "harbor-secret"),
    Registry("docker.io", "hub-user", "hub-secret"),
    Registry("localhost:5000", "local-user", "local-secret"),
)


@pytest.mark.parametrize(
    ("image", "username"),
    [
        ("harbor2.vantage6.ai/demo/average:latest", "harbor-user"),
        ("harbor2.vantage6.ai/demo/average@sha256:" + "a" * 64, "harbor-user"),
        ("python:3.11", "hub-user"),  # no registry named: Docker Hub
        ("library/python", "hub-user"),
        ("index.docker.io/library/python", "hub-user"),
        ("localhost:5000/team/algorithm:1.0", "local-user"),
        ("registry.example.org/team/algorithm", None),
    ],
)
def test_the_login_of_the_images_registry(image, username):
    login = registry_login(REGISTRIES, image)
    assert (login or {}).get("username") == username
    if login:
        assert login["password"] == username.replace("user", "secret")


def test_no_registries_no_login():
    assert registry_login((), "harbor2.vantage6.ai/demo/average") is None
