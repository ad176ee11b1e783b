"""Reminders, escalation and the overdue digest (notifications.reminders): on the right working
days around holidays and make-up working days (CalendarDay rows), on the due day, once however
often the run runs (also two at once on PostgreSQL), moved by an extension, never for what is no
longer open, as each committee configures, in a constant number of queries per batch, and
received by a real SMTP server with a Chinese subject."""
from __future__ import annotations

import datetime
import io
import math
import re

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from notifications import overdue
from notifications.delivery import deliver_due
from notifications.models import LeaderContact, Notification
from notifications.reminders import KINDS, remind
from proposals import services
from proposals.models import Assignment, CalendarDay, Proposal
from replies import services as reply_services
from tests.factories import ProposalFactory, assignment_at, lead_assignment, proposal_at
from tests.proposals.test_concurrency import _leave_the_database_as_found, race  # noqa: F401 (module fixture)

K = Notification.Kind
P = Proposal.Status
D = datetime.date
pytestmark = pytest.mark.django_db

# The 2024 arrangement (State Council), as the calendar migration seeds it; set here again so that
# the dates below say what they rely on: Spring Festival 10–17 February, worked Sunday 18 February;
# Labour Day 1–5 May, worked Sunday 28 April and Saturday 11 May.
HOLIDAYS = [D(2024, 2, day) for day in range(10, 18)] + [D(2024, 5, day) for day in range(1, 6)]
MAKEUP_DAYS = [D(2024, 2, 18), D(2024, 4, 28), D(2024, 5, 11)]


@pytest.fixture
def calendar_2024(db):
    for day in HOLIDAYS:
        CalendarDay.objects.update_or_create(date=day, defaults={"kind": CalendarDay.Kind.HOLIDAY, "name": "假日"})
    for day in MAKEUP_DAYS:
        CalendarDay.objects.update_or_create(date=day, defaults={"kind": CalendarDay.Kind.WORKDAY, "name": "调休"})


def assigned(cast, on: datetime.date, *, co=False) -> Proposal:
    """A proposal of the cast assigned on ``on`` through the services (lead: cast.agency)."""
    proposal = proposal_at(cast, P.FILED)
    services.proposal_assign(actor=cast.staff, proposal=proposal, lead=cast.agency,
                             co=[cast.co_agency] if co else [], assigned_on=on)
    return Proposal.objects.get(pk=proposal.pk)


def written(**filters) -> list[tuple]:
    """(kind, dedupe key up to the person) of the reminder notices in the inbox, in order."""
    rows = Notification.objects.filter(kind__in=KINDS, channel="inbox").filter(**filters).order_by("id")
    return [(row.kind, row.dedupe_key.split("|")[0]) for row in rows]


def days(first: datetime.date, last: datetime.date):
    day = first
    while day <= last:
        yield day
        day += datetime.timedelta(days=1)


def run_daily(first, last, **filters) -> dict[datetime.date, list[tuple]]:
    """remind() on each day from ``first`` to ``last``: what each day wrote (inbox rows' keys)."""
    found = {}
    for day in days(first, last):
        mark = Notification.objects.order_by("-id").values_list("id", flat=True).first() or 0
        remind(on=day)
        new = sorted(set(written(id__gt=mark, **filters)))
        if new:
            found[day] = new
    return found


