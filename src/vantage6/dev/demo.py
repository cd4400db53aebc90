"""The demo analysis: a federated average of the sample data's ``age`` column through the
Python client, next to the same average computed here on the pooled rows."""

from __future__ import annotations

from fractions import Fraction

import docker
import docker.errors

from vantage6.client import Client
from vantage6.dev.network import IMAGES, DemoNetwork, sample_rows

COLUMN = "age"
IMAGE = IMAGES[0]


def docker_ready() -> bool:
    """A Docker engine answers and has the demo image (built by scripts/build-images)."""
    try:
        engine = docker.from_env(timeout=5)
        engine.images.get(IMAGE)
    except docker.errors.DockerException:
        return False
    return True


def pooled_average(column: str = COLUMN) -> float:
    values = [Fraction(row[column]) for row in sample_rows()]
    return float(sum(values) / len(values))


def federated_average(network: DemoNetwork, column: str = COLUMN, timeout: float = 300):
    """Run the demo algorithm's central part at the first organization, which asks every
    organization of the collaboration for its partial sum; returns its result."""
    credentials = network.credentials()
    admin = Client(credentials.url, credentials.port, "/api")
    admin.authenticate("root", credentials.root_password)
    network.wait_until_online(admin)
    username, password = next(iter(credentials.users.items()))
    researcher = Client(credentials.url, credentials.port, "/api")
    researcher.authenticate(username, password)
    researcher.setup_encryption(None)
    (collaboration,) = researcher.collaboration.list(name="example_collab1", fields=["id"])
    (organization,) = researcher.organization.list(name="example_org1", fields=["id"])
    task = researcher.task.create(
        collaboration=collaboration["id"],
        organizations=[organization["id"]],
        name="demo average",
        image=IMAGE,
        description=f"federated average of {column!r}",
        input_={"method": "central_average", "kwargs": {"column_name": column}},
        databases=[{"label": "default"}],
    )
    results = researcher.wait_for_results(task["id"], timeout=timeout)
    return results["data"][0]["result"]
