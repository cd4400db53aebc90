"""Websocket benchmark: N node sockets on one ``pserve`` process, then tasks for 100
organizations; connect rate, server RSS, and latency from each POST's response to the event
at every target socket.

    .venv/bin/python bench/ws_bench.py [--sockets 500 1000 2000] [--tasks 20]

The server runs from a copy of development.ini on a temporary SQLite database (quiet logs);
100 organizations share one collaboration, each with a node, and the N sockets are spread over
the 100 node tokens, so every socket is a target of every task. The clients are greenlets in
this process (websocket-client over gevent), on the same machine as the server.
"""

from gevent import monkey

monkey.patch_all()

import argparse  # noqa: E402
import json  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import gevent  # noqa: E402
import websocket  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.functional.ws_server import Server  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
ORGANIZATIONS = 100


def start(directory: Path, port: int) -> subprocess.Popen:
    text = (REPO / "development.ini").read_text()
    text = text.replace("sqlite:///%(here)s/var/vantage6.sqlite", f"sqlite:///{directory}/db")
    text = text.replace("listen = localhost:7601", f"listen = 127.0.0.1:{port}")
    text = text.replace("pyramid.debug_authorization = true", "pyramid.debug_authorization = false")
    text = text.replace("level = DEBUG", "level = WARN").replace("level = INFO", "level = WARN")
    text = text.replace("[app:main]\n", "[app:main]\nvantage6.jwt.secret = " + "b" * 40 + "\n")
    ini = directory / "bench.ini"
    ini.write_text(text)
    return subprocess.Popen(
        [str(REPO / ".venv/bin/pserve"), str(ini)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def seed(server: Server) -> tuple[int, list[int], list[str]]:
    ids = [
        server.ok("POST", "/organization", {"name": f"org{i}"})["id"] for i in range(ORGANIZATIONS)
    ]
    root_org = server.ok("GET", "/user?username=root")["data"][0]["organization"]["id"]
    body = {"name": "bench", "organization_ids": [root_org, *ids], "encrypted": False}
    collaboration = server.ok("POST", "/collaboration", body)["id"]
    keys = [
        server.ok("POST", "/node", {"collaboration_id": collaboration, "organization_id": i})[
            "api_key"
        ]
        for i in ids
    ]
    return collaboration, ids, [server.node_token(key) for key in keys]


def measure(server: Server, pid: int, n: int, collaboration, organizations, tokens, tasks: int):
    arrivals: dict[int, list[float]] = {}
    sockets = []

    def listen(ws):
        while True:
            try:
                message = json.loads(ws.recv())
            except Exception:
                return
            if message["event"] == "new_task":
                arrivals.setdefault(message["data"]["id"], []).append(time.perf_counter())

    began = time.perf_counter()
    jobs = [
        gevent.spawn(
            websocket.create_connection,
            server.ws_url,
            header=[f"Authorization: Bearer {tokens[i % len(tokens)]}"],
            timeout=30,
        )
        for i in range(n)
    ]
    gevent.joinall(jobs)
    sockets = [job.value for job in jobs if job.value is not None]
    connect_seconds = time.perf_counter() - began
    listeners = [gevent.spawn(listen, ws) for ws in sockets]
    gevent.sleep(2)  # sync and node_online events settle
    rss = rss_mb(pid)
    latencies = []
    for _ in range(tasks):
        task = server.create_task(collaboration, organizations)
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
        "connect_per_s": len(sockets) / connect_seconds,
        "rss_mb": rss,
        "deliveries": len(latencies),
        "p50_ms": statistics.median(latencies) if latencies else float("nan"),
        "p99_ms": latencies[int(len(latencies) * 0.99) - 1] if latencies else float("nan"),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sockets", type=int, nargs="+", default=[500, 1000, 2000])
    parser.add_argument("--tasks", type=int, default=20)
    args = parser.parse_args()
    import socket as socket_module

    with socket_module.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with tempfile.TemporaryDirectory() as directory:
        process = start(Path(directory), port)
        try:
            server = Server(port)
            for _ in range(100):
                try:
                    server.call("GET", "/health")
                    break
                except OSError:
                    time.sleep(0.2)
            collaboration, organizations, tokens = seed(server)
            print("sockets  connect/s  server RSS MB  deliveries  p50 ms  p99 ms")
            for n in args.sockets:
                r = measure(
                    server, process.pid, n, collaboration, organizations, tokens, args.tasks
                )
                print(
                    f"{r['sockets']:7d}  {r['connect_per_s']:9.0f}  {r['rss_mb']:13.0f}  "
                    f"{r['deliveries']:10d}  {r['p50_ms']:6.1f}  {r['p99_ms']:6.1f}",
                    flush=True,
                )
        finally:
            process.terminate()
            process.wait(timeout=20)


if __name__ == "__main__":
    main()