def test_reminders_fall_on_working_days_counted_over_holidays_and_make_up_days(world, calendar_2024):
    proposal = assigned(world, D(2024, 2, 6))  # a Tuesday before the Spring Festival
    lead = lead_assignment(proposal)
    # Objection window: 5 working days — 7, 8, 9 February, the worked Sunday 18th, Monday 19th.
    # Reply: 3 months, 6 May, the Monday after Labour Day.
    assert (lead.objection_due_on, lead.due_on) == (D(2024, 2, 19), D(2024, 5, 6))
    pk = lead.pk
    seen = run_daily(D(2024, 2, 6), D(2024, 2, 20), assignment=lead)
    assert seen == {
        # 2 working days before the 19th: the 18th (a make-up Sunday) and the 19th are left.
        D(2024, 2, 9): [(K.REMINDER_BEFORE, f"remind:{pk}:objection:2024-02-19:2")],
        D(2024, 2, 19): [(K.REMINDER_DUE, f"remind:{pk}:objection:2024-02-19:0")],
    }
    seen = run_daily(D(2024, 4, 15), D(2024, 5, 6), assignment=lead)
    assert seen == {
        # 10 working days before 6 May counting the worked Sunday 28 April (without it: the 17th).
        D(2024, 4, 18): [(K.REMINDER_BEFORE, f"remind:{pk}:reply:2024-05-06:10")],
        # 3 working days before: 29, 30 April and 6 May are left on the make-up Sunday itself.
        D(2024, 4, 28): [(K.REMINDER_BEFORE, f"remind:{pk}:reply:2024-05-06:3")],
        D(2024, 5, 6): [(K.REMINDER_DUE, f"remind:{pk}:reply:2024-05-06:0")],
    }
    before = Notification.objects.get(channel="inbox", dedupe_key__startswith=f"remind:{pk}:reply:2024-05-06:3|")
    assert before.recipient == world.liaison and before.agency == world.agency
    assert before.subject == f"【即将到期】{world.session}第{proposal.number}号提案“关于改善城区交通的提案”"
    assert "的答复期限为 2024-05-06(答复期限:自交办日 2024-02-06起 3 个月,至 2024-05-06)" in before.body
    assert "还有 3 个工作日。\n请在期限前答复提案人。" in before.body


def test_the_due_day_reminder_says_today_and_what_to_do(world, calendar_2024):
    lead = lead_assignment(assigned(world, D(2024, 2, 6), co=True))
    co = Assignment.objects.get(proposal=lead.proposal, role=Assignment.Role.CO)
    remind(on=D(2024, 5, 6))
    due = Notification.objects.get(kind=K.REMINDER_DUE, channel="inbox", assignment=lead)
    assert due.subject.startswith("【今日到期】") and due.recipient == world.liaison
    assert "的答复期限为今天(2024-05-06;" in due.body and "请于今日内答复提案人。" in due.body
    assert due.link == f"/admin/proposals/proposal/{lead.proposal_id}/change/" and "http://" in due.body
    # The co-handler's opinion is due a month after assignment: 6 March, a Wednesday.
    assert co.due_on == D(2024, 3, 6)
    remind(on=co.due_on)
    opinion = Notification.objects.get(kind=K.REMINDER_DUE, channel="inbox", assignment=co)
    assert opinion.recipient == world.co_liaison and "会办意见期限为今天" in opinion.body
    assert "请于今日内向主办单位提交会办意见。" in opinion.body


