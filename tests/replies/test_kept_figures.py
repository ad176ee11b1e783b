"""The kept figures of the handling report (replies.kept_figures, issue 13): after a random walk
of workflow steps through the services, the staff's whole report read from the kept counts is
the report counted live, for every grouping and day, and the kept counts are a count from
scratch; ``manage.py rebuild_figures --check`` tells a tampered count; loaddata and calendar
changes keep them honest. On SQLite and PostgreSQL alike."""
import datetime
import io
import random

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from proposals import services
from proposals.models import Assignment, CalendarDay, Proposal
from proposals.services.calendar import deadlines_flag_for_calendar_change
from proposals.services.errors import ServiceError
from replies import kept_figures
from replies import services as reply_services
from replies.feedback import feedback_give, proposal_close
from replies.models import Feedback, FigureFact, Reply
from replies.stats import GROUPS, proposal_stats
from tests.factories import SessionFactory, make_cast

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _built():
    """The kept counts are built in a new database (the migration marks them); a transactional
    test elsewhere may have flushed the mark: count them so, as rebuild_figures would."""
    if not kept_figures.is_built():
        kept_figures.rebuild()

START = timezone.localdate() - datetime.timedelta(days=160)  # the walk's days stay in the past
RATINGS = [r.value for r in Feedback.Rating if r != Feedback.Rating.NOT_RATED]  # 未表态: the window's end


def live_stats(**kwargs) -> dict:
    """The report counted from the workflow's tables (the kept counts set aside, then restored)."""
    with transaction.atomic():
        kept_figures.mark_unbuilt()
        figures = proposal_stats(**kwargs)
        transaction.set_rollback(True)
    return figures


def kept_stats(**kwargs) -> dict:
    """The report as the staff read it, asserted to come from the kept counts (no assignment read)."""
    assert kept_figures.is_built()
    with CaptureQueriesContext(connection) as queries:
        figures = proposal_stats(**kwargs)
    assert not [q for q in queries.captured_queries if Assignment._meta.db_table in q["sql"]]
    return figures


def assert_kept_equals_live(staff, days):
    assert kept_figures.kept_counts() == kept_figures.counted_anew()[0]
    for group_by in GROUPS:
        for on in days:
            kwargs = dict(proposals=Proposal.objects.all(), user=staff, group_by=group_by, on=on)
            assert kept_stats(**kwargs) == live_stats(**kwargs), (group_by, on)


# How often each step is tried (1 unless named): the steps that move a proposal on, more often.
WEIGHTS = {"propose": 3, "review": 4, "assign": 4, "acknowledge": 3, "reply": 4, "publish": 2, "rate": 3}


