"""No answer of any readable endpoint contains a stored secret: password or API key hashes,
API keys, OTP secrets. Root reads everything, every list and every single object."""

from __future__ import annotations

import re

from cornice.service import get_services
from sqlalchemy import select

from vantage6.server.models import User

OTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def readable_paths(ids: dict[str, int]) -> list[str]:
    """Every GET path of the API, with ``{id}`` filled in from the object of that resource."""
    paths = []
    for service in get_services():
        if "GET" not in {method for method, _view, _args in service.definitions}:
            continue
        resource = service.path.strip("/").split("/")[0]
        if "{" in service.path:
            if resource not in ids:
                continue
            paths.append(re.sub(r"\{[^}]+\}", str(ids[resource]), service.path))
        else:
            paths.append(service.path)
    return paths


def test_no_endpoint_reveals_a_stored_secret(api, root):
    world = api.federation()
    organization = world["a1"]
    api.user("carol", organization, roles=["Researcher"])
    with api.session() as session, session.begin():
        carol = session.scalars(select(User).filter_by(username="carol")).one()
        carol.otp_secret = OTP_SECRET
        hashes = session.scalars(select(User._password_hash)).all()
    task = api.task(world["A"], [world["a1"], world["a2"]], init_org=organization)
    ids = {
        "organization": organization,
        "collaboration": world["A"],
        "node": api.node_id(world["a1"], world["A"]),
        "user": api.user_id("carol"),
        "role": 1,
        "rule": 1,
        "task": task,
        "run": api.run_id(task, world["a1"]),
        "result": api.run_id(task, world["a1"]),
    }
    answers = []
    for path in readable_paths(ids):
        query = "?include_permissions=true&include=runs,results,organizations,task"
        response = api.app.get(f"/api{path}{query}", headers=root, expect_errors=True)
        assert response.status_int < 500, path
        answers.append(response.text)
    everything = "\n".join(answers)
    assert len(answers) >= 20 and '"username":"carol"' in everything  # it did read them
    assert "$argon2" not in everything
    assert OTP_SECRET not in everything
    assert "key-a1-A" not in everything  # the federation's node API keys
    for hashed in hashes:
        assert hashed not in everything
    for field in ("password", "api_key", "api_key_id", "otp_secret"):
        assert f'"{field}"' not in everything
