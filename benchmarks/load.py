"""Load test of the API (issue 13): gunicorn with the production settings against PostgreSQL, driven
by an open-loop client of its own at stepped rates, then a consistency check of every write.

The data is benchmarks/api.py's (N proposals, default 100,000; kept between runs in the named
database). Before the run, load actors are added beside it (benchmarks/load_actors.py): 20 agency
liaisons with assignments to acknowledge (reset to 已交办 for the run), 20 members, and the
benchmark's staff user; the anonymous public needs nothing. The mix, by request:

- 70 % lists: the default proposal list, a status + agency filter, a 2-character search;
- 20 % details of proposals the caller may see;
- 10 % workflow writes: a liaison's 签收 (acknowledge) or 沟通记录 (contact), a member's draft proposal;

reads spread over the public (40 %), liaisons (25 %), staff (20 %) and members (15 %). At each
rate (default 50, 100, 200, 300 requests/s, 60 s each) requests are sent on schedule whatever the
answers (open loop: a slow server meets its queue), at most --max-inflight at once (past that a
request is counted as dropped). Every request has a timeout, and every step a hard end.

Printed per step: offered and achieved rate (2xx answers per second), p50/p95/p99 of every answer,
errors (non-2xx, timeouts, refused connections), drops. After the run the database is checked:
every write answered 2xx is there exactly once (by the marker it carried), no write that failed is
there, and the events recorded equal the events those writes record. The machine's load
(`uptime`) is printed before and after. Results also go to benchmarks/out/load.json.

Usage:
    .venv/bin/python benchmarks/load.py [--n 100000] [--database-url postgres://postgres@127.0.0.1:5432/bench_api]
        [--rates 50,100,200,300] [--seconds 60] [--workers 5] [--threads 1] [--max-inflight 400]
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path

BASE = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE))

from benchmarks import api as bench  # noqa: E402  (prepare_database, setup_django, fill)
from benchmarks import load_actors  # noqa: E402
from benchmarks.import_corpus import uptime  # noqa: E402

OUT = BASE / "benchmarks" / "out"
TIMEOUT = 15.0  # seconds a request may take before it counts as an error
DRAIN = 20.0    # seconds after a step's last request for its answers, then the rest are errors


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def http(port: int, method: str, path: str, token: str | None, body: dict | None) -> tuple[int, bytes]:
    """One HTTP/1.1 request on a connection of its own (gunicorn's sync workers close each one)."""
    payload = json.dumps(body).encode() if body is not None else b""
    head = [f"{method} {path} HTTP/1.1", f"Host: 127.0.0.1:{port}", "Accept: application/json",
            "Connection: close", f"Content-Length: {len(payload)}"]
    if body is not None:
        head.append("Content-Type: application/json")
    if token:
        head.append(f"Authorization: Token {token}")
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(("\r\n".join(head) + "\r\n\r\n").encode() + payload)
        await writer.drain()
        answer = await reader.read(-1)
    finally:
        writer.close()
    status_line, _, rest = answer.partition(b"\r\n")
    _, _, content = rest.partition(b"\r\n\r\n")
    return int(status_line.split()[1]), content


class Server:
    """gunicorn with config/gunicorn_conf.py and the production settings (DEBUG off)."""

    def __init__(self, database_url: str, workers: int, threads: int, public_cache: int | None = None):
        self.port = free_port()
        env = {**os.environ, "DATABASE_URL": database_url, "DJANGO_DEBUG": "false",
               "DJANGO_SECRET_KEY": "load-test-only-secret-key-" + "x" * 30, "DJANGO_SECURE_SSL_REDIRECT": "false",
               "DJANGO_STATIC_MANIFEST": "0", "GUNICORN_BIND": f"127.0.0.1:{self.port}",
               "GUNICORN_WORKERS": str(workers), "GUNICORN_THREADS": str(threads), "GUNICORN_ACCESS_LOG": "",
               "GUNICORN_LOG_LEVEL": "warning", "GUNICORN_MAX_REQUESTS": "0",
               # The load test measures the server, not the throttles: a rate no client reaches, counted over
               # one second (a window of minutes would keep every request of the run in one history).
               "DJANGO_THROTTLE_ANON": "100000/s", "DJANGO_THROTTLE_USER": "100000/s"}
        if public_cache is not None:  # seconds the public's answers are kept (config/public_cache.py)
            env["DJANGO_PUBLIC_API_CACHE_SECONDS"] = str(public_cache)
        self.log = OUT / "load-gunicorn.log"
        self.process = subprocess.Popen([str(Path(sys.executable).parent / "gunicorn"), "-c", "config/gunicorn_conf.py",
                                         "config.wsgi"], cwd=BASE, env=env, stdout=self.log.open("w"),
                                        stderr=subprocess.STDOUT)

    def wait(self, seconds: float = 60) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline and self.process.poll() is None:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise SystemExit(f"gunicorn did not start:\n{self.log.read_text()[-3000:]}")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()


class Workload:
    """Chooses each request of the mix (seeded) and remembers every write it sent."""

    def __init__(self, actors: dict, seed: int):
        self.actors, self.rng = actors, random.Random(seed)
        self.acknowledge = {liaison["token"]: list(liaison["to_acknowledge"]) for liaison in actors["liaisons"]}
        self.writes: list[dict] = []

    def _reader(self) -> tuple[str, dict | None]:
        r = self.rng.random()
        if r < 0.40:
            return "anonymous", None
        if r < 0.65:
            return "liaison", self.rng.choice(self.actors["liaisons"])
        if r < 0.85:
            return "staff", self.actors["staff"]
        return "member", self.rng.choice(self.actors["members"])

    def next(self) -> dict:
        r = self.rng.random()
        if r < 0.90:
            role, actor = self._reader()
            token = actor["token"] if actor else None
            ids = (actor or self.actors["anonymous"])["visible"]
            if r < 0.40:
                return {"kind": "list", "method": "GET", "path": "/api/proposals/", "token": token}
            if r < 0.55:
                return {"kind": "filtered", "method": "GET", "token": token,
                        "path": f"/api/proposals/?status=assigned&agency={self.actors['agency_query']}"}
            if r < 0.70:
                return {"kind": "search", "method": "GET", "path": f"/api/proposals/?q={self.actors['word_query']}",
                        "token": token}
            return {"kind": "detail", "method": "GET", "path": f"/api/proposals/{self.rng.choice(ids)}/", "token": token}
        marker = uuid.uuid4().hex
        w = self.rng.random()
        pending = [x for x in self.actors["liaisons"] if self.acknowledge[x["token"]]]
        if w < 1 / 3 and pending:  # (when the pool is used up, a contact instead)
            liaison = self.rng.choice(pending)
            assignment = self.acknowledge[liaison["token"]].pop()
            write = {"kind": "acknowledge", "method": "POST", "path": f"/api/assignments/{assignment}/acknowledge/",
                     "token": liaison["token"], "target": assignment}
        elif w < 2 / 3:
            liaison = self.rng.choice(self.actors["liaisons"])
            write = {"kind": "contact", "method": "POST", "path": "/api/contacts/", "token": liaison["token"],
                     "body": {"assignment": self.rng.choice(liaison["current"]), "stage": "during", "form": "phone",
                              "date": self.actors["today"], "note": f"load {marker}"}, "marker": f"load {marker}"}
        else:
            member = self.rng.choice(self.actors["members"])
            write = {"kind": "draft", "method": "POST", "path": "/api/proposals/", "token": member["token"],
                     "body": {"session": member["session"], "title": load_actors.DRAFT_TITLE.format(marker=marker)},
                     "marker": load_actors.DRAFT_TITLE.format(marker=marker)}
        self.writes.append(write)
        return write


async def run_step(port: int, workload: Workload, rate: float, seconds: float, max_inflight: int) -> dict:
    """Send rate × seconds requests on schedule; every answer (or failure) with its latency."""
    results, inflight, dropped = [], 0, 0
    total = int(rate * seconds)

    async def one(request: dict, due: float) -> None:
        nonlocal inflight
        inflight += 1
        try:
            status, content = await asyncio.wait_for(
                http(port, request["method"], request["path"], request["token"], request.get("body")), TIMEOUT)
        except (asyncio.TimeoutError, OSError) as exc:
            status, content = 0, repr(exc).encode()
        finally:
            inflight -= 1
        request["status"] = status
        if request["method"] == "POST" and 200 <= status < 300:
            request["answer"] = json.loads(content or b"null")
        results.append((request["kind"], status, time.monotonic() - due))

    tasks = []
    start = time.monotonic()
    for i in range(total):
        due = start + i / rate
        delay = due - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        request = workload.next()
        if inflight >= max_inflight:
            dropped += 1
            request["status"] = -1  # never sent
            continue
        tasks.append(asyncio.create_task(one(request, due)))
    sent_for = time.monotonic() - start
    done, pending = await asyncio.wait(tasks, timeout=TIMEOUT + DRAIN) if tasks else (set(), set())
    for task in pending:
        task.cancel()
    await asyncio.gather(*pending, return_exceptions=True)
    elapsed = time.monotonic() - start
    latencies = sorted(latency for _, status, latency in results if status)
    ok = sum(1 for _, status, _ in results if 200 <= status < 300)
    errors = len(results) - ok + len(pending)

    def pct(q):
        return round(latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000, 1) if latencies else None

    by_kind = {}
    for kind in ("list", "filtered", "search", "detail", "acknowledge", "contact", "draft"):
        lat = sorted(latency for k, status, latency in results if k == kind and 200 <= status < 300)
        by_kind[kind] = round(lat[int(0.95 * (len(lat) - 1))] * 1000, 1) if lat else None
    statuses = {}
    for _, status, _ in results:
        statuses[status] = statuses.get(status, 0) + 1
    return {"offered": rate, "seconds": seconds, "sent": len(tasks), "dropped": dropped, "ok": ok, "errors": errors,
            # 2xx answers per second, from the first request sent to the last answer received.
            "achieved": round(ok / max(elapsed, 1e-9), 1), "elapsed": round(elapsed, 1), "sent_for": round(sent_for, 1),
            "p50": round(statistics.median(latencies) * 1000, 1) if latencies else None, "p95": pct(0.95),
            "p99": pct(0.99), "p95_by_kind": by_kind, "statuses": {str(k): v for k, v in sorted(statuses.items())}}


def table(steps: list[dict]) -> str:
    lines = ["| offered req/s | sent | achieved (2xx/s) | p50 ms | p95 ms | p99 ms | errors | dropped | statuses |",
             "|---:|---:|---:|---:|---:|---:|---:|---:|---|"]
    for s in steps:
        lines.append(f"| {s['offered']:g} | {s['sent']} | {s['achieved']} | {s['p50']} | {s['p95']} | {s['p99']} | "
                     f"{s['errors']} | {s['dropped']} | {s['statuses']} |")
    return "\n".join(lines)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/bench_api")
    parser.add_argument("--rates", default="50,100,200,300")
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--workers", type=int, default=2 * os.cpu_count() + 1)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--max-inflight", type=int, default=400)
    parser.add_argument("--public-cache", type=int, default=None,
                        help="seconds the public's API answers are kept (default: the settings' 30; 0: off)")
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args(argv)
    if not args.database_url.startswith("postgres"):
        raise SystemExit("the load test runs on PostgreSQL (the production database): --database-url postgres://…")
    OUT.mkdir(exist_ok=True)
    rates = [float(r) for r in args.rates.split(",") if r.strip()]

    bench.prepare_database(args.database_url, reuse=True)
    bench.setup_django(args.database_url)
    started = time.perf_counter()
    info = bench.fill(args.n)
    from django.core.management import call_command
    call_command("createcachetable")  # the throttles' and sessions' cache, as `make serve` makes it
    actors = load_actors.prepare(info, to_acknowledge=int(sum(rates) * args.seconds * 0.04) + 200)
    print(f"data: {args.n:,} proposals ready in {time.perf_counter() - started:.0f} s; load actors: "
          f"{len(actors['liaisons'])} liaisons, {len(actors['members'])} members, staff, anonymous")
    before = load_actors.counts()
    load_before = uptime()
    print(f"uptime before: {load_before}")

    from django.db import connections
    connections.close_all()  # the server's workers are the database's clients now
    server = Server(args.database_url, args.workers, args.threads, args.public_cache)
    workload = Workload(actors, args.seed)
    steps = []
    try:
        server.wait()
        cache = "settings' default" if args.public_cache is None else f"{args.public_cache} s"
        print(f"gunicorn: {args.workers} workers × {args.threads} threads on 127.0.0.1:{server.port}; "
              f"public answers kept: {cache}", flush=True)
        # A short warm-up (every worker's first requests load code and open its connection); its
        # writes are checked with the others, its figures are not shown.
        asyncio.run(run_step(server.port, workload, 10, 3, args.max_inflight))
        for rate in rates:
            step = asyncio.run(run_step(server.port, workload, rate, args.seconds, args.max_inflight))
            steps.append(step)
            print(f"  {rate:g} req/s offered: {step['achieved']} achieved, p50 {step['p50']} ms, p95 {step['p95']} ms, "
                  f"p99 {step['p99']} ms, errors {step['errors']}, dropped {step['dropped']}", flush=True)
    finally:
        server.stop()
    load_after = uptime()
    check = load_actors.check(workload.writes, before)
    load_actors.clean_up()
    print()
    print(table(steps))
    print()
    print(f"consistency: {check['summary']}")
    print(f"uptime after: {load_after}")
    result = {"n": args.n, "workers": args.workers, "threads": args.threads, "public_cache": args.public_cache,
              "steps": steps, "consistency": check,
              "uptime_before": load_before, "uptime_after": load_after}
    (OUT / "load.json").write_text(json.dumps(result, ensure_ascii=False, indent=2))
    if not check["ok"]:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