def test_the_overdue_digest_lists_each_agencys_overdue_work_to_its_liaisons_and_to_staff(world, calendar_2024,
                                                                                          monkeypatch):
    older = lead_assignment(assigned(world, D(2024, 2, 6)))  # due 6 May
    newer = lead_assignment(assigned(world, D(2024, 2, 8)))  # due 8 May
    remind(on=D(2024, 5, 12))  # a Sunday: no digest on rest days
    assert not Notification.objects.filter(kind=K.OVERDUE_DIGEST).exists()
    remind(on=D(2024, 5, 13))
    digests = Notification.objects.filter(kind=K.OVERDUE_DIGEST, channel="inbox")
    assert sorted(d.recipient.username for d in digests) == sorted(
        [world.liaison.username, world.staff.username, world.staff2.username])
    to_agency = digests.get(recipient=world.liaison)
    assert to_agency.subject == "【逾期汇总】2 项已逾期" and to_agency.agency == world.agency
    assert to_agency.dedupe_key.startswith(f"overdue:2024-05-13:agency:{world.agency.pk}|")
    lines = to_agency.body.splitlines()
    assert lines[1] == "截至 2024-05-13,以下 2 项已逾期:"
    # Longest overdue first: 7, 8, 9, 10 May, the worked Saturday 11th and Monday 13th are 6 working days.
    assert lines[2] == (f"1. {world.session}第{older.proposal.number}号提案“关于改善城区交通的提案”,"
                        f"{world.agency.name}答复期限 2024-05-06,已逾期 6 个工作日")
    assert lines[3] == (f"2. {world.session}第{newer.proposal.number}号提案“关于改善城区交通的提案”,"
                        f"{world.agency.name}答复期限 2024-05-08,已逾期 4 个工作日")
    to_staff = digests.get(recipient=world.staff)
    assert to_staff.addressee == f"{world.session.committee.name}提案委员会" and to_staff.body == (
        f"{world.session.committee.name}提案委员会" + to_agency.body[len(world.agency.name):])
    monkeypatch.setattr(overdue, "DIGEST_ITEMS", 1)
    remind(on=D(2024, 5, 14))
    capped = Notification.objects.get(kind=K.OVERDUE_DIGEST, channel="inbox", recipient=world.liaison,
                                      dedupe_key__startswith="overdue:2024-05-14:")
    assert capped.body.splitlines()[2].startswith("1. ") and "……另有 1 项未列出" in capped.body


def test_escalation_reaches_the_agency_staff_and_a_key_proposals_leader_without_the_extension_reason(
        world, calendar_2024):
    proposal = assigned(world, D(2024, 2, 6))
    leader = world.plain
    leader.email = "leader@example.org"
    leader.save(update_fields=["email"])
    LeaderContact.objects.create(committee=world.session.committee, name="王主席", user=leader)
    services.proposal_mark_key(actor=world.staff, proposal=proposal, leader="王主席")
    lead = lead_assignment(proposal)
    services.assignment_extend(actor=world.staff, assignment=lead, new_due_on=D(2024, 5, 20), reason="需财政追加预算")
    # Due Monday 20 May; 5 working days overdue on Monday 27 May.
    seen = run_daily(D(2024, 5, 21), D(2024, 5, 31), kind=K.ESCALATION)
    assert seen == {D(2024, 5, 27): [(K.ESCALATION, f"escalate:{lead.pk}:reply:2024-05-20")]}
    rows = Notification.objects.filter(kind=K.ESCALATION)
    assert sorted((r.channel, r.addressee, r.recipient.username) for r in rows) == sorted(
        (channel, addressee, user.username)
        for channel in ("inbox", "email")
        for addressee, user in ((world.agency.name, world.liaison),
                                (f"{world.session.committee.name}提案委员会", world.staff),
                                (f"{world.session.committee.name}提案委员会", world.staff2), ("王主席", leader)))
    to_staff = rows.get(channel="inbox", recipient=world.staff)
    assert to_staff.subject.startswith("【逾期督促】")
    assert f"{world.agency.name}承办的" in to_staff.body and "已逾期 5 个工作日" in to_staff.body
    assert "需财政追加预算" in to_staff.body and "需财政追加预算" in rows.get(channel="inbox", recipient=world.liaison).body
    to_leader = rows.get(channel="inbox", recipient=leader)
    assert "经批准延期至 2024-05-20" in to_leader.body and "需财政追加预算" not in to_leader.body


