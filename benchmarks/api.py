"""Benchmark of the REST API (issue 4) against raw SQL + JSON encoding of the same rows.

Fills a database of its own with N synthetic proposals (benchmarks/api_data.py; default
100,000) and measures p50/p95 of, in-process through the whole Django stack with token
authentication:

- list: the default proposal list (GET /api/proposals/, 20 per page, with its count);
- filtered: status + agency (?status=assigned&agency=<name>);
- search: q for a 2-character word (?q=双减);
- detail: one proposal with its assignments, deadline explanations and replies;
- stats: /api/stats/ (per committee, every proposal).

and, for each, the equivalent raw SQL (the same count, page and related rows, hand-written;
for stats, the SQL statements the API ran, replayed) followed by json.dumps of the rows, so the
table shows the API's overhead as a ratio.

Usage:
    .venv/bin/python benchmarks/api.py [--n 100000] [--database-url URL ...] [--repeat 40] [--reuse]

Without --database-url it uses a fresh SQLite file in the temporary directory. A PostgreSQL URL
names a database that is dropped and created anew (e.g. postgres://postgres@127.0.0.1:5432/bench_api);
--reuse keeps a database that already holds N proposals. Several --database-url run one after the
other (one child process each) and share one table. Results also go to benchmarks/out/api.json.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlparse

BASE = Path(__file__).resolve().parent.parent
OUT = BASE / "benchmarks" / "out"
TARGETS = {"list": "p50 ≤ 3× raw", "filtered": "p50 ≤ 3× raw", "search": "p95 < 200 ms", "detail": "p50 ≤ 3× raw",
           "stats": "p50 < 300 ms"}
WORD = "双减"


def prepare_database(url: str, reuse: bool) -> None:
    """Drop and create the benchmark's own database (PostgreSQL) or file (SQLite)."""
    parsed = urlparse(url)
    if parsed.scheme.startswith("postgres"):
        import psycopg

        name = parsed.path.lstrip("/")
        admin = parsed._replace(path="/postgres").geturl()
        with psycopg.connect(admin, autocommit=True) as conn:
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
            if exists and reuse:
                return
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
    elif not reuse:
        path = Path(parsed.path)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)


def setup_django(url: str) -> None:
    os.environ.update({
        "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "config.settings", "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "benchmark-only-secret-key-not-for-deployment", "DJANGO_SECURE_SSL_REDIRECT": "False",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
    })
    sys.path.insert(0, str(BASE))
    import django

    django.setup()


def fill(n: int) -> dict:
    """Migrate and write the data (kept between runs with --reuse)."""
    import importlib

    from django.core.management import call_command
    from django.db import connection

    from benchmarks.api_data import fill as fill_data
    from proposals.models import Proposal

    call_command("migrate", verbosity=0)
    # What --reuse needs (the token of the benchmark user, an agency): beside the data, not in the repository.
    info_file = Path(tempfile.gettempdir()) / f"bench-api-{connection.vendor}-{n}.json"
    if Proposal.objects.count() == n and info_file.exists():
        return json.loads(info_file.read_text())
    started = time.perf_counter()
    postgres = connection.vendor == "postgresql"
    if postgres:  # build the GIN index once, after the rows, as a restore would
        with connection.cursor() as cursor:
            cursor.execute("DROP INDEX IF EXISTS proposal_search_bigrams_gin")
    info = fill_data(n)
    with connection.cursor() as cursor:
        if postgres:
            cursor.execute(importlib.import_module("proposals.migrations.0004_search_text").BIGRAMS_INDEX)
        cursor.execute("VACUUM ANALYZE" if postgres else "ANALYZE")  # as autovacuum would, after a load
    info["fill_seconds"] = round(time.perf_counter() - started, 1)
    info_file.write_text(json.dumps(info))
    return info


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered) * 1000, ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))] * 1000


def timed(fn, repeat: int, warmup: int = 3) -> tuple[float, float]:
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - started)
    return percentiles(samples)


# --- the raw side: hand-written SQL for what each endpoint shows, then json.dumps -------------

PAGE_SQL = """
SELECT p.id, p.number, p.title, p.topic, p.status, p.is_key, p.submitted_on, p.next_due_on, p.updated_at,
       s.id, s.term, s.number, s.year, c.id, c.name
FROM proposals_proposal p
JOIN proposals_session s ON s.id = p.session_id
JOIN proposals_committee c ON c.id = s.committee_id
WHERE {where}
ORDER BY p.session_id DESC, p.number_sort, p.id
LIMIT 20
"""
LEADS_SQL = """
SELECT pp.proposal_id, pr.id, pr.name, pr.kind FROM proposals_proposalproposer pp
JOIN proposals_proposer pr ON pr.id = pp.proposer_id WHERE pp.position = 0 AND pp.proposal_id IN ({ids})
"""
AGENCIES_SQL = """
SELECT a.proposal_id, g.id, g.name FROM proposals_assignment a JOIN proposals_agency g ON g.id = a.agency_id
WHERE a.role = 'lead' AND a.status NOT IN ('reassigned', 'cancelled') AND a.proposal_id IN ({ids})
"""


