"""Benchmark of the public portal (issue 12): each page beside its own database work.

Fills a database of its own with N synthetic proposals (benchmarks/api_data.py's generator, the
same data as benchmarks/api.py; default 100,000) and measures p50/p95, in-process through the whole
Django stack (middleware, CSRF token, locale, the view, portal.queries and the selectors, the
FilterSets, replies.stats, the templates, the SVG charts) for an anonymous visitor, of:

- home: / (latest replies, the current session's headline figures, the browse lists);
- search: /search/?q=双减 (the bigram index of proposals.search, a page of 20 with highlighting);
- reply: /replies/<id>/ (a different published reply each time);
- agency: /agencies/<id>/ (the scorecard per session with its charts, the agency's replies);
- session: /sessions/<id>/ (the session report per agency, the committee's history, charts).

Each page is measured twice: warm, as visitors get it (the figures, browse lists and latest ids
in the cache for PORTAL_CACHE_SECONDS: portal.queries), and cold, with the cache off, which is what
the first visitor after the cache expires pays. The raw side of each is that page's SQL alone: the
statements it ran (captured once per page, per reply id for the reply page; the cache's own
lookups included when warm, as the cache is the database table by default), replayed on the same
connection and fetched, so that the ratio says how much the page adds to its database work.
Queries per page are counted too (the tests check that they do not grow with the data:
tests/portal/test_views.py).

Page and raw requests alternate, so that both see the same machine. Usage:
    .venv/bin/python benchmarks/portal.py [--n 100000] [--database-url URL] [--repeat 40] [--reuse]

Default database: postgres://postgres@127.0.0.1:5432/bench_portal (dropped and created anew unless
--reuse finds N proposals of the current data version there). Results also go to
benchmarks/out/portal.json.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote, urlparse

BASE = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE))

from benchmarks.api import prepare_database, timed_pair  # noqa: E402

OUT = BASE / "benchmarks" / "out"
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/bench_portal"
WORD = "双减"
TARGET_MS = 200
HOST = "127.0.0.1"


def setup_django(url: str) -> None:
    os.environ.update({
        "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "config.settings", "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "benchmark-only-secret-key-not-for-deployment", "DJANGO_SECURE_SSL_REDIRECT": "False",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        # No collectstatic here: plain static URLs (the manifest's lookup costs microseconds).
        "DJANGO_STATIC_MANIFEST": "0",
    })
    import django

    django.setup()


def fill(n: int) -> dict:
    """Migrate and write the data, as benchmarks/api.py does (the GIN index built after the rows),
    keeping what --reuse needs beside the data (its own file: the API benchmark keeps another)."""
    import importlib

    from django.core.management import call_command
    from django.db import connection

    from benchmarks.api_data import DATA_VERSION
    from benchmarks.api_data import fill as fill_data
    from proposals.models import Proposal

    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    info_file = Path(tempfile.gettempdir()) / f"bench-portal-{connection.vendor}-{n}.json"
    info = json.loads(info_file.read_text()) if info_file.exists() else {}
    count = Proposal.objects.count()
    if count == n and info.get("data_version") == DATA_VERSION:
        return info
    if count:
        call_command("flush", interactive=False, verbosity=0)
        importlib.import_module("proposals.migrations.0003_seed_calendar").seed(
            importlib.import_module("django.apps").apps, None)
    started = time.perf_counter()
    postgres = connection.vendor == "postgresql"
    search_index = importlib.import_module("proposals.migrations.0008_search_bigrams_column").COLUMN_INDEX
    if postgres:
        with connection.cursor() as cursor:
            cursor.execute("DROP INDEX IF EXISTS proposal_search_bigrams_col_gin")
    info = fill_data(n)
    with connection.cursor() as cursor:
        if postgres:
            cursor.execute(search_index)
        cursor.execute("VACUUM ANALYZE" if postgres else "ANALYZE")
    info["fill_seconds"] = round(time.perf_counter() - started, 1)
    info["data_version"] = DATA_VERSION
    info_file.write_text(json.dumps(info))
    return info


def measure(n: int, repeat: int) -> dict:
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from portal import queries
    from proposals.models import Agency, Session
    from replies.models import Reply

    info = fill(n)
    client = Client(HTTP_HOST=HOST)

    def get(path: str) -> bytes:
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code, response.content[:300])
        return response.content

    def captured(path: str) -> list[str]:
        with CaptureQueriesContext(connection) as ctx:
            get(path)
        return [q["sql"] for q in ctx.captured_queries]

    def replay(statements: list[str]) -> None:
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)
                cursor.fetchall()

    reply_ids = list(queries.public_replies().order_by("?").values_list("pk", flat=True)[:repeat + 3])
    agency = Agency.objects.filter(name=info.get("agency")).first() or Agency.objects.order_by("pk").first()
    session = queries.current_session()
    older = Session.objects.filter(committee=session.committee).exclude(pk=session.pk).order_by("-year").first()
    pages = {
        "home": "/",
        "search": f"/search/?q={quote(WORD)}",
        "reply": [f"/replies/{pk}/" for pk in reply_ids],
        "agency": f"/agencies/{agency.pk}/",
        "session": f"/sessions/{(older or session).pk}/",
    }
    search_count = queries.search(_query({"q": WORD})).proposals.count()
    rows = {}
    for name, paths in pages.items():
        paths = paths if isinstance(paths, list) else [paths]
        row = {"path": paths[0]}
        for mode, seconds in (("warm", 300), ("cold", 0)):
            settings.PORTAL_CACHE_SECONDS = seconds
            sql = [captured(path) for path in paths]  # warms each page (and the cache) too
            sql = [captured(path) for path in paths]
            page_call = (lambda i, paths=paths: get(paths[i % len(paths)]))
            raw_call = (lambda i, sql=sql: replay(sql[i % len(sql)]))
            (p50, p95), (raw50, raw95) = timed_pair(page_call, raw_call, repeat)
            row[mode] = {"queries": len(sql[0]), "p50": p50, "p95": p95, "raw_p50": raw50, "raw_p95": raw95,
                         "ratio_p50": p50 / raw50 if raw50 else None}
        row["bytes"] = len(get(paths[0]))
        rows[name] = row
    return {"vendor": connection.vendor, "n": n, "fill_seconds": info.get("fill_seconds"), "counts": info["counts"],
            "search_matches": search_count, "public_replies": Reply.objects.public().count(), "rows": rows,
            "uptime": _uptime()}


def _query(params: dict):
    from django.http import QueryDict

    data = QueryDict(mutable=True)
    data.update(params)
    return data


def _uptime() -> str:
    try:
        return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    except OSError:
        return ""


def table(results: list[dict]) -> str:
    lines = ["| database | N | page | queries warm/cold | warm p50 ms | warm p95 ms | warm SQL p50 ms | cold p50 ms "
             "| cold p95 ms | cold SQL p50 ms | cold SQL p95 ms | cold page/SQL (p50) | warm p95 < 200 ms |",
             "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"]
    for result in results:
        for name, row in result["rows"].items():
            warm, cold = row["warm"], row["cold"]
            lines.append(f"| {result['vendor']} | {result['n']:,} | {name} | {warm['queries']}/{cold['queries']} | "
                         f"{warm['p50']:.1f} | {warm['p95']:.1f} | {warm['raw_p50']:.1f} | {cold['p50']:.1f} | "
                         f"{cold['p95']:.1f} | {cold['raw_p50']:.1f} | {cold['raw_p95']:.1f} | "
                         f"{cold['ratio_p50']:.2f}× | {'yes' if warm['p95'] < TARGET_MS else 'NO'} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--repeat", type=int, default=40)
    parser.add_argument("--reuse", action="store_true", help="keep a database that already holds N proposals")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        prepare_database(args.database_url, args.reuse)
        setup_django(args.database_url)
        print("RESULT " + json.dumps(measure(args.n, args.repeat)))
        return
    command = [sys.executable, __file__, "--child", "--n", str(args.n), "--repeat", str(args.repeat),
               "--database-url", args.database_url] + (["--reuse"] if args.reuse else [])
    print(f"== {urlparse(args.database_url).scheme}: {args.n:,} proposals", file=sys.stderr, flush=True)
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode:
        sys.stderr.write(done.stdout + done.stderr)
        raise SystemExit(done.returncode)
    result = json.loads(done.stdout.rsplit("RESULT ", 1)[1])
    print(f"   filled in {result['fill_seconds']} s: {result['counts']}; {result['public_replies']:,} public "
          f"replies; '{WORD}' finds {result['search_matches']:,}", file=sys.stderr)
    OUT.mkdir(exist_ok=True)
    (OUT / "portal.json").write_text(json.dumps([result], ensure_ascii=False, indent=1))
    print(table([result]))
    print(f"\nuptime: {result['uptime']}")


if __name__ == "__main__":
    main()