def test_running_twice_writes_the_same_rows(world, calendar_2024):
    assigned(world, D(2024, 2, 6))
    first = remind(on=D(2024, 5, 6))
    rows = sorted(Notification.objects.filter(kind__in=KINDS).values_list("dedupe_key", flat=True))
    assert first.count(K.REMINDER_DUE) == 1 and len(rows) == 2  # the liaison's inbox and e-mail
    second = remind(on=D(2024, 5, 6))
    assert second.count(K.REMINDER_DUE) == 0 and sum(second.rows.values()) == 0
    assert sorted(Notification.objects.filter(kind__in=KINDS).values_list("dedupe_key", flat=True)) == rows


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql",
                    reason="needs concurrent PostgreSQL connections (DATABASE_URL=postgres://…)")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_runs_at_once_write_each_notice_once(world, calendar_2024):
    for _ in range(6):
        assigned(world, D(2024, 2, 6))
    results = race(lambda: remind(on=D(2024, 5, 13), batch=2), lambda: remind(on=D(2024, 5, 13), batch=2))
    assert all(kind == "ok" for kind, _summary in results), results
    keys = list(Notification.objects.filter(kind__in=KINDS).values_list("dedupe_key", flat=True))
    assert len(keys) == len(set(keys))
    # 6 escalations (liaison and two staff members, inbox and e-mail) and the two digests.
    assert Notification.objects.filter(kind=K.ESCALATION).count() == 6 * 3 * 2
    assert Notification.objects.filter(kind=K.OVERDUE_DIGEST).count() == 3 * 2
    assert remind(on=D(2024, 5, 13)).rows == {}


def test_an_extension_moves_the_reminders_to_the_new_date(world, calendar_2024):
    lead = lead_assignment(assigned(world, D(2024, 2, 6)))
    remind(on=D(2024, 4, 18))
    services.assignment_extend(actor=world.staff, assignment=lead, new_due_on=D(2024, 6, 3), reason="需实地调研")
    seen = run_daily(D(2024, 4, 19), D(2024, 6, 3), assignment=lead, kind__in=[K.REMINDER_BEFORE, K.REMINDER_DUE])
    assert seen == {
        D(2024, 5, 20): [(K.REMINDER_BEFORE, f"remind:{lead.pk}:reply:2024-06-03:10")],
        D(2024, 5, 29): [(K.REMINDER_BEFORE, f"remind:{lead.pk}:reply:2024-06-03:3")],
        D(2024, 6, 3): [(K.REMINDER_DUE, f"remind:{lead.pk}:reply:2024-06-03:0")],
    }
    assert not Notification.objects.filter(dedupe_key__startswith=f"remind:{lead.pk}:reply:2024-05-06:3").exists()


@pytest.mark.parametrize("status", [Assignment.Status.REPLIED, Assignment.Status.CLOSED,
                                    Assignment.Status.CANCELLED, Assignment.Status.REASSIGNED])
def test_assignments_no_longer_open_get_nothing(world, status):
    assignment = assignment_at(world, status)
    assert assignment.due_on == D(2024, 6, 4)
    for day in (D(2024, 5, 21), D(2024, 5, 30), D(2024, 6, 4), D(2024, 6, 12)):
        remind(on=day)
    # (A relieved agency's successor, a proposer's feedback window: theirs, not this assignment's.)
    assert not Notification.objects.filter(kind__in=KINDS, assignment=assignment).exclude(
        dedupe_key__contains=":feedback:").exists()
    assert not Notification.objects.filter(kind__in=KINDS, agency=world.agency).exists()


def test_proposers_who_have_not_rated_are_reminded_of_the_feedback_window(world, calendar_2024):
    proposal = proposal_at(world, P.REPLIED)
    reply = lead_assignment(proposal).replies.get()
    assert reply.feedback_due_on == D(2024, 5, 24)  # 15 working days from 6 May, the worked 11th counted
    seen = run_daily(D(2024, 5, 15), D(2024, 5, 24), kind__in=[K.REMINDER_BEFORE, K.REMINDER_DUE])
    assert seen == {D(2024, 5, 21): [(K.REMINDER_BEFORE, f"remind:reply{reply.pk}:feedback:2024-05-24:3")],
                    D(2024, 5, 24): [(K.REMINDER_DUE, f"remind:reply{reply.pk}:feedback:2024-05-24:0")]}
    notice = Notification.objects.get(kind=K.REMINDER_BEFORE, channel="inbox")
    assert notice.recipient == world.proposer_user and "征询意见期限为 2024-05-24" in notice.body
    assert "请在期限前对答复作出评价" in notice.body
    other = proposal_at(world, P.REPLIED)
    reply_services.feedback_give(actor=world.staff, reply=lead_assignment(other).replies.get(),
                                 proposer=world.proposer, rating="satisfied", on=D(2024, 5, 7))
    assert remind(on=D(2024, 5, 24)).count(K.REMINDER_DUE) == 0  # rated already, and the first one was told


