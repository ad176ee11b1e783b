"""Never twice: a row is sent only by the run that holds its claim. Two runs at once on
PostgreSQL (real connections, SELECT … FOR UPDATE SKIP LOCKED) send each mail exactly once;
on any backend, a run whose lease ran out sends nothing the next run took over."""
from __future__ import annotations

import collections
import datetime

import pytest
from django.db import connection
from django.utils import timezone

from notifications.channels import Outgoing
from notifications.delivery import LEASE, Runner, claim, deliver_due, due_rows
from notifications.models import Notification
from tests.proposals.test_concurrency import _leave_the_database_as_found, race  # noqa: F401 (module fixture)

S = Notification.Status


def pending_mails(n: int) -> list[Notification]:
    now = timezone.now()
    return Notification.objects.bulk_create([
        Notification(channel="email", kind="submitted", address=f"staff{i}@example.org", addressee="提案委员会",
                     subject=f"【新提交】第{i}号提案", body="请审查。", status=S.PENDING, next_attempt_at=now)
        for i in range(n)])


@pytest.mark.django_db
def test_a_run_whose_lease_ran_out_sends_nothing_the_next_run_took_over(smtp):
    [row] = pending_mails(1)
    first = Runner()
    claimed = claim(due_rows(first.now), first.now, first.token, 10, first.clock() + LEASE)
    assert [r.pk for r in claimed] == [row.pk]
    assert deliver_due().sent == 0  # claimed: not due for anybody else
    second = deliver_due(now=timezone.now() + LEASE + datetime.timedelta(minutes=1))  # the first one hangs
    assert second.sent == 1
    first._send(claimed, Outgoing(address=row.address, subject=row.subject, body=row.body, ids=[row.pk]))
    assert first.summary.sent == 0
    assert [m.notification_ids for m in smtp.received] == [[row.pk]]


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql",
                    reason="needs concurrent PostgreSQL connections (DATABASE_URL=postgres://…)")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_runs_at_once_send_each_mail_exactly_once(smtp):
    rows = pending_mails(60)
    smtp.handler.delay = 0.005  # a server that takes its time: the runs overlap
    results = race(*[lambda: deliver_due(batch=5) for _ in range(3)])
    assert all(kind == "ok" for kind, _summary in results), results
    assert sum(summary.sent for _kind, summary in results) == 60
    assert sum(1 for _kind, summary in results if summary.sent) >= 2  # both ran, neither idled
    counts = collections.Counter(i for mail in smtp.received for i in mail.notification_ids)
    assert counts == {row.pk: 1 for row in rows}
    assert set(Notification.objects.values_list("status", flat=True)) == {S.SENT}