class Walk:
    """Two committees' casts and a clock; each step picks a proposal or an assignment at random
    and tries one service on it. A step the services refuse (ServiceError) changes nothing."""

    def __init__(self, seed: int):
        self.rng = random.Random(seed)
        self.casts = [make_cast(), make_cast()]
        self.casts.append(make_cast(SessionFactory(committee=self.casts[0].session.committee)))
        self.staff = self.casts[0].staff
        self.day = START
        self.done: list[str] = []

    def liaison_of(self, agency):
        return agency.liaisons.first() or self.staff

    def cast_of(self, proposal):
        return next(c for c in self.casts if c.session.committee_id == proposal.session.committee_id)

    def agencies(self, cast):
        return [cast.agency, cast.co_agency, cast.other_agency, cast.spare_agency]

    def pick(self, queryset):
        rows = list(queryset.order_by("pk"))
        return self.rng.choice(rows) if rows else None

    def step(self):
        self.day = min(self.day + datetime.timedelta(days=self.rng.choice([0, 0, 1, 1, 2])), timezone.localdate())
        actions = self.actions()
        name = self.rng.choices(list(actions), weights=[WEIGHTS.get(n, 1) for n in actions])[0]
        action = actions[name]
        try:
            with transaction.atomic():
                if action():
                    self.done.append(name)
        except ServiceError:
            pass

    def actions(self):
        rng, staff, day = self.rng, self.staff, self.day
        A, S = Assignment.Status, Proposal.Status

        def propose():
            cast = rng.choice(self.casts)
            proposal = services.proposal_create(actor=staff, session=cast.session, title="关于改善城区交通的提案",
                                                proposers=[cast.proposer], body="建议……")
            return services.proposal_submit(actor=staff, proposal=proposal)

        def review():
            proposal = self.pick(Proposal.objects.filter(status=S.SUBMITTED))
            if proposal is None:
                return False
            how = rng.choice(["file"] * 6 + ["reject", "convert", "withdraw", "merge"])
            if how == "merge":
                into = self.pick(Proposal.objects.filter(status=S.FILED, session=proposal.session))
                if into is None:
                    return False
                return services.proposal_merge(actor=staff, proposal=proposal, into=into, reason="内容相近")
            step = {"file": services.proposal_file, "reject": services.proposal_reject,
                    "convert": services.proposal_convert, "withdraw": services.proposal_withdraw}[how]
            return step(actor=staff, proposal=proposal, **({} if how == "file" else {"reason": "理由"}))

        def assign():
            proposal = self.pick(Proposal.objects.filter(status=S.FILED))
            if proposal is None:
                return False
            lead, co, *_ = rng.sample(self.agencies(self.cast_of(proposal)), 4)
            return services.proposal_assign(actor=staff, proposal=proposal, lead=lead,
                                            co=[co] if rng.random() < 0.5 else [], assigned_on=day)

        def open_assignment(*statuses):
            return self.pick(Assignment.objects.filter(status__in=statuses or Assignment.OPEN_STATUSES))

        def acknowledge():
            a = open_assignment(A.ASSIGNED)
            return a and services.assignment_acknowledge(actor=self.liaison_of(a.agency), assignment=a, on=day)

        def object_():
            a = open_assignment(A.ASSIGNED)
            return a and services.assignment_object(actor=self.liaison_of(a.agency), assignment=a,
                                                    reason="不属于本单位职责", on=day)

        def decide():
            a = open_assignment(A.OBJECTED)
            if not a:
                return False
            if rng.random() < 0.5:
                return services.assignment_decide_objection(actor=staff, assignment=a, uphold=False, note="仍由原单位办理",
                                                            on=day)
            agency = self.cast_of(a.proposal).spare_agency
            return services.assignment_decide_objection(actor=staff, assignment=a, uphold=True, new_agency=agency,
                                                        note="改由其他单位办理", on=day)

        def extend():
            a = open_assignment(A.ASSIGNED, A.ACKNOWLEDGED)
            return a and a.due_on and services.assignment_extend(
                actor=staff, assignment=a, new_due_on=a.due_on + datetime.timedelta(days=rng.choice([7, 30])),
                reason="情况复杂")

        def urge():
            a = open_assignment()
            return a and services.assignment_urge(actor=staff, assignment=a, message="请抓紧办理", on=day)

        def reply():
            a = open_assignment(A.ACKNOWLEDGED, A.REHANDLING)
            if not a:
                return False
            fields = {"title": "关于提案的答复", "body": "经研究,答复如下……"}
            if a.role != Assignment.Role.CO:
                fields["classification"] = rng.choice("ABCD")
            draft = reply_services.reply_create(actor=self.liaison_of(a.agency), assignment=a, **fields)
            if rng.random() < 0.8:
                draft = reply_services.reply_submit(actor=staff, reply=draft, on=day)
                if a.role != Assignment.Role.CO and rng.random() < 0.5:
                    draft = reply_services.reply_publish(actor=staff, reply=draft, on=day)
            return draft

        def publish():
            r = self.pick(Reply.objects.filter(status=Reply.Status.SUBMITTED, kind=Reply.Kind.REPLY))
            return r and reply_services.reply_publish(actor=staff, reply=r, on=day)

        def rate():
            r = self.pick(Reply.objects.filter(kind=Reply.Kind.REPLY, assignment__proposal__status=S.REPLIED)
                          .exclude(status=Reply.Status.DRAFT))
            if not r:
                return False
            proposal = r.assignment.proposal
            return feedback_give(actor=staff, reply=r, proposer=proposal.proposers.first(), rating=rng.choice(RATINGS),
                                 comments="未解决实际问题", on=day)

        def close():
            proposal = self.pick(Proposal.objects.filter(status=S.REPLIED))
            return proposal and proposal_close(actor=staff, proposal=proposal, note="办结", on=day)

        def correct_agency():
            a = open_assignment()
            if not a:
                return False
            agency = rng.choice(self.agencies(self.cast_of(a.proposal)))
            return services.assignment_correct_agency(actor=staff, assignment=a, agency=agency, reason="录入有误")

        def correct_date():
            a = self.pick(Assignment.objects.exclude(assigned_on=None))
            return a and services.assignment_correct_date(
                actor=staff, assignment=a, assigned_on=a.assigned_on - datetime.timedelta(days=rng.choice([1, 5, 100])),
                reason="录入有误")

        def move_session():
            proposal = self.pick(Proposal.objects.exclude(status=S.DRAFT))
            if not proposal:
                return False
            same = [c.session for c in self.casts if c.session.committee_id == proposal.session.committee_id]
            return services.proposal_correct_number(actor=staff, proposal=proposal, number=f"9{proposal.pk:03d}",
                                                    session=rng.choice(same), reason="录入有误")

        def add_or_drop_co():
            a = open_assignment(A.ASSIGNED, A.ACKNOWLEDGED)
            if not a:
                return False
            if a.role == Assignment.Role.CO:
                if rng.random() < 0.5:
                    return services.assignment_swap_with_lead(actor=staff, assignment=a, reason="调整", on=day)
                return services.assignment_drop_co(actor=staff, assignment=a, reason="不再需要")
            agency = rng.choice(self.agencies(self.cast_of(a.proposal)))
            return services.assignment_add_co(actor=staff, assignment=a, agency=agency, reason="需要会办", on=day)

        def contact():
            a = open_assignment(A.ACKNOWLEDGED)
            return a and services.contact_record(actor=self.liaison_of(a.agency), assignment=a, stage="during",
                                                 form="phone", date=day, note="电话沟通")

        def mark_key():
            proposal = self.pick(Proposal.objects.filter(status__in=[S.FILED, S.ASSIGNED]))
            if not proposal:
                return False
            services.proposal_mark_key(actor=staff, proposal=proposal, leader="副主席")
            return services.supervision_record(actor=staff, proposal=proposal, note="实地督办", date=day)

        def holiday():
            date = day - datetime.timedelta(days=rng.randrange(0, 60))
            existing = CalendarDay.objects.filter(date=date).first()
            if existing:
                existing.delete()
            else:
                CalendarDay.objects.create(date=date, kind=CalendarDay.Kind.HOLIDAY, name="临时假日")
            deadlines_flag_for_calendar_change(actor=staff, dates=[date])
            return True

        return {
            "propose": propose, "review": review, "assign": assign, "acknowledge": acknowledge, "object": object_,
            "decide": decide, "extend": extend, "urge": urge,
            "reply": reply, "publish": publish, "rate": rate, "close": close,
            "correct_agency": correct_agency, "correct_date": correct_date, "move_session": move_session,
            "co": add_or_drop_co, "holiday": holiday, "contact": contact, "mark_key": mark_key,
        }


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_kept_figures_equal_a_count_from_scratch_after_a_random_walk(seed):
    walk = Walk(seed)
    for n in range(1, 241):
        walk.step()
        if n % 80 == 0:
            assert_kept_equals_live(walk.staff, [walk.day, walk.day - datetime.timedelta(days=45),
                                                 START + datetime.timedelta(days=400)])
    # The walk went through the workflow, not only its first steps.
    assert {"propose", "review", "assign", "acknowledge", "reply", "rate", "urge", "holiday", "contact",
            "mark_key"} <= set(walk.done)
    assert Reply.objects.exclude(status=Reply.Status.DRAFT).exists()
    assert FigureFact.objects.filter(key__startswith="rating_").exists()


