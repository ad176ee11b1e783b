"""Benchmark of the REST API (issue 4) against raw SQL + JSON encoding of the same document.

Fills a database of its own with N synthetic proposals (benchmarks/api_data.py; default
100,000) and measures p50/p95 of, in-process through the whole Django stack (middleware, token
authentication, DRF, the FilterSet, the selectors, the serializers, JSON rendering):

- list: the default proposal list (GET /api/proposals/, 20 per page, with its count);
- filtered: status + agency name (?status=assigned&agency=<full name>);
- search: q for a 2-character word (?q=双减);
- detail: one proposal (a random closed one: two or three assignments, replies, ratings);
- stats: /api/stats/ (per committee, every proposal), the staff's whole report: read from the
  kept figures (replies.kept_figures);
- stats (counted live): the same report counted from the records, as every filtered report and
  every caller but the staff are (the kept figures' mark set aside while it is measured).

The raw side of each is the least a hand-written program needs to produce the *same* JSON
document for the same (staff) user — the benchmark checks, before timing, that the two parse
to equal documents and stops if they do not:

- list / filtered / search: one COUNT(*) (as the API counts: up to API_EXACT_COUNT_LIMIT rows,
  past it the planner's estimate on PostgreSQL), one page query (20 rows joined to their session and
  committee, in the API's order), one query for the page's lead proposers and one for their
  lead agencies; the filters written into the WHERE clause (the agency name resolved by a
  subquery over names and aliases, the bigram index on PostgreSQL for q); then the rows
  turned into dicts (choice labels from a table, the session label's Chinese numerals,
  overdue days, the next-page link) and json.dumps.
- detail: the proposal joined to its session, committee and (if merged) the proposal it was
  merged into, with EXISTS flags for proposals merged into it and supervision entries; its
  proposers in signing order; its assignments with their agencies; the replies to them; the
  merged proposals and supervision entries only when flagged (as the API). Each stored deadline
  gets its explanation text written from the stored data (Deadline.explain), as the API does.
- stats: the SQL statements the API ran (authentication aside), replayed, rows JSON-encoded:
  the endpoint is its SQL.

API and raw requests alternate, so that both see the same machine. Usage:
    .venv/bin/python benchmarks/api.py [--n 100000] [--database-url URL ...] [--repeat 40] [--reuse]

Without --database-url it uses a fresh SQLite file in the temporary directory. A PostgreSQL URL
names a database that is dropped and created anew (e.g. postgres://postgres@127.0.0.1:5432/bench_api);
--reuse keeps a database that already holds N proposals of the current data version (it is
migrated first). Several --database-url run one after the other (one child process each) and
share one table. Results also go to benchmarks/out/api.json.
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
           "stats": "p95 ≤ 300 ms (goal ≤ 50 ms)", "stats (counted live)": "— (before the kept figures)"}
WORD = "双减"
HOST = "127.0.0.1"


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


def count_figures(info: dict, info_file: Path) -> dict:
    """The data is written as rows, not steps: the report's kept figures are counted once, as
    ``manage.py rebuild_figures`` does after a load by hand (replies.kept_figures)."""
    from replies import kept_figures

    if not kept_figures.is_built() or "figures_seconds" not in info:
        started = time.perf_counter()
        kept_figures.rebuild()
        info["figures_seconds"] = round(time.perf_counter() - started, 1)
        info_file.write_text(json.dumps(info))
    return info


def fill(n: int) -> dict:
    """Migrate and write the data (kept between runs with --reuse while DATA_VERSION holds)."""
    import importlib

    from django.core.management import call_command
    from django.db import connection

    from benchmarks.api_data import DATA_VERSION
    from benchmarks.api_data import fill as fill_data
    from proposals.models import Proposal

    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)  # the throttles' and the public cache's table
    # What --reuse needs (the token of the benchmark user, an agency): beside the data, not in the repository.
    info_file = Path(tempfile.gettempdir()) / f"bench-api-{connection.vendor}-{n}.json"
    info = json.loads(info_file.read_text()) if info_file.exists() else {}
    count = Proposal.objects.count()
    if count == n and info.get("data_version") == DATA_VERSION:
        return count_figures(info, info_file)
    if count:  # data of an older version: empty every table, and seed the holiday calendar again
        call_command("flush", interactive=False, verbosity=0)
        importlib.import_module("proposals.migrations.0003_seed_calendar").seed(
            importlib.import_module("django.apps").apps, None)
    started = time.perf_counter()
    postgres = connection.vendor == "postgresql"
    search_index = importlib.import_module("proposals.migrations.0008_search_bigrams_column").COLUMN_INDEX
    if postgres:  # build the GIN index once, after the rows, as a restore would
        with connection.cursor() as cursor:
            cursor.execute("DROP INDEX IF EXISTS proposal_search_bigrams_col_gin")
    info = fill_data(n)
    with connection.cursor() as cursor:
        if postgres:
            cursor.execute(search_index)
        cursor.execute("VACUUM ANALYZE" if postgres else "ANALYZE")  # as autovacuum would, after a load
    info["fill_seconds"] = round(time.perf_counter() - started, 1)
    info = count_figures(info, info_file)
    info["data_version"] = DATA_VERSION
    info_file.write_text(json.dumps(info))
    return info


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered) * 1000, ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))] * 1000


def timed_pair(api_call, raw_call, repeat: int, warmup: int = 3) -> tuple[tuple, tuple]:
    """p50/p95 of each, the two called alternately with the same argument (the request number)."""
    for i in range(warmup):
        api_call(i)
        raw_call(i)
    api_samples, raw_samples = [], []
    for i in range(repeat):
        started = time.perf_counter()
        api_call(i)
        api_samples.append(time.perf_counter() - started)
        started = time.perf_counter()
        raw_call(i)
        raw_samples.append(time.perf_counter() - started)
    return percentiles(api_samples), percentiles(raw_samples)


def compare(name: str, api_body: bytes, raw_body: bytes) -> None:
    """Stop unless the API and the raw side wrote the same document."""
    api_doc, raw_doc = json.loads(api_body), json.loads(raw_body)
    if api_doc != raw_doc:
        OUT.mkdir(exist_ok=True)
        for side, doc in (("api", api_doc), ("raw", raw_doc)):
            (OUT / f"mismatch-{name}-{side}.json").write_text(json.dumps(doc, ensure_ascii=False, indent=1))
        raise SystemExit(f"{name}: the raw side does not write the API's document (see benchmarks/out/mismatch-*)")


def database_bytes() -> int:
    """The database's size on disk: PostgreSQL's pg_database_size, the SQLite file's."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_database_size(current_database())")
            return cursor.fetchone()[0]
    return Path(connection.settings_dict["NAME"]).stat().st_size