def test_each_committee_and_session_sets_its_own_days(world, calendar_2024):
    committee = world.session.committee
    committee.remind_reply_working_days = [5]
    committee.escalate_after_working_days = 0
    committee.save()
    world.session.remind_objection_working_days = []
    world.session.save()
    lead = lead_assignment(assigned(world, D(2024, 2, 6)))
    assert run_daily(D(2024, 2, 7), D(2024, 2, 18), assignment=lead) == {}  # no objection reminder before the day
    seen = run_daily(D(2024, 4, 18), D(2024, 5, 31), assignment=lead, kind__in=[K.REMINDER_BEFORE, K.ESCALATION])
    # 5 working days before 6 May: 26, 28 (worked Sunday), 29, 30 April and 6 May are left on the 25th.
    assert seen == {D(2024, 4, 25): [(K.REMINDER_BEFORE, f"remind:{lead.pk}:reply:2024-05-06:5")]}


def test_a_deadline_set_after_its_reminder_day_is_not_reminded(world, calendar_2024):
    # Assigned on 16 May with the session's fixed date 20 May: 2 working days, the reminders at 10
    # and 3 had their day before the assignment, which told the date itself.
    world.session.reply_fixed_date = D(2024, 5, 20)
    world.session.save()
    lead = lead_assignment(assigned(world, D(2024, 5, 16)))
    assert lead.due_on == D(2024, 5, 20)
    assert run_daily(D(2024, 5, 16), D(2024, 5, 20), assignment=lead, kind=K.REMINDER_BEFORE) == {}


def many(cast, count: int, due_on: datetime.date) -> list[Assignment]:
    proposals = ProposalFactory.create_batch(count, session=cast.session, status=P.ASSIGNED,
                                             proposers=[cast.proposer])
    return Assignment.objects.bulk_create([
        Assignment(proposal=p, agency=cast.agency, role=Assignment.Role.LEAD, status=Assignment.Status.ACKNOWLEDGED,
                   assigned_on=D(2024, 2, 6), due_on=due_on) for p in proposals])


def test_the_queries_per_batch_do_not_grow_with_the_assignments(world):
    def measured(count):
        Assignment.objects.filter(status=Assignment.Status.ACKNOWLEDGED).update(status=Assignment.Status.CLOSED)
        many(world, count, D(2024, 5, 6))
        before = Notification.objects.count()
        with CaptureQueriesContext(connection) as queries:
            summary = remind(on=D(2024, 5, 6))
        assert summary.count(K.REMINDER_DUE) == count and summary.batches == 1  # one batch of assignments, none of replies
        rows = Notification.objects.count() - before
        statements = [q["sql"] for q in queries.captured_queries]
        inserts = [s for s in statements if s.startswith("INSERT")]
        fields = [f for f in Notification._meta.concrete_fields if not f.primary_key]
        per_insert = connection.ops.bulk_batch_size(fields, [None] * rows)
        assert rows == 2 * count and len(inserts) == math.ceil(rows / per_insert)
        # What each other statement is (its table and kind; savepoints differ by name only).
        return [re.sub(r'"s\d+_x\d+"', "", s.split(" WHERE")[0][:60]) for s in statements
                if not s.startswith("INSERT")]

    assert measured(10) == measured(100)


