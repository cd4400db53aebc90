"""Websocket benchmark: N node sockets on ``pserve``, then tasks for the organizations of
their nodes; connect rate, server RSS, and latency from each POST's response to the event at
every target socket.

    .venv/bin/python bench/ws_bench.py [--sockets 500 1000 2000] [--tasks 20]
                                       [--organizations 100] [--database-url URL --workers N]

The server runs from a copy of development.ini (quiet logs) on a temporary SQLite database, or
with --database-url on a fresh database of that PostgreSQL server, with the PostgreSQL bus and
--workers processes (the server RSS is then the workers', summed). The organizations (100 by
default) share one collaboration, each with a node, and the N sockets are spread over the node
tokens; the tasks are for the organizations of the sockets' nodes, so every socket is a target
of every task. The clients are greenlets in this process (websocket-client over gevent), on
the same machine as the server.
"""

from gevent import monkey

monkey.patch_all()

import argparse  # noqa: E402
import json  # noqa: E402
import resource  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import gevent  # noqa: E402
import websocket  # noqa: E402
from api_bench import Server as Pserve  # noqa: E402
from api_bench import running_server  # noqa: E402
from gevent.pool import Pool  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.functional.ws_server import Server  # noqa: E402

ORGANIZATIONS = 100
SEED_CONCURRENCY = 8  # REST calls at once while seeding (node logins hash: use every worker)
PROGRESS_SECONDS = 5
QUIET_SECONDS = 1  # no frame for this long: the connects' sync and node_online events are over
SETTLE_SECONDS = 60  # the longest that is waited for that


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def seed(server: Server, organizations: int = ORGANIZATIONS) -> tuple[int, list[int], list[str]]:
    """A collaboration of root's organization and ``organizations`` new ones, each with a
    node: its id, theirs and their nodes' tokens."""
    started = time.monotonic()
    root_org = server.ok("GET", "/user?username=root")["data"][0]["organization"]["id"]
    pool = Pool(SEED_CONCURRENCY)
    ids = pool.map(
        lambda i: server.ok("POST", "/organization", {"name": f"org{i}"})["id"],
        range(organizations),
    )
    body = {"name": "bench", "organization_ids": [root_org, *ids], "encrypted": False}
    collaboration = server.ok("POST", "/collaboration", body)["id"]

    made = []

    def node_token(organization: int) -> str:
        body = {"collaboration_id": collaboration, "organization_id": organization}
        token = server.node_token(server.ok("POST", "/node", body)["api_key"])
        made.append(token)
        if len(made) % 100 == 0:
            print(f"{len(made)} of {organizations} nodes made", file=sys.stderr, flush=True)
        return token

    tokens = pool.map(node_token, ids)
    seconds = time.monotonic() - started
    print(
        f"seeded {organizations} organizations with a node each in {seconds:.0f} s", file=sys.stderr
    )
    return collaboration, ids, tokens


def measure(server: Server, pserve: Pserve, n: int, collaboration, organizations, tokens, tasks):
    arrivals: dict[int, list[float]] = {}
    listeners = []
    last_frame = [time.perf_counter()]

    def listen(ws):
        while True:
            try:
                message = json.loads(ws.recv())
            except Exception:
                return
            last_frame[0] = time.perf_counter()
            if message["event"] == "new_task":
                arrivals.setdefault(message["data"]["id"], []).append(time.perf_counter())

    def connect(token: str):
        ws = websocket.create_connection(
            server.ws_url, header=[f"Authorization: Bearer {token}"], timeout=30
        )
        ws.settimeout(None)  # the timeout was for connecting; a quiet socket stays open
        # Read at once: a node's connect announces it to the collaboration, and the frames for
        # a socket nobody reads would queue up at the server while the others connect.
        listeners.append(gevent.spawn(listen, ws))
        return ws

    began = time.perf_counter()
    jobs = [gevent.spawn(connect, tokens[i % len(tokens)]) for i in range(n)]
    while len(done := gevent.joinall(jobs, timeout=PROGRESS_SECONDS)) < n:
        print(f"{len(done)} of {n} sockets connected", file=sys.stderr, flush=True)
    sockets = [job.value for job in jobs if job.value is not None]
    connect_seconds = time.perf_counter() - began
    per_process = sorted(pserve.connections().values(), reverse=True)
    gevent.sleep(2)  # sync and node_online events settle
    settled = time.perf_counter() + SETTLE_SECONDS
    while time.perf_counter() < settled and time.perf_counter() - last_frame[0] < QUIET_SECONDS:
        gevent.sleep(0.1)
    rss = sum(rss_mb(pid) for pid in pserve.processes())
    targets = organizations[:n]  # all, unless there are fewer sockets than nodes
    latencies = []
    for _ in range(tasks):
        task = server.create_task(collaboration, targets)
        answered = time.perf_counter()
        deadline = answered + 10
        while len(arrivals.get(task["id"], ())) < len(sockets) and time.perf_counter() < deadline:
            gevent.sleep(0.005)
        latencies += [(t - answered) * 1000 for t in arrivals.get(task["id"], ())]
    for ws in sockets:
        ws.close()
    gevent.killall(listeners)
    latencies.sort()
    return {
        "sockets": len(sockets),
        "per_process": per_process,
        "connect_per_s": len(sockets) / connect_seconds,
        "rss_mb": rss,
        "deliveries": len(latencies),
        "p50_ms": statistics.median(latencies) if latencies else float("nan"),
        "p99_ms": latencies[int(len(latencies) * 0.99) - 1] if latencies else float("nan"),
    }


def raise_open_file_limit() -> None:
    """To the hard limit: every socket is an open file, at both ends (pserve, started from
    this process, inherits the limit)."""
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def run(sockets, tasks: int, organizations=ORGANIZATIONS, database_url=None, workers=1) -> None:
    """Seed, then measure with each number of ``sockets`` in turn; print a markdown table."""
    raise_open_file_limit()
    with running_server(database_url, workers) as pserve:
        server = Server(pserve.port)
        collaboration, ids, tokens = seed(server, organizations)
        print(
            "| sockets | per process | connect/s | server RSS MB | deliveries | p50 ms | p99 ms |"
        )
        print("| --: | --- | --: | --: | --: | --: | --: |", flush=True)
        for n in sockets:
            r = measure(server, pserve, n, collaboration, ids, tokens, tasks)
            print(
                f"| {r['sockets']:,} | {' + '.join(map(str, r['per_process']))} "
                f"| {r['connect_per_s']:.0f} | {r['rss_mb']:.0f} | {r['deliveries']:,} "
                f"| {r['p50_ms']:.1f} | {r['p99_ms']:.1f} |",
                flush=True,
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sockets", type=int, nargs="+", default=[500, 1000, 2000])
    parser.add_argument("--tasks", type=int, default=20)
    parser.add_argument("--organizations", type=int, default=ORGANIZATIONS)
    parser.add_argument("--database-url", help="a PostgreSQL server (default: SQLite)")
    parser.add_argument("--workers", type=int, default=1, help="with --database-url")
    args = parser.parse_args()
    run(args.sockets, args.tasks, args.organizations, args.database_url, args.workers)


if __name__ == "__main__":
    main()
