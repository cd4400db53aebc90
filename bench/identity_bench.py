"""What checking a bearer token costs a request: the identity kept from an earlier request
(one read of the rights epoch and a lookup) against one built anew (signature, account, rules).

    .venv/bin/python bench/identity_bench.py [--rounds 5000]

In-process, on a fresh SQLite database made from development.ini; each check runs inside a
request's open transaction, as the security policy runs it, so opening the session (which
the request's own queries need anyway) is not counted.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from api_bench import write_ini
from pyramid.paster import get_app
from pyramid.request import Request
from pyramid.scripting import prepare

from vantage6.server.security.jwt_backend import IDENTITIES, vantage6_identify


def microseconds_per_check(app, token: str, rounds: int, kept: bool) -> float:
    """The median over 5 batches of ``rounds`` checks; ``kept``: from the identity cache."""
    identities = app.registry[IDENTITIES]
    batches = []
    for _ in range(5):
        request = Request.blank("/api/organization", {"HTTP_AUTHORIZATION": f"Bearer {token}"})
        with prepare(request=request, registry=app.registry), request.tm:
            request.dbsession.connection()  # the request's transaction, as a view has it
            vantage6_identify(request)
            started = time.perf_counter()
            for _ in range(rounds):
                if not kept:
                    identities.get("", -1)  # a new epoch: the cache forgets every identity
                assert vantage6_identify(request) is not None
            batches.append((time.perf_counter() - started) / rounds * 1e6)
    return statistics.median(batches)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        directory = Path(folder)
        app = get_app(str(write_ini(directory, 0, f"sqlite:///{directory}/db")))
        body = {"username": "root", "password": "root"}
        request = Request.blank("/api/token/user", method="POST")
        request.content_type = "application/json"
        request.json_body = body
        token = request.get_response(app).json["access_token"]
        kept = microseconds_per_check(app, token, args.rounds, kept=True)
        built = microseconds_per_check(app, token, args.rounds // 10, kept=False)
        app.registry["dbengine"].dispose()
    print(f"token check, identity kept:  {kept:7.1f} µs")
    print(f"token check, identity built: {built:7.1f} µs (root: every rule)")


if __name__ == "__main__":
    main()
