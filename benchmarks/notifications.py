"""Benchmark of the daily reminder run (notifications.reminders, issue 11) and of e-mail delivery.

Fills a database of its own with N open assignments (default 100,000) whose deadlines are spread
over a year around the run's date (a quarter of them overdue), written with bulk_create in
batches: 20 committees (one with its own reminder days), 25 agencies each with two liaisons
(e-mail addresses), 5 staff members, 80 % of the proposals with one lead agency and a quarter
of those with a co-handler too, 2 % key proposals with a supervising leader, 10 % still to
acknowledge (their objection window open), 3 % in re-handling; and --replied proposals replied
within the last three weeks, their feedback windows running. Deadlines are stored as the
services store them (Deadline.as_dict with the seeded holiday calendar).

Then, each in a fresh process (so that its memory is its own, not what the filling left):
- the run on the working day before --on (the first run: everything due that day),
- the run on --on (the daily run), and the same again (idempotent: writes nothing),
each with its time, SQL statements (and per batch), the assignments read, the notices and rows
written, and the resident memory it adds at its peak (VmHWM reset through /proc/self/clear_refs);
- the run of the next working day under tracemalloc (slower: its time is not the figure), for the
peak of Python allocations;
then delivery of the pending e-mails the runs wrote (at most --deliver) to an aiosmtpd server on
loopback in a process of its own: messages per second, and the messages the server counted.
``uptime`` is printed before and after.

Usage:
    .venv/bin/python benchmarks/notifications.py [--n 100000] [--database-url URL] [--on 2025-11-17]
        [--batch 500] [--replied 2000] [--deliver 5000]

Without --database-url: a fresh SQLite file in the temporary directory. A PostgreSQL URL names a
database that is dropped and created anew (postgres://postgres@127.0.0.1:5432/bench_notify).
Results also go to benchmarks/out/notifications.json.
"""
from __future__ import annotations

import argparse
import datetime
import json
import random
import re
import socket
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

BASE = Path(__file__).resolve().parent.parent
if str(BASE) not in sys.path:  # run as a script: benchmarks/ is on the path, the project is not
    sys.path.insert(0, str(BASE))

from benchmarks.api import OUT, prepare_database, setup_django  # noqa: E402

CITIES = ["曲靖", "楚雄", "长春", "重庆", "昆明", "玉溪", "大理", "保山", "昭通", "丽江", "普洱", "临沧", "红河", "文山",
          "西双版纳", "德宏", "怒江", "迪庆", "吉林", "四平"]
SUFFIXES = ["教育体育局", "财政局", "人力资源和社会保障局", "卫生健康委员会", "自然资源局", "住房和城乡建设局", "交通运输局",
            "农业农村局", "文化和旅游局", "民政局", "生态环境局", "市场监督管理局", "发展和改革委员会", "公安局", "水务局",
            "林业和草原局", "商务局", "科学技术局", "应急管理局", "医疗保障局", "退役军人事务局", "城市管理局",
            "工业和信息化局", "司法局", "统计局"]
BATCH = 5000

SMTP_SERVER = r"""
import asyncio, signal, sys, threading
from aiosmtpd.controller import Controller
count = 0
class Counter:
    async def handle_DATA(self, server, session, envelope):
        global count
        count += 1
        return "250 2.0.0 Ok: queued"
controller = Controller(Counter(), hostname="127.0.0.1", port=int(sys.argv[1]), ready_timeout=10)
controller.start()
print("ready", flush=True)
sys.stdin.read()  # until the benchmark closes the pipe
controller.stop()
print(count, flush=True)
"""


# --- memory and statements ---------------------------------------------------------------------

def _status_kib(field: str) -> int:
    return int(re.search(rf"^{field}:\s+(\d+) kB", Path("/proc/self/status").read_text(), re.M).group(1))


class Measured:
    """Wall time, SQL statements and the resident memory an operation adds at its peak (MiB)."""

    def __enter__(self):
        from django.db import connection

        self.statements = self.inserts = 0

        def count(execute, sql, params, many, context):
            self.statements += 1
            self.inserts += sql.lstrip().upper().startswith("INSERT")
            return execute(sql, params, many, context)

        self._wrapper = connection.execute_wrapper(count)
        self._wrapper.__enter__()
        try:
            Path("/proc/self/clear_refs").write_text("5")  # VmHWM back to the current RSS
            self.reset = True
        except OSError:
            self.reset = False
        self.rss0 = _status_kib("VmRSS")
        self.start = time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.seconds = time.perf_counter() - self.start
        self._wrapper.__exit__(*exc)
        self.rss_peak_mib = (_status_kib("VmHWM") - self.rss0) / 1024 if self.reset else None
        self.rss_before_mib = self.rss0 / 1024


def uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


# --- data --------------------------------------------------------------------------------------

def fill(n: int, on: datetime.date, replied: int, seed: int = 20251117) -> dict:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group, Permission
    from django.core.management import call_command
    from django.utils import timezone

    from notifications.models import LeaderContact
    from proposals.deadlines import months_deadline, working_days_deadline
    from proposals.models import Agency, Assignment, Committee, Proposal, ProposalProposer, Proposer, Session
    from proposals.naturalsort import natural_sort_key
    from proposals.roles import STAFF_GROUP
    from proposals.selectors import work_calendar
    from replies.models import Reply

    call_command("migrate", verbosity=0)
    rng = random.Random(seed)
    User = get_user_model()
    started = time.perf_counter()
    committees = Committee.objects.bulk_create([Committee(name=f"{c}市政协", region=f"{c}市") for c in CITIES])
    Committee.objects.filter(pk=committees[0].pk).update(remind_reply_working_days=[5, 2])  # a committee's own days
    sessions = Session.objects.bulk_create([Session(committee=c, term=6, number=3, year=on.year) for c in committees])
    agencies = Agency.objects.bulk_create([Agency(name=f"{c}市{s}", region=f"{c}市", level="city")
                                           for c in CITIES for s in SUFFIXES])
    users = User.objects.bulk_create([User(username=f"liaison{i}", email=f"liaison{i}@example.org", password="!",
                                           is_staff=True) for i in range(2 * len(agencies))])
    Agency.liaisons.through.objects.bulk_create([
        Agency.liaisons.through(agency_id=a.pk, user_id=users[2 * i + k].pk) for i, a in enumerate(agencies)
        for k in (0, 1)])
    group, _ = Group.objects.get_or_create(name=STAFF_GROUP)
    group.permissions.add(Permission.objects.get(codename="manage_workflow"))
    staff = User.objects.bulk_create([User(username=f"staff{i}", email=f"staff{i}@example.org", password="!",
                                           is_staff=True) for i in range(5)])
    group.user_set.add(*staff)
    leaders = User.objects.bulk_create([User(username=f"leader{i}", email=f"leader{i}@example.org", password="!")
                                        for i in range(len(committees))])
    LeaderContact.objects.bulk_create([LeaderContact(committee=c, name=f"{c.name[:2]}主席", user=u)
                                       for c, u in zip(committees, leaders)])
    first, last = on - datetime.timedelta(days=300), on + datetime.timedelta(days=400)
    calendar = work_calendar(first, last)
    by_committee = {c.pk: agencies[i * len(SUFFIXES):(i + 1) * len(SUFFIXES)] for i, c in enumerate(committees)}

    # Proposals: one lead each, a co-handler for a quarter of them: n assignments in all.
    proposals_n = round(n / 1.25)
    assignments, proposals, number = [], [], 0
    for start in range(0, proposals_n, BATCH):
        batch = []
        for i in range(start, min(start + BATCH, proposals_n)):
            session = sessions[i % len(sessions)]
            number += 1
            key = rng.random() < 0.02
            batch.append(Proposal(session=session, number=str(number), number_sort=natural_sort_key(str(number)),
                                  title=f"关于第{number}项民生工作的提案", status=Proposal.Status.ASSIGNED, is_key=key,
                                  supervising_leader=f"{session.committee.name[:2]}主席" if key else "",
                                  submitted_on=on - datetime.timedelta(days=120)))
        proposals.extend(Proposal.objects.bulk_create(batch))
    # Reply deadlines uniform over a year from 90 days before the run; co-handlers a month after assignment.
    rows = []
    for index, proposal in enumerate(proposals):
        committee_id = sessions[index % len(sessions)].committee_id
        lead_agency, co_agency = rng.sample(by_committee[committee_id], 2)
        assigned_on = on - datetime.timedelta(days=90 + 92) + datetime.timedelta(days=rng.randrange(365))
        rows.append((proposal, lead_agency, Assignment.Role.LEAD, assigned_on))
        if index % 4 == 0:
            rows.append((proposal, co_agency, Assignment.Role.CO, on - datetime.timedelta(days=60)
                         + datetime.timedelta(days=rng.randrange(120))))
    for start in range(0, len(rows), BATCH):
        batch = []
        for proposal, agency, role, assigned_on in rows[start:start + BATCH]:
            months = 1 if role == Assignment.Role.CO else 3
            rule = "co_opinion_months" if role == Assignment.Role.CO else "reply_months"
            due = months_deadline(rule, "assigned", assigned_on, months, rest_days=calendar)
            objection = working_days_deadline("objection_working_days", "assigned", assigned_on, 5, calendar)
            draw = rng.random()
            status = (Assignment.Status.ASSIGNED if draw < 0.10 or objection.due_on >= on
                      else Assignment.Status.REHANDLING if draw < 0.13 else Assignment.Status.ACKNOWLEDGED)
            batch.append(Assignment(proposal=proposal, agency=agency, role=role, status=status,
                                    assigned_on=assigned_on, due_on=due.due_on, original_due_on=due.due_on,
                                    objection_due_on=objection.due_on, rehandle_count=int(status == "rehandling"),
                                    due_explanation={"due": due.as_dict(), "objection": objection.as_dict()}))
        assignments.extend(Assignment.objects.bulk_create(batch))

    # Replied proposals with their feedback windows running, each signed by a member with an account.
    members = User.objects.bulk_create([User(username=f"member{i}", email=f"member{i}@example.org", password="!")
                                        for i in range(200)])
    proposers = Proposer.objects.bulk_create([Proposer(committee=committees[i % len(committees)], name=f"委员{i}",
                                                       user=u) for i, u in enumerate(members)])
    done = Proposal.objects.bulk_create([
        Proposal(session=sessions[i % len(sessions)], number=f"R{i}", number_sort=natural_sort_key(f"R{i}"),
                 title=f"关于第{i}项已答复工作的提案", status=Proposal.Status.REPLIED) for i in range(replied)])
    ProposalProposer.objects.bulk_create([ProposalProposer(proposal=p, proposer=proposers[i % len(proposers)])
                                          for i, p in enumerate(done)])
    replied_assignments = Assignment.objects.bulk_create([
        Assignment(proposal=p, agency=by_committee[sessions[i % len(sessions)].committee_id][0], role="lead",
                   status=Assignment.Status.REPLIED, assigned_on=on - datetime.timedelta(days=100),
                   due_on=on + datetime.timedelta(days=10), replied_on=on) for i, p in enumerate(done)])
    replies = []
    for a in replied_assignments:
        delivered = on - datetime.timedelta(days=rng.randrange(21))
        window = working_days_deadline("feedback_working_days", "delivered", delivered, 15, calendar)
        replies.append(Reply(assignment=a, kind="reply", status="submitted", title="关于提案的答复", body="答复如下",
                             submitted_at=timezone.now(), delivered_on=delivered, feedback_due_on=window.due_on,
                             feedback_due_explanation=window.as_dict(), classification="A"))
    Reply.objects.bulk_create(replies, batch_size=BATCH)
    return {"assignments": len(assignments), "proposals": len(proposals), "replied": replied,
            "open": Assignment.objects.filter(status__in=Assignment.OPEN_STATUSES).count(),
            "overdue": Assignment.objects.filter(status__in=Assignment.OPEN_STATUSES, due_on__lt=on).count(),
            "fill_seconds": round(time.perf_counter() - started, 1)}


