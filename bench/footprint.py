"""Start-up time and memory of one server process: how long `pserve` takes to answer
/api/health on an existing database, and its proportional set size (PSS) idle, during and after
bursts of parallel password and node logins (argon2), and after a burst of reads.

    .venv/bin/python bench/footprint.py [--starts 5] [--logins 8]

The server runs `development.ini` as in api_bench.py (own port and database, quiet logs).
PSS counts shared pages once across processes, so it is what a process costs the machine.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import threading
import time
from pathlib import Path

from api_bench import Server, request


def pss_mib(pid: int) -> float:
    with open(f"/proc/{pid}/smaps_rollup") as rollup:
        for line in rollup:
            if line.startswith("Pss:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no Pss line")


def start_seconds(directory: Path) -> tuple[Server, float]:
    """A started server and how long it took from exec to a healthy /api/health."""
    started = time.monotonic()
    server = Server(directory, poll_seconds=0.01)
    return server, time.monotonic() - started


def login(server: Server, path="/api/token/user", body=None) -> None:
    body = body or {"username": "root", "password": "root"}
    status, answer = request(server.connect(), "POST", path, body)
    assert status == 200, answer


def new_node_key(server: Server) -> str:
    """The API key of a node made for root's organization in a new collaboration."""
    connection = server.connect()
    credentials = {"username": "root", "password": "root"}
    token = json.loads(request(connection, "POST", "/api/token/user", credentials)[1])
    token = token["access_token"]
    collaboration = {"name": "footprint", "organization_ids": [1], "encrypted": False}
    status, body = request(connection, "POST", "/api/collaboration", collaboration, token=token)
    assert status == 201, body
    node = {"collaboration_id": json.loads(body)["id"], "organization_id": 1}
    status, body = request(connection, "POST", "/api/node", node, token=token)
    assert status == 201, body
    return json.loads(body)["api_key"]


def peak_during(pid: int, work) -> float:
    """The highest PSS sampled every 20 ms while ``work()`` runs."""
    peak, done = 0.0, threading.Event()

    def sample():
        nonlocal peak
        while not done.is_set():
            peak = max(peak, pss_mib(pid))
            done.wait(0.02)

    sampler = threading.Thread(target=sample)
    sampler.start()
    try:
        work()
    finally:
        done.set()
        sampler.join()
    return peak


def parallel(count: int, function) -> None:
    threads = [threading.Thread(target=function) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def read_burst(server: Server, seconds: float) -> None:
    status, body = request(
        server.connect(), "POST", "/api/token/user", {"username": "root", "password": "root"}
    )
    token = json.loads(body)["access_token"]
    end = time.monotonic() + seconds

    def reader():
        connection = server.connect()
        while time.monotonic() < end:
            for path in ("/api/organization", "/api/task?per_page=10", "/api/user", "/api/role"):
                assert request(connection, "GET", path, token=token)[0] == 200

    parallel(4, reader)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--starts", type=int, default=5, help="timed starts (after a first one)")
    parser.add_argument("--logins", type=int, default=8, help="parallel password logins")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        directory = Path(folder)
        first, _ = start_seconds(directory)  # creates and migrates the database
        first.stop()
        times = []
        for _ in range(args.starts):
            server, seconds = start_seconds(directory)
            times.append(seconds)
            server.stop()
        server, _ = start_seconds(directory)
        try:
            pid = server.process.pid
            time.sleep(2)
            idle = pss_mib(pid)
            peak = peak_during(pid, lambda: parallel(args.logins, lambda: login(server)))
            time.sleep(3)
            after_logins = pss_mib(pid)
            key = {"api_key": new_node_key(server)}
            node_logins = lambda: login(server, "/api/token/node", key)  # noqa: E731
            node_peak = peak_during(pid, lambda: parallel(args.logins, node_logins))
            time.sleep(3)
            after_node_logins = pss_mib(pid)
            read_burst(server, 5)
            time.sleep(3)
            after_reads = pss_mib(pid)
        finally:
            server.stop()
    median = statistics.median(times)
    print(f"start-up to healthy: median {median:.2f} s, times {times_text(times)}")
    print(f"PSS idle after start: {idle:.1f} MiB")
    print(
        f"PSS during {args.logins} parallel password logins: peak {peak:.1f} MiB, "
        f"3 s after {after_logins:.1f}"
    )
    print(
        f"PSS during {args.logins} parallel node logins: peak {node_peak:.1f} MiB, "
        f"3 s after {after_node_logins:.1f}"
    )
    print(f"PSS 3 s after 5 s of reads (4 clients): {after_reads:.1f} MiB")


def times_text(times: list[float]) -> str:
    return ", ".join(f"{seconds:.2f}" for seconds in times)


if __name__ == "__main__":
    main()