def test_reminders_are_mailed_with_a_chinese_subject(world, smtp, calendar_2024):
    proposal = assigned(world, D(2024, 2, 6))
    Notification.objects.all().delete()
    remind(on=D(2024, 5, 6))
    summary = deliver_due()
    assert (summary.sent, summary.failed) == (1, 0)
    [mail] = smtp.received
    assert mail.recipients == [world.liaison.email]
    assert mail.subject == f"【今日到期】{world.session}第{proposal.number}号提案“关于改善城区交通的提案”"
    assert "答复期限为今天(2024-05-06" in mail.body and "请于今日内答复提案人。" in mail.body
    headers = mail.raw.split(b"\r\n\r\n")[0].decode("ascii")
    assert "Subject: \r\n =?utf-8?b?" in headers


def test_send_notifications_writes_the_days_reminders_once_before_delivering(world, smtp, settings):
    settings.NOTIFICATION_REMIND_TIME = "00:00"
    lead = lead_assignment(assigned(world, D(2024, 2, 6)))
    today = timezone.localdate()
    Assignment.objects.filter(pk=lead.pk).update(due_on=today)
    Notification.objects.all().delete()
    out = io.StringIO()
    call_command("send_notifications", "--no-remind", stdout=out)
    assert "今日到期提醒" not in out.getvalue() and smtp.received == []
    call_command("send_notifications", stdout=out)
    assert "今日到期提醒 1 条" in out.getvalue()
    assert [m.subject[:6] for m in smtp.received] == ["【今日到期】"]
    call_command("send_notifications", stdout=out)  # the day's run is done: not again
    assert len(smtp.received) == 1 and out.getvalue().count("今日到期提醒") == 1


def test_the_remind_command_runs_as_of_a_date(world, calendar_2024):
    assigned(world, D(2024, 2, 6))
    out = io.StringIO()
    call_command("remind", "--on", "2024-05-06", stdout=out)
    assert out.getvalue().startswith("提醒 2024-05-06:") and "今日到期提醒 1 条" in out.getvalue()
    with pytest.raises(Exception, match="--on"):
        call_command("remind", "--on", "6 May")


@pytest.mark.parametrize("value, valid", [
    (None, True), ([], True), ([10, 3], True), ([60], True), ([0], False), ([61], False), ([3, 3], False),
    ("10,3", False), ([True], False), ([2.5], False), (5, False)])
def test_a_reminder_rule_is_a_list_of_distinct_working_days(value, valid):
    from django.core.exceptions import ValidationError

    from proposals.models.committees import validate_working_days_list

    if valid:
        validate_working_days_list(value)
    else:
        with pytest.raises(ValidationError):
            validate_working_days_list(value)


def test_the_admin_form_shows_an_inherited_rule_as_an_empty_box():
    from proposals.models import Committee

    field = Committee._meta.get_field("remind_reply_working_days").formfield()
    assert field.prepare_value(None) == "" and field.clean("") is None
    assert field.clean("[5, 2]") == [5, 2] and field.clean("[]") == []


def test_send_notifications_runs_the_day_once_from_the_remind_time(world, calendar_2024, settings):
    from notifications.reminders import remind_if_due

    settings.NOTIFICATION_REMIND_TIME = "07:30"
    assigned(world, D(2024, 2, 6))
    tz = timezone.get_current_timezone()
    assert remind_if_due(datetime.datetime(2024, 5, 6, 7, 0, tzinfo=tz)) is None  # not yet
    summary = remind_if_due(datetime.datetime(2024, 5, 6, 7, 35, tzinfo=tz))
    assert summary.on == D(2024, 5, 6) and summary.count(K.REMINDER_DUE) == 1
    assert remind_if_due(datetime.datetime(2024, 5, 6, 12, 0, tzinfo=tz)) is None  # done today
    assert remind_if_due(datetime.datetime(2024, 5, 7, 7, 30, tzinfo=tz)).on == D(2024, 5, 7)