def _dumps(data) -> bytes:
    return json.dumps(data, ensure_ascii=False, default=str).encode()


def raw_list(where: str, params: list) -> bytes:
    """COUNT, the page with its session and committee, the lead proposers and lead agencies."""
    import datetime

    from django.db import connection

    from proposals.models import Proposal

    labels = dict(Proposal.Status.choices)
    today = datetime.date.today()
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM proposals_proposal p WHERE {where}", params)
        count = cursor.fetchone()[0]
        cursor.execute(PAGE_SQL.format(where=where), params)
        rows = cursor.fetchall()
        ids = ",".join(str(r[0]) for r in rows) or "0"
        cursor.execute(LEADS_SQL.format(ids=ids))
        leads = {r[0]: {"id": r[1], "name": r[2], "kind": r[3]} for r in cursor.fetchall()}
        cursor.execute(AGENCIES_SQL.format(ids=ids))
        agencies = {r[0]: {"id": r[1], "name": r[2]} for r in cursor.fetchall()}
    results = []
    for r in rows:
        due = r[7] if not isinstance(r[7], str) else datetime.date.fromisoformat(r[7])
        results.append({
            "id": r[0], "session": {"id": r[9], "key": f"{r[14]}/{r[10]}/{r[11]}", "committee": {"id": r[13],
                                                                                             "name": r[14]},
                                    "term": r[10], "number": r[11], "year": r[12]},
            "number": r[1], "title": r[2], "topic": r[3], "status": r[4], "status_label": str(labels[r[4]]),
            "is_key": bool(r[5]), "lead_proposer": leads.get(r[0]), "lead_agency": agencies.get(r[0]),
            "submitted_on": r[6], "next_due_on": r[7],
            "overdue_days": (today - due).days if r[4] == "assigned" and due and due < today else 0,
            "updated_at": r[8]})
    return _dumps({"count": count, "next": None, "previous": None, "results": results})


def raw_detail(pk: int) -> bytes:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT p.id, p.number, p.title, p.body, p.status, p.submitted_on, p.next_due_on, "
                       "s.id, s.term, s.number, c.name FROM proposals_proposal p JOIN proposals_session s ON "
                       "s.id = p.session_id JOIN proposals_committee c ON c.id = s.committee_id WHERE p.id = %s", [pk])
        p = cursor.fetchone()
        cursor.execute("SELECT pp.position, pr.id, pr.name FROM proposals_proposalproposer pp JOIN proposals_proposer"
                       " pr ON pr.id = pp.proposer_id WHERE pp.proposal_id = %s ORDER BY pp.position", [pk])
        signers = [{"position": r[0], "proposer": {"id": r[1], "name": r[2]}} for r in cursor.fetchall()]
        cursor.execute("SELECT a.id, a.role, a.status, a.assigned_on, a.due_on, a.due_explanation, g.id, g.name "
                       "FROM proposals_assignment a JOIN proposals_agency g ON g.id = a.agency_id "
                       "WHERE a.proposal_id = %s ORDER BY a.role, a.id", [pk])
        assignments = [{"id": r[0], "role": r[1], "status": r[2], "assigned_on": r[3], "due_on": r[4],
                        "due_explanation": json.loads(r[5]) if isinstance(r[5], str) else r[5],
                        "agency": {"id": r[6], "name": r[7]}} for r in cursor.fetchall()]
        cursor.execute("SELECT r.id, r.kind, r.status, r.title, r.classification, r.disclosure FROM replies_reply r "
                       "JOIN proposals_assignment a ON a.id = r.assignment_id WHERE a.proposal_id = %s", [pk])
        replies = [dict(zip(("id", "kind", "status", "title", "classification", "disclosure"), r))
                   for r in cursor.fetchall()]
    return _dumps({"id": p[0], "number": p[1], "title": p[2], "body": p[3], "status": p[4], "submitted_on": p[5],
                   "next_due_on": p[6], "session": {"id": p[7], "key": f"{p[10]}/{p[8]}/{p[9]}"},
                   "proposers": signers, "assignments": assignments, "replies": replies})


def replay(statements: list[str]):
    """The SQL an API request ran (authentication aside), executed raw, rows JSON-encoded."""
    from django.db import connection

    def run():
        out = []
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)
                out.append(cursor.fetchall())
        return _dumps(out)

    return run