# --- measurements -------------------------------------------------------------------------------
# Each run is measured in a process of its own (``--child``), so that its resident memory is its
# own and not what filling the database left allocated.

def child_remind(on: datetime.date, batch: int, traced: bool) -> dict:
    from django.urls import reverse

    from notifications.reminders import remind

    reverse("admin:index")  # the URLconf, imported once by any process: not the run's cost
    if traced:
        tracemalloc.start()
        base = tracemalloc.get_traced_memory()[0]
        remind(on=on, batch=batch)
        return {"tracemalloc_peak_mib": round((tracemalloc.get_traced_memory()[1] - base) / 2 ** 20, 1)}
    with Measured() as m:
        summary = remind(on=on, batch=batch)
    return {"on": on.isoformat(), "seconds": round(m.seconds, 2), "statements": m.statements, "inserts": m.inserts,
            "batches": summary.batches, "assignments": summary.assignments, "replies": summary.replies,
            "notices": {str(k): v for k, v in summary.notices.items()}, "rows": sum(summary.rows.values()),
            "rss_peak_mib": round(m.rss_peak_mib, 1) if m.rss_peak_mib is not None else None,
            "rss_before_mib": round(m.rss_before_mib, 1)}


def in_child(url: str, *args: str) -> dict:
    done = subprocess.run([sys.executable, __file__, "--database-url", url, "--child", *args], capture_output=True,
                          text=True)
    if done.returncode:
        sys.exit(f"child {args} failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def run_reminders(url: str, on: datetime.date, batch: int, label: str) -> dict:
    result = {"run": label, **in_child(url, "remind", "--on", on.isoformat(), "--batch", str(batch))}
    reads = result["statements"] - result["inserts"]
    print(f"  {label:<30} {result['seconds']:>7.2f} s  {result['statements']:>5} statements ({reads} not INSERT, "
          f"{result['batches']} batches)  {result['assignments']:>6} assignments read  "
          f"{result['rows']:>6} rows  +{result['rss_peak_mib']} MiB RSS  {result['notices']}", flush=True)
    return result


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def deliver(limit: int) -> dict:
    from django.conf import settings
    from django.utils import timezone

    from notifications.delivery import deliver_due
    from notifications.models import Notification

    pending = Notification.objects.filter(channel="email", status="pending").order_by("id")
    keep = list(pending.values_list("id", flat=True)[:limit])
    Notification.objects.filter(channel="email", status="pending").exclude(pk__in=keep).update(
        next_attempt_at=timezone.now() + datetime.timedelta(days=3650))
    Notification.objects.filter(pk__in=keep).update(next_attempt_at=timezone.now() - datetime.timedelta(minutes=1),
                                                    digest=False)
    port = free_port()
    server = subprocess.Popen([sys.executable, "-c", SMTP_SERVER, str(port)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    assert server.stdout.readline().strip() == "ready"
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    started = time.perf_counter()
    summary = deliver_due(batch=200)
    seconds = time.perf_counter() - started
    server.stdin.close()
    received = int(server.stdout.read().strip() or 0)
    server.wait(10)
    result = {"messages": summary.mails, "rows_sent": summary.sent, "failed": summary.failed,
              "received": received, "seconds": round(seconds, 2),
              "messages_per_second": round(summary.mails / seconds, 1) if seconds else None}
    print(f"  delivery: {summary.mails} messages in {seconds:.2f} s = {result['messages_per_second']} messages/s "
          f"(the server counted {received}, failed {summary.failed})", flush=True)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=100_000, help="open assignments (default 100,000)")
    parser.add_argument("--database-url", default="", help="default: a fresh SQLite file in the temp directory")
    parser.add_argument("--on", default="2025-11-17", help="the daily run's date, a working day (default 2025-11-17)")
    parser.add_argument("--batch", type=int, default=500, help="assignments per query (default 500)")
    parser.add_argument("--replied", type=int, default=2000, help="replied proposals in their feedback window")
    parser.add_argument("--deliver", type=int, default=5000, help="e-mails to deliver at most (default 5,000)")
    parser.add_argument("--child", choices=["remind", "trace"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    url = args.database_url or f"sqlite:///{Path(tempfile.gettempdir()) / 'bench-notify.sqlite3'}"
    on = datetime.date.fromisoformat(args.on)
    if args.child:
        setup_django(url)
        print(json.dumps(child_remind(on, args.batch, traced=args.child == "trace")))
        return
    print("uptime:", uptime(), flush=True)
    prepare_database(url, reuse=False)
    setup_django(url)
    from django.db import connection

    from notifications.workdays import WorkdayIndex
    from proposals.selectors import work_calendar

    print(f"filling {connection.vendor} with {args.n:,} assignments …", flush=True)
    data = fill(args.n, on, args.replied)
    print(f"  {data}", flush=True)
    span = datetime.timedelta(days=30)
    index = WorkdayIndex(work_calendar(on - span, on + span), on - span, on + span)
    previous, following = index.add(on, -1), index.add(on, 1)
    connection.close()  # the children write; SQLite wants no other connection holding a transaction
    runs = [run_reminders(url, previous, args.batch, "first run (the day before)"),
            run_reminders(url, on, args.batch, "daily run"),
            run_reminders(url, on, args.batch, "daily run again (idempotent)")]
    peak = in_child(url, "trace", "--on", following.isoformat(), "--batch", str(args.batch))["tracemalloc_peak_mib"]
    print(f"  tracemalloc peak of the next day's run ({following}): {peak} MiB", flush=True)
    delivery = deliver(args.deliver)
    after = uptime()
    print("uptime:", after, flush=True)
    result = {"vendor": connection.vendor, "n": args.n, "batch": args.batch, "data": data, "runs": runs,
              "tracemalloc_peak_mib": peak, "delivery": delivery, "uptime_after": after,
              "python": sys.version.split()[0]}
    OUT.mkdir(parents=True, exist_ok=True)
    out = OUT / "notifications.json"
    previous_results = json.loads(out.read_text()) if out.exists() else {}
    previous_results[connection.vendor] = result
    out.write_text(json.dumps(previous_results, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
