"""Benchmark of the spreadsheet exports (issue 9) at scale, against raw SQL + csv.writer.

Fills a database of its own with N synthetic proposals (benchmarks/api_data.py; default 50,000,
with their assignments and events, which outnumber them) and measures, in-process through the
whole Django stack (test Client: middleware, token authentication, throttles, DRF, the
FilterSet, the selectors, the serializers, ExportMixin), as the staff user:

- proposals.csv   GET /api/proposals/?format=csv
- proposals.xlsx  GET /api/proposals/?format=xlsx
- assignments.csv GET /api/assignments/?format=csv
- events.csv      GET /api/events/?format=csv

For each: data rows; time to the first chunk of the response (for a CSV, the BOM, written before
any row is read) and to the first data row; total time (the body consumed and thrown away);
bytes; SQL statements; and the memory the export adds, two ways:
- tracemalloc: the peak of Python allocations during the export, minus what was allocated
  before it (a separate run: tracing slows Python down, so it is not used for the timings);
- RSS: the process's high-water mark (VmHWM, reset through /proc/self/clear_refs just before the
  export) minus its resident size just before it, and the same from getrusage's ru_maxrss (which
  cannot be reset: it only grows when the export pushes the process past its earlier peak).
  RSS also sees memory that tracemalloc does not (the database driver's C buffers, SQLite's page
  cache). Each export runs in a fresh process, warmed up by a small export of the same format.

The raw side reads the same rows (same joins, same order) with one hand-written SELECT through
the DB-API cursor (on PostgreSQL a server-side cursor fetching 2,000 rows at a time, as the ORM's
iterator does; on SQLite fetchmany(2000)) and writes them with csv.writer to a null sink: time to
the first row, total time, tracemalloc peak.

Last, the anonymous cap: an anonymous caller asking for more rows than EXPORT_MAX_ROWS allows it
(10,000 by default) gets 400 ``export_too_large`` before any row is read.

Usage:
    .venv/bin/python benchmarks/export.py [--n 50000] [--database-url URL ...] [--repeat 3] [--reuse]

Without --database-url it uses a fresh SQLite file in the temporary directory. A PostgreSQL URL
names a database that is dropped and created anew (e.g. postgres://postgres@127.0.0.1:5432/bench_export);
--reuse keeps a database that already holds N proposals of the current data version. Several
--database-url run one after the other and share one table. Results also go to
benchmarks/out/export.json.
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from urllib.parse import urlparse

BASE = Path(__file__).resolve().parent.parent
if str(BASE) not in sys.path:  # run as a script: benchmarks/ is on the path, the project is not
    sys.path.insert(0, str(BASE))

from benchmarks.api import HOST, OUT, prepare_database, setup_django  # noqa: E402

CHUNK = 2000  # rows per fetch on the raw side, as proposals.api.export.CHUNK on the API's

# name -> (path, format, raw SQL selecting the same rows as the export, in its order)
CASES = {
    "proposals.csv": ("/api/proposals/", "csv", "proposals"),
    "proposals.xlsx": ("/api/proposals/", "xlsx", "proposals"),
    "assignments.csv": ("/api/assignments/", "csv", "assignments"),
    "events.csv": ("/api/events/", "csv", "events"),
}
RAW_SQL = {
    # ProposalListSerializer's columns: the proposal, its session and committee, the lead proposer,
    # the current lead agency; ordered as proposals.api.proposal_views.DEFAULT_ORDERING.
    "proposals": """
        SELECT p.id, c.name, s.term, s.number, s.year, p.number, p.title, p.topic, p.status, p.is_key,
               (SELECT pr.name FROM proposals_proposalproposer pp JOIN proposals_proposer pr ON pr.id = pp.proposer_id
                 WHERE pp.proposal_id = p.id AND pp.position = 0),
               (SELECT g.name FROM proposals_assignment a JOIN proposals_agency g ON g.id = a.agency_id
                 WHERE a.proposal_id = p.id AND a.role = 'lead' AND a.status NOT IN ('reassigned', 'cancelled')
                 ORDER BY a.id LIMIT 1),
               p.submitted_on, p.next_due_on, p.updated_at
        FROM proposals_proposal p JOIN proposals_session s ON s.id = p.session_id
        JOIN proposals_committee c ON c.id = s.committee_id
        WHERE {where}
        ORDER BY p.session_id DESC, p.number_sort, p.id""",
    # AssignmentListSerializer's: the assignment, its proposal (brief), session, committee, agency.
    "assignments": """
        SELECT a.id, p.id, c.name, s.term, s.number, p.number, p.title, p.status, g.id, g.name, a.role, a.status,
               a.assigned_on, a.acknowledged_on, a.objection_due_on, a.due_on, a.replied_on, a.rehandle_count,
               a.updated_at
        FROM proposals_assignment a JOIN proposals_proposal p ON p.id = a.proposal_id
        JOIN proposals_session s ON s.id = p.session_id JOIN proposals_committee c ON c.id = s.committee_id
        JOIN proposals_agency g ON g.id = a.agency_id
        WHERE {where}
        ORDER BY a.proposal_id, a.role, a.id""",
    # EventSerializer's: the event and its actor's name.
    "events": """
        SELECT e.id, e.uid, e.proposal_id, e.assignment_id, e.reply_id, u.username, e.at, e.action,
               e.from_status, e.to_status, e.note, e.data
        FROM proposals_event e LEFT JOIN auth_user u ON u.id = e.actor_id
        WHERE {where}
        ORDER BY e.at DESC, e.id DESC""",
}
# Exports are throttled (60 an hour per user by default): the benchmark makes more than that.
ENVIRONMENT = {"DJANGO_THROTTLE_EXPORT": "100000/hour", "DJANGO_THROTTLE_USER": "100000/minute",
               "DJANGO_THROTTLE_ANON": "100000/minute"}


# --- memory -------------------------------------------------------------------------------

def _status_kib(field: str) -> int:
    return int(re.search(rf"^{field}:\s+(\d+) kB", Path("/proc/self/status").read_text(), re.M).group(1))


def reset_rss_peak() -> bool:
    """Reset VmHWM to the current RSS (Linux ≥ 4.0); False where that is not allowed."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