def test_rebuild_check_tells_a_tampered_count_and_the_rebuild_mends_it(cast_with_figures):
    out = io.StringIO()
    call_command("rebuild_figures", "--check", stdout=out)
    assert "equal a count from scratch" in out.getvalue()
    fact = FigureFact.objects.filter(key="assigned", n__gt=0).first()
    FigureFact.objects.filter(pk=fact.pk).update(n=fact.n + 5)
    err = io.StringIO()
    with pytest.raises(SystemExit) as exited:
        call_command("rebuild_figures", "--check", stdout=io.StringIO(), stderr=err)
    assert exited.value.code == 1
    assert f"{fact.session_id}|{fact.agency_id}|assigned: kept {fact.n + 5}, counted {fact.n}" in err.getvalue()
    call_command("rebuild_figures", stdout=io.StringIO())
    call_command("rebuild_figures", "--check", stdout=io.StringIO())
    assert FigureFact.objects.get(session_id=fact.session_id, agency_id=fact.agency_id,
                                  key="assigned").n == fact.n


@pytest.fixture
def cast_with_figures():
    walk = Walk(7)
    for _ in range(160):
        walk.step()
    assert FigureFact.objects.filter(key="assigned").exists()
    return walk


def test_loaddata_marks_the_figures_unbuilt_and_the_report_is_counted_live(cast_with_figures, tmp_path):
    staff = cast_with_figures.staff
    proposal = Proposal.objects.exclude(status=Proposal.Status.DRAFT).first()
    fixture = tmp_path / "more.json"
    out = io.StringIO()
    call_command("dumpdata", "proposals.proposal", f"--pks={proposal.pk}", stdout=out)
    fixture.write_text(out.getvalue().replace('"title": "', '"title": "改 '), encoding="utf-8")
    call_command("loaddata", str(fixture), verbosity=0)
    assert not kept_figures.is_built()
    figures = proposal_stats(proposals=Proposal.objects.all(), user=staff, group_by="session")
    assert figures["total"]["received"] == Proposal.objects.exclude(status=Proposal.Status.DRAFT).count()
    call_command("rebuild_figures", stdout=io.StringIO())
    assert kept_figures.is_built()
    assert kept_stats(proposals=Proposal.objects.all(), user=staff, group_by="session") == figures


def test_a_calendar_change_past_the_limit_leaves_the_report_counted_live(cast_with_figures, monkeypatch):
    walk = cast_with_figures
    replied = Assignment.objects.answering().filter(status=Assignment.Status.REPLIED).order_by("pk").first()
    if replied is None:
        pytest.fail("the walk replied to nothing")
    monkeypatch.setattr(kept_figures, "CALENDAR_REFRESH_LIMIT", 0)
    CalendarDay.objects.create(date=replied.replied_on, kind=CalendarDay.Kind.HOLIDAY, name="临时假日")
    deadlines_flag_for_calendar_change(actor=walk.staff, dates=[replied.replied_on])
    assert not kept_figures.is_built()
    call_command("rebuild_figures", stdout=io.StringIO())
    assert_kept_equals_live(walk.staff, [walk.day])