def measure(n: int, repeat: int) -> dict:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    info = fill(n)
    client = Client(HTTP_AUTHORIZATION=f"Token {info['token']}", HTTP_HOST="127.0.0.1")

    def api(path, params=None):
        def call():
            response = client.get(path, params or {})
            assert response.status_code == 200, (path, response.status_code, response.content[:300])
            return response.content
        return call

    postgres = connection.vendor == "postgresql"
    search_where = ("tracker_bigrams(p.search_text) @> %s::text[]", [[WORD]]) if postgres else (
        "p.search_text LIKE %s", [f"%{WORD}%"])
    filtered_where = ("p.status = %s AND EXISTS (SELECT 1 FROM proposals_assignment a WHERE a.proposal_id = p.id "
                      "AND a.agency_id = %s AND a.status <> 'reassigned')", ["assigned", info["agency_id"]])
    from proposals.models import Proposal

    ids = list(Proposal.objects.filter(status="closed").order_by("?").values_list("pk", flat=True)[:repeat + 3])
    detail_ids, raw_ids = iter(ids * 3), iter(ids * 3)
    with CaptureQueriesContext(connection) as stats_queries:
        api("/api/stats/")()
    stats_sql = [q["sql"] for q in stats_queries.captured_queries if "authtoken" not in q["sql"]
                 and "auth_user" not in q["sql"]]
    cases = {
        "list": (api("/api/proposals/"), lambda: raw_list("1 = 1", [])),
        "filtered": (api("/api/proposals/", {"status": "assigned", "agency": info["agency"]}),
                     lambda: raw_list(*filtered_where)),
        "search": (api("/api/proposals/", {"q": WORD}), lambda: raw_list(*search_where)),
        "detail": (lambda: api(f"/api/proposals/{next(detail_ids)}/")(), lambda: raw_detail(next(raw_ids))),
        "stats": (api("/api/stats/"), replay(stats_sql)),
    }
    found = json.loads(api("/api/proposals/", {"q": WORD})())["count"]
    rows = {}
    for name, (api_call, raw_call) in cases.items():
        api_p50, api_p95 = timed(api_call, repeat)
        raw_p50, raw_p95 = timed(raw_call, repeat)
        rows[name] = {"api_p50": api_p50, "api_p95": api_p95, "raw_p50": raw_p50, "raw_p95": raw_p95,
                      "ratio_p50": api_p50 / raw_p50 if raw_p50 else None}
    return {"vendor": connection.vendor, "n": n, "fill_seconds": info.get("fill_seconds"), "counts": info["counts"],
            "search_matches": found, "rows": rows}


def table(results: list[dict]) -> str:
    lines = ["| database | N | endpoint | API p50 ms | API p95 ms | raw p50 ms | raw p95 ms | API/raw (p50) | target |",
             "|---|---:|---|---:|---:|---:|---:|---:|---|"]
    for result in results:
        for name, row in result["rows"].items():
            lines.append(f"| {result['vendor']} | {result['n']:,} | {name} | {row['api_p50']:.1f} | "
                         f"{row['api_p95']:.1f} | {row['raw_p50']:.1f} | {row['raw_p95']:.1f} | "
                         f"{row['ratio_p50']:.2f}× | {TARGETS[name]} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--database-url", action="append", dest="urls")
    parser.add_argument("--repeat", type=int, default=40)
    parser.add_argument("--reuse", action="store_true", help="keep a database that already holds N proposals")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    urls = args.urls or [f"sqlite:///{Path(tempfile.gettempdir()) / 'bench_api.sqlite3'}"]
    if args.child:
        prepare_database(urls[0], args.reuse)
        setup_django(urls[0])
        print("RESULT " + json.dumps(measure(args.n, args.repeat)))
        return
    results = []
    for url in urls:
        command = [sys.executable, __file__, "--child", "--n", str(args.n), "--repeat", str(args.repeat),
                   "--database-url", url] + (["--reuse"] if args.reuse else [])
        print(f"== {urlparse(url).scheme}: {args.n:,} proposals", file=sys.stderr, flush=True)
        done = subprocess.run(command, capture_output=True, text=True)
        if done.returncode:
            sys.stderr.write(done.stdout + done.stderr)
            raise SystemExit(done.returncode)
        result = json.loads(done.stdout.rsplit("RESULT ", 1)[1])
        print(f"   filled in {result['fill_seconds']} s: {result['counts']}; '{WORD}' matches "
              f"{result['search_matches']:,}", file=sys.stderr)
        results.append(result)
    OUT.mkdir(exist_ok=True)
    (OUT / "api.json").write_text(json.dumps(results, ensure_ascii=False, indent=1))
    print(table(results))


if __name__ == "__main__":
    main()