class RSSWatch:
    """Resident memory an operation adds at its peak: VmHWM (reset first) and ru_maxrss, in MiB."""

    def __enter__(self):
        self.reset = reset_rss_peak()
        self.rss0 = _status_kib("VmRSS")
        self.maxrss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
        return self

    def __exit__(self, *exc):
        self.hwm_mib = (_status_kib("VmHWM") - self.rss0) / 1024 if self.reset else None
        self.maxrss_mib = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - self.maxrss0) / 1024
        self.rss_before_mib = self.rss0 / 1024


class Statements:
    """SQL statements executed, counted through Django's execute wrappers (CaptureQueriesContext
    keeps only the last 9,000, which an export with a statement per row would exceed)."""

    def __enter__(self):
        from django.db import connection

        self.count = 0
        self._wrapper = connection.execute_wrapper(self._execute)
        self._wrapper.__enter__()
        return self

    def _execute(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)

    def __exit__(self, *exc):
        self._wrapper.__exit__(*exc)


class TraceWatch:
    """Peak of Python allocations during an operation, above what was allocated before it, in MiB."""

    def __enter__(self):
        tracemalloc.start()
        self.base = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        return self

    def __exit__(self, *exc):
        self.peak_mib = (tracemalloc.get_traced_memory()[1] - self.base) / 2**20
        tracemalloc.stop()


# --- data ---------------------------------------------------------------------------------

def info_file(url: str, n: int) -> Path:
    """What --reuse needs (the benchmark user's token), beside the data, per database."""
    name = re.sub(r"[^A-Za-z0-9]+", "-", urlparse(url).path).strip("-")
    return Path(tempfile.gettempdir()) / f"bench-export-{urlparse(url).scheme}-{name}-{n}.json"


def fill(url: str, n: int) -> dict:
    """Migrate, create the cache table (the throttles' counts) and write the data, unless the
    database already holds N proposals of the current data version."""
    import importlib

    from django.core.management import call_command
    from django.db import connection

    from benchmarks.api_data import DATA_VERSION
    from benchmarks.api_data import fill as fill_data
    from proposals.models import Proposal

    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    path = info_file(url, n)
    info = json.loads(path.read_text()) if path.exists() else {}
    count = Proposal.objects.count()
    if count == n and info.get("data_version") == DATA_VERSION:
        return info
    if count:
        raise SystemExit(f"{url} holds {count:,} proposals of another run: run without --reuse to refill it")
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
        cursor.execute("VACUUM ANALYZE" if postgres else "ANALYZE")
    info["fill_seconds"] = round(time.perf_counter() - started, 1)
    info["data_version"] = DATA_VERSION
    path.write_text(json.dumps(info))
    return info