def measure_live_stats(api, raw, statements_of, repeat: int) -> dict:
    """The same report counted from the records, as before the kept figures (and as every filtered
    report and every caller but the staff still are): the kept counts' mark set aside meanwhile,
    nothing written, the mark put back."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from replies import kept_figures
    from replies.models import FigureFact

    kept_figures.mark_unbuilt()
    try:
        live_sql = statements_of(api("/api/stats/"))
        with CaptureQueriesContext(connection) as queries:
            api("/api/stats/")()
        query_count = len(queries.captured_queries)  # read now: the next request empties the log
        (api_p50, api_p95), (raw_p50, raw_p95) = timed_pair(api("/api/stats/"), raw.replay(live_sql), repeat)
    finally:
        FigureFact.objects.create(session_id=0, agency_id=0, key=kept_figures.BUILT_KEY, n=1)
    return {"api_p50": api_p50, "api_p95": api_p95, "raw_p50": raw_p50, "raw_p95": raw_p95,
            "ratio_p50": api_p50 / raw_p50 if raw_p50 else None, "api_queries": query_count}


def measure(n: int, repeat: int) -> dict:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from benchmarks.api_raw import Raw
    from proposals.models import Proposal

    info = fill(n)
    client = Client(HTTP_AUTHORIZATION=f"Token {info['token']}", HTTP_HOST=HOST)
    raw = Raw()

    def api(path, params=None):
        def call(_i=None):
            response = client.get(path, params or {})
            assert response.status_code == 200, (path, response.status_code, response.content[:300])
            return response.content
        return call

    postgres = connection.vendor == "postgresql"
    search_where = ("p.search_bigrams @> %s::text[]", [[WORD]]) if postgres else (
        "p.search_text LIKE %s", [f"%{WORD}%"])
    filtered_where = ("p.status IN (%s) AND EXISTS (SELECT 1 FROM proposals_assignment a WHERE a.proposal_id = p.id "
                      "AND a.status <> 'reassigned' AND a.agency_id IN (SELECT g.id FROM proposals_agency g WHERE "
                      "g.name = %s UNION SELECT al.agency_id FROM proposals_agencyalias al WHERE al.name = %s))",
                      ["assigned", info["agency"], info["agency"]])
    filtered_query = {"status": "assigned", "agency": info["agency"]}
    ids = list(Proposal.objects.filter(status="closed").order_by("?").values_list("pk", flat=True)[:repeat + 3])
    with_merged = Proposal.objects.filter(status="closed", merged_proposals__isnull=False).values_list(
        "pk", flat=True).first()

    def statements_of(call) -> list:
        """The figures' own statements of one request (authentication and the throttles' cache,
        tracker_cache, aside), for the raw side to replay."""
        with CaptureQueriesContext(connection) as queries:
            call()
        return [(q["sql"], None) for q in queries.captured_queries
                if q["sql"].lstrip().upper().startswith(("SELECT", "WITH"))
                and not any(table in q["sql"] for table in ("authtoken", "auth_user", "tracker_cache"))]

    stats_sql = statements_of(api("/api/stats/"))
    cases = {
        "list": (api("/api/proposals/"), lambda i: raw.list("1 = 1", [], {})),
        "filtered": (api("/api/proposals/", filtered_query), lambda i: raw.list(*filtered_where, filtered_query)),
        "search": (api("/api/proposals/", {"q": WORD}), lambda i: raw.list(*search_where, {"q": WORD})),
        "detail": (lambda i: api(f"/api/proposals/{ids[i % len(ids)]}/")(), lambda i: raw.detail(ids[i % len(ids)])),
        "stats": (api("/api/stats/"), raw.replay(stats_sql)),
    }
    for name in ("list", "filtered", "search"):
        compare(name, cases[name][0](0), cases[name][1](0))
    for pk in ids[:5] + ([with_merged] if with_merged else []):
        compare("detail", api(f"/api/proposals/{pk}/")(), raw.detail(pk))
    found = json.loads(api("/api/proposals/", {"q": WORD})())["count"]
    rows = {}
    for name, (api_call, raw_call) in cases.items():
        with CaptureQueriesContext(connection) as queries:
            api_call(0)
        query_count = len(queries.captured_queries)  # read now: the next request empties the log
        (api_p50, api_p95), (raw_p50, raw_p95) = timed_pair(api_call, raw_call, repeat)
        rows[name] = {"api_p50": api_p50, "api_p95": api_p95, "raw_p50": raw_p50, "raw_p95": raw_p95,
                      "ratio_p50": api_p50 / raw_p50 if raw_p50 else None, "api_queries": query_count}
    rows["stats (counted live)"] = measure_live_stats(api, raw, statements_of, repeat)
    return {"vendor": connection.vendor, "n": n, "fill_seconds": info.get("fill_seconds"),
            "database_bytes": database_bytes(),
            "figures_seconds": info.get("figures_seconds"), "counts": info["counts"],
            "search_matches": found, "rows": rows}


def table(results: list[dict]) -> str:
    lines = ["| database | N | endpoint | queries | API p50 ms | API p95 ms | raw p50 ms | raw p95 ms | API/raw (p50) | target |",
             "|---|---:|---|---:|---:|---:|---:|---:|---:|---|"]
    for result in results:
        for name, row in result["rows"].items():
            lines.append(f"| {result['vendor']} | {result['n']:,} | {name} | {row['api_queries']} | "
                         f"{row['api_p50']:.1f} | {row['api_p95']:.1f} | {row['raw_p50']:.1f} | {row['raw_p95']:.1f} | "
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
        print(f"   filled in {result['fill_seconds']} s, kept figures counted in {result['figures_seconds']} s, "
              f"database {result['database_bytes'] / 2**30:.2f} GiB: "
              f"{result['counts']}; '{WORD}' matches "
              f"{result['search_matches']:,}", file=sys.stderr)
        results.append(result)
    OUT.mkdir(exist_ok=True)
    (OUT / "api.json").write_text(json.dumps(results, ensure_ascii=False, indent=1))
    print(table(results))


if __name__ == "__main__":
    main()
