"""Cluster benchmark on PostgreSQL: REST throughput of ``pserve`` with 1, 2 and 4 worker
processes, and the latency of task notifications to node websockets spread over 2 workers.

    url=$(scripts/pg-tmp start /tmp/pg-bench)
    .venv/bin/python bench/cluster_bench.py --database-url "$url" [--workers 1 2 4]
        [--clients 16] [--seconds 10] [--sockets 100 1000] [--tasks 20]
    scripts/pg-tmp stop /tmp/pg-bench

Every server is pserve on a copy of development.ini (quiet logs, production-strength argon2)
on a fresh database of the PostgreSQL server that --database-url names, with the PostgreSQL
bus (LISTEN/NOTIFY) and ``workers = N``; the database is dropped afterwards.

Throughput: for each number of workers, a server seeded as api_bench.py seeds (--nodes
organizations each with a node in one collaboration, --seeded-tasks finished tasks), then
GET /organization, GET /task (a random page of 10) and POST /task (for two organizations),
each first for --warmup seconds unmeasured, then for --seconds with --clients closed-loop
clients, each on its own keep-alive connection. A connection stays with the worker that
accepted it: the table says how the clients' connections were spread over the workers.

Notification: ws_bench.py's measurement on one server with --socket-workers workers: for each
number of --sockets, that many sockets of as many distinct nodes of one collaboration, then
--tasks tasks for their organizations, one after the other; latency from each POST /task's
response to the ``new_task`` frame at each socket.

The clients are greenlets in this process (the websocket clients need gevent, and so the whole
process is patched), on the same machine as the server: they share its cores.
"""

from gevent import monkey

monkey.patch_all()

import argparse  # noqa: E402
import os  # noqa: E402

import gevent  # noqa: E402
import ws_bench  # noqa: E402
from api_bench import run_scenario, running_server, scenarios, seed  # noqa: E402

MEASURED = ("GET /organization", "GET /task (page of 10)", "POST /task")


def throughput(options) -> None:
    print(f"## Throughput ({options.clients} clients, {options.seconds:g} s per scenario)\n")
    cores = os.cpu_count()
    print(
        f"This machine has {cores} cores, shared by the server and these clients: with more "
        f"workers than cores, the extra workers mainly show the overhead of more processes.\n"
    )
    print(
        "| workers | scenario | requests | req/s | p50 ms | p99 ms | errors "
        "| connections per worker |"
    )
    print("| --: | --- | --: | --: | --: | --: | --: | --- |", flush=True)
    for workers in options.workers:
        with running_server(options.database_url, workers) as server:
            world = seed(server, options.nodes, options.seeded_tasks)
            calls = scenarios(world)
            for name in MEASURED:
                call, expected = calls[name]
                if options.warmup:
                    run_scenario(server, call, expected, options.clients, options.warmup)
                # Half-way through, every client holds its connection to one worker.
                spread = gevent.spawn_later(options.seconds / 2, server.connections)
                result = run_scenario(server, call, expected, options.clients, options.seconds)
                per_worker = " + ".join(map(str, sorted(spread.get().values(), reverse=True)))
                print(
                    f"| {workers} | {name} | {result['requests']:,} | {result['req/s']:.0f} "
                    f"| {result['p50 ms']:.1f} | {result['p99 ms']:.1f} | {result['errors']} "
                    f"| {per_worker} |",
                    flush=True,
                )
    print()


def notification(options) -> None:
    print(
        f"## Task-to-node notification ({options.socket_workers} workers, "
        f"{options.tasks} tasks per row)\n"
    )
    print(
        "Latency from the POST /task response to the new_task frame at each socket; a "
        "negative one came before the response. RSS is summed over the workers.\n",
        flush=True,
    )
    ws_bench.run(
        options.sockets,
        options.tasks,
        organizations=max(options.sockets),
        database_url=options.database_url,
        workers=options.socket_workers,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True, help="a PostgreSQL server's URL")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--warmup", type=float, default=2, help="seconds, unmeasured")
    parser.add_argument("--nodes", type=int, default=100)
    parser.add_argument(
        "--seeded-tasks", type=int, default=10_000, help="GET /task reads one of pages 1-1,000"
    )
    parser.add_argument("--sockets", type=int, nargs="+", default=[100, 1000])
    parser.add_argument("--socket-workers", type=int, default=2)
    parser.add_argument("--tasks", type=int, default=20, help="tasks per number of sockets")
    parser.add_argument(
        "--parts",
        nargs="+",
        choices=("throughput", "notification"),
        default=["throughput", "notification"],
    )
    options = parser.parse_args()
    if "throughput" in options.parts:
        throughput(options)
    if "notification" in options.parts:
        notification(options)


if __name__ == "__main__":
    main()