def anonymous_cap() -> dict:
    """What an anonymous caller gets for the proposals and assignments it may see (more than its cap)."""
    from django.contrib.auth.models import AnonymousUser
    from django.test import Client

    from proposals.api.export import max_rows
    from proposals.selectors import visible_assignments
    from proposals.visibility import visible_proposals

    client = Client(HTTP_HOST=HOST)
    anonymous = AnonymousUser()
    result = {"cap": max_rows(anonymous)}
    for name, path, visible in (("proposals", "/api/proposals/", visible_proposals(anonymous)),
                                ("assignments", "/api/assignments/", visible_assignments(anonymous))):
        with Statements() as queries:
            started = time.perf_counter()
            response = client.get(path, {"format": "csv"})
            seconds = time.perf_counter() - started
        body = json.loads(response.content) if not response.streaming else None
        result[name] = {"visible_rows": visible.count(), "status": response.status_code,
                        "code": (body or {}).get("code"), "detail": (body or {}).get("detail"),
                        "ms": seconds * 1000, "queries": queries.count}
    return result


# --- measurements -------------------------------------------------------------------------

def expected_rows(kind: str, since=None) -> int:
    from proposals.models import Assignment, Event, Proposal

    if since is not None:  # only proposals are ever narrowed (fitting_filter)
        return Proposal.objects.filter(submitted_on__gte=since).count()
    return {"proposals": Proposal.objects, "assignments": Assignment.objects, "events": Event.objects}[kind].count()


def export_cap(token: str, fmt: str) -> int:
    """The staff user's cap for this format (proposals.api.export.max_rows)."""
    import inspect

    from rest_framework.authtoken.models import Token

    from proposals.api.export import max_rows

    user = Token.objects.get(key=token).user
    return max_rows(user, fmt) if "fmt" in inspect.signature(max_rows).parameters else max_rows(user)


def fitting_filter(cap: int):
    """The earliest 1 January such that the proposals submitted since number at most ``cap``:
    how an export past its synchronous cap is narrowed to one the server still writes at once."""
    import datetime

    from proposals.models import Proposal

    for day in Proposal.objects.exclude(submitted_on=None).dates("submitted_on", "year"):
        since = datetime.date(day.year, 1, 1)
        if Proposal.objects.filter(submitted_on__gte=since).count() <= cap:
            return since
    return None


def api_export(client, path: str, fmt: str, params=None, *, keep: bool = False) -> dict:
    """One export, timed from the request to the last byte; the body is kept only with ``keep``."""
    started = time.perf_counter()
    response = client.get(path, {"format": fmt, **(params or {})})
    returned = time.perf_counter()
    assert response.status_code == 200, (path, fmt, response.status_code, response.content[:300])
    first = first_row = None
    size = chunks = 0
    kept = []
    if response.streaming:
        for chunk in response.streaming_content:
            chunks += 1
            size += len(chunk)
            if first is None:
                first = time.perf_counter()
            if chunks == 3:  # the BOM, the header, then the first data row (one chunk per row)
                first_row = time.perf_counter()
            if keep:
                kept.append(chunk)
        response.close()
    else:
        body = response.content
        first = first_row = returned  # nothing is sent before the whole file is built
        size, chunks = len(body), 1
        if keep:
            kept.append(body)
    ended = time.perf_counter()
    return {"ttfb_ms": (first - started) * 1000, "first_row_ms": ((first_row or ended) - started) * 1000,
            "total_ms": (ended - started) * 1000, "bytes": size, "chunks": chunks, "streaming": response.streaming,
            "body": b"".join(kept) if keep else None}


def count_rows(fmt: str, body: bytes) -> int:
    import io

    if fmt == "csv":
        return sum(1 for _ in csv.reader(io.StringIO(body.decode("utf-8-sig")))) - 1
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(body), read_only=True).active
    return sum(1 for _ in sheet.iter_rows(values_only=True)) - 1


class _Null:
    def write(self, value):
        return len(value)


def raw_export(kind: str, since=None) -> dict:
    """The same rows by hand: one SELECT, streamed through the DB-API cursor into csv.writer."""
    from django.db import connection, transaction

    if since is None:
        sql, params = RAW_SQL[kind].format(where="1 = 1"), []
    else:  # SQLite keeps dates as ISO text
        sql = RAW_SQL[kind].format(where="p.submitted_on >= %s" if connection.vendor == "postgresql" else
                                   "p.submitted_on >= ?")
        params = [since if connection.vendor == "postgresql" else since.isoformat()]

    writer = csv.writer(_Null())
    started = time.perf_counter()
    first = None
    rows = 0
    with transaction.atomic():  # a server-side cursor lives in a transaction
        connection.ensure_connection()
        if connection.vendor == "postgresql":
            cursor = connection.connection.cursor(name="raw_export")
            cursor.itersize = CHUNK
            cursor.execute(sql, params)
            batches = iter(lambda: cursor.fetchmany(CHUNK), [])
        else:
            cursor = connection.connection.cursor()
            cursor.execute(sql, params)
            batches = iter(lambda: cursor.fetchmany(CHUNK), [])
        try:
            for batch in batches:
                for row in batch:
                    writer.writerow(row)
                    rows += 1
                    if first is None:
                        first = time.perf_counter()
        finally:
            cursor.close()
    ended = time.perf_counter()
    return {"rows": rows, "first_row_ms": ((first or ended) - started) * 1000, "total_ms": (ended - started) * 1000}


def measure_case(name: str, token: str, repeat: int) -> dict:
    """One export in a fresh process: warm-up, RSS + timings, tracemalloc, rows and queries, raw.
    An export with more rows than the staff cap for its format is asked once, to record the
    refusal; a proposals export is then measured on the largest set of proposals within the cap
    (those submitted since a 1 January, fitting_filter); another is not measured."""
    from django.test import Client

    path, fmt, kind = CASES[name]
    client = Client(HTTP_AUTHORIZATION=f"Token {token}", HTTP_HOST=HOST)
    result = {"case": name, "refused": None, "params": {}}
    cap, everything = export_cap(token, fmt), expected_rows(kind)
    since = None
    if everything > cap:
        started = time.perf_counter()
        response = client.get(path, {"format": fmt})
        seconds = time.perf_counter() - started
        body = json.loads(response.content) if not response.streaming else {}
        response.close()
        result["refused"] = {"rows": everything, "cap": cap, "status": response.status_code,
                             "code": body.get("code"), "ms": seconds * 1000}
        if response.streaming or kind != "proposals":
            return {**result, "measured": False}
        since = fitting_filter(cap)
        result["params"] = {"submitted_after": since.isoformat()}
    params = result["params"]
    # Warm-up: imports (openpyxl), serializer classes, the connection; a small list of the same format.
    api_export(client, "/api/committees/", fmt)
    api_export(client, "/api/sessions/", fmt)

    with RSSWatch() as rss:
        first_run = api_export(client, path, fmt, params)
    runs = [first_run] + [api_export(client, path, fmt, params) for _ in range(repeat - 1)]
    with TraceWatch() as traced:
        api_export(client, path, fmt, params)
    with Statements() as queries:
        checked = api_export(client, path, fmt, params, keep=True)
    rows = count_rows(fmt, checked["body"])
    expected = expected_rows(kind, since)
    if rows != expected:
        raise SystemExit(f"{name}: {rows:,} rows exported, {expected:,} expected")

    raw_runs = [raw_export(kind, since) for _ in range(repeat)]
    with TraceWatch() as raw_traced:
        raw_export(kind, since)
    if raw_runs[0]["rows"] != expected:
        raise SystemExit(f"{name}: the raw query read {raw_runs[0]['rows']:,} rows, {expected:,} expected")

    def median(key, samples):
        return statistics.median(run[key] for run in samples)

    return {
        **result, "measured": True, "rows": rows, "streaming": first_run["streaming"], "bytes": first_run["bytes"],
        "chunks": first_run["chunks"], "queries": queries.count,
        "ttfb_ms": median("ttfb_ms", runs), "first_row_ms": median("first_row_ms", runs),
        "total_ms": median("total_ms", runs), "total_ms_runs": [round(run["total_ms"]) for run in runs],
        "tracemalloc_peak_mib": traced.peak_mib, "rss_hwm_growth_mib": rss.hwm_mib,
        "ru_maxrss_growth_mib": rss.maxrss_mib, "rss_before_mib": rss.rss_before_mib,
        "raw_first_row_ms": median("first_row_ms", raw_runs), "raw_total_ms": median("total_ms", raw_runs),
        "raw_tracemalloc_peak_mib": raw_traced.peak_mib,
    }


# --- the parent: one child to fill, one per export ------------------------------------------

def child(args) -> None:
    url = args.urls[0]
    os.environ.update(ENVIRONMENT)
    if args.case:
        setup_django(url)
        from django.core.management import call_command

        call_command("migrate", verbosity=0)  # the code may have moved on since the data was written
        print("RESULT " + json.dumps(measure_case(args.case, args.token, args.repeat)))
        return
    prepare_database(url, args.reuse)
    setup_django(url)
    from django.db import connection

    info = fill(url, args.n)
    info.update(vendor=connection.vendor, anonymous=anonymous_cap())
    print("RESULT " + json.dumps(info, ensure_ascii=False))


def run_child(arguments: list[str]) -> dict:
    done = subprocess.run([sys.executable, __file__, "--child", *arguments], capture_output=True, text=True)
    if done.returncode:
        sys.stderr.write(done.stdout + done.stderr)
        raise SystemExit(done.returncode)
    return json.loads(done.stdout.rsplit("RESULT ", 1)[1])


def uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


def mib(value) -> str:
    return "n/a" if value is None else f"{value:.1f}"


def table(results: list[dict]) -> str:
    lines = ["| database | export | rows | streaming | queries | first chunk ms | first row ms | total ms | MB | "
             "tracemalloc peak MiB | RSS peak growth MiB (VmHWM / ru_maxrss) | raw first row ms | raw total ms | "
             "raw tracemalloc MiB | total API/raw |",
             "|---|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for result in results:
        for row in result["exports"]:
            if not row["measured"]:
                continue
            case = row["case"] + "".join(f" ?{key}={value}" for key, value in row["params"].items())
            lines.append(
                f"| {result['vendor']} | {case} | {row['rows']:,} | {'yes' if row['streaming'] else 'no'} | "
                f"{row['queries']} | {row['ttfb_ms']:.0f} | {row['first_row_ms']:.0f} | {row['total_ms']:,.0f} | "
                f"{row['bytes'] / 1e6:.1f} | {mib(row['tracemalloc_peak_mib'])} | "
                f"{mib(row['rss_hwm_growth_mib'])} / {mib(row['ru_maxrss_growth_mib'])} | "
                f"{row['raw_first_row_ms']:.0f} | {row['raw_total_ms']:,.0f} | "
                f"{mib(row['raw_tracemalloc_peak_mib'])} | "
                f"{row['total_ms'] / row['raw_total_ms']:.1f}× |")
    refused = [(result["vendor"], row) for result in results for row in result["exports"] if row["refused"]]
    if refused:
        lines += ["", "| database | staff export past its cap | rows | cap | answer | ms |",
                  "|---|---|---:|---:|---|---:|"]
        for vendor, row in refused:
            answer = row["refused"]
            lines.append(f"| {vendor} | {row['case']} (everything) | {answer['rows']:,} | {answer['cap']:,} | "
                         f"{answer['status']} {answer['code'] or ''} | {answer['ms']:.0f} |")
    lines += ["", "| database | anonymous export | rows it may see | cap | answer | queries | ms |",
              "|---|---|---:|---:|---|---:|---:|"]
    for result in results:
        anonymous = result["anonymous"]
        for name in ("proposals", "assignments"):
            row = anonymous[name]
            lines.append(f"| {result['vendor']} | /api/{name}/?format=csv | {row['visible_rows']:,} | "
                         f"{anonymous['cap']:,} | {row['status']} {row['code'] or ''} | {row['queries']} | "
                         f"{row['ms']:.0f} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=50_000)
    parser.add_argument("--database-url", action="append", dest="urls")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs of each export (the median is shown)")
    parser.add_argument("--reuse", action="store_true", help="keep a database that already holds N proposals")
    parser.add_argument("--case", choices=sorted(CASES), help=argparse.SUPPRESS)
    parser.add_argument("--token", help=argparse.SUPPRESS)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.urls = args.urls or [f"sqlite:///{Path(tempfile.gettempdir()) / 'bench_export.sqlite3'}"]
    if args.child:
        child(args)
        return
    load_before = uptime()
    results = []
    for url in args.urls:
        print(f"== {urlparse(url).scheme}: {args.n:,} proposals", file=sys.stderr, flush=True)
        info = run_child(["--n", str(args.n), "--database-url", url] + (["--reuse"] if args.reuse else []))
        print(f"   filled in {info.get('fill_seconds')} s: {info['counts']}", file=sys.stderr, flush=True)
        exports = []
        for name in CASES:
            exports.append(run_child(["--case", name, "--token", info["token"], "--repeat", str(args.repeat),
                                      "--n", str(args.n), "--database-url", url]))
            done = exports[-1]
            print(f"   {name}: " + (f"{done['rows']:,} rows {done['params'] or ''}, {done['total_ms']:,.0f} ms"
                                    if done["measured"] else f"refused: {done['refused']}"),
                  file=sys.stderr, flush=True)
        results.append({"vendor": info["vendor"], "n": args.n, "fill_seconds": info.get("fill_seconds"),
                        "counts": info["counts"], "anonymous": info["anonymous"], "exports": exports})
    load_after = uptime()
    OUT.mkdir(exist_ok=True)
    (OUT / "export.json").write_text(json.dumps({"uptime_before": load_before, "uptime_after": load_after,
                                                 "results": results}, ensure_ascii=False, indent=1))
    print(f"uptime before: {load_before}\nuptime after:  {load_after}\n")
    print(table(results))


if __name__ == "__main__":
    main()
