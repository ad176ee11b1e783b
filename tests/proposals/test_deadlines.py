"""Deadline rules (domain.md): calendar months, working days over real holidays, extensions,
the session's fixed date, per-committee and per-session overrides, overdue days, and the
explanation a person reads to check a date."""
import datetime

import pytest
from django.conf import settings

from proposals import deadlines, services
from proposals.calendar import WorkCalendar
from proposals.models import Assignment, CalendarDay, Event, Proposal
from proposals.selectors import (
    assignment_days_overdue,
    overdue_assignments,
    proposal_days_overdue,
    work_calendar,
)
from proposals.services import InvalidInput
from replies import services as reply_services
from tests.factories import (
    WORKFLOW_ASSIGNED_ON,
    WORKFLOW_FEEDBACK_ON,
    assignment_at,
    lead_assignment,
    make_cast,
    proposal_at,
    reply_sent,
)

P = Proposal.Status
A = Assignment.Status
D = datetime.date


@pytest.fixture
def cast(db):
    return make_cast()


def assign(cast, on, **plan):
    proposal = proposal_at(cast, P.FILED)
    plan = plan or {"lead": cast.agency, "co": [cast.co_agency]}
    services.proposal_assign(actor=cast.staff, proposal=proposal, assigned_on=on, **plan)
    return {a.role: a for a in proposal.assignments.all()}


# --- Calendar months -------------------------------------------------------------------------------------

@pytest.mark.parametrize("start, months, due", [
    (D(2024, 1, 31), 1, D(2024, 2, 29)),  # leap year: the month's last day
    (D(2023, 1, 31), 1, D(2023, 2, 28)),
    (D(2024, 11, 30), 3, D(2025, 2, 28)),  # across the year end
    (D(2023, 11, 30), 3, D(2024, 2, 29)),
    (D(2024, 8, 31), 1, D(2024, 9, 30)),
    (D(2024, 3, 31), 6, D(2024, 9, 30)),
    (D(2024, 12, 15), 1, D(2025, 1, 15)),
    (D(2024, 2, 29), 12, D(2025, 2, 28)),
])
def test_calendar_months(start, months, due):
    assert deadlines.add_months(start, months) == due


@pytest.mark.parametrize("assigned_on, reply_due, opinion_due", [
    (D(2024, 1, 31), D(2024, 4, 30), D(2024, 2, 29)),
    # 2023-04-30 is a Labour Day holiday (04-29…05-03): since issue 8 a period ending on a rest
    # day moves to the next working day (domain.md, "Rules decided"; test_deadline_edges.py).
    (D(2023, 1, 31), D(2023, 5, 4), D(2023, 2, 28)),
    (D(2024, 11, 30), D(2025, 2, 28), D(2024, 12, 30)),
])
def test_reply_three_months_and_co_opinion_one_month_after_assignment(cast, assigned_on, reply_due, opinion_due):
    assignments = assign(cast, assigned_on)
    assert assignments["lead"].due_on == reply_due
    assert assignments["co"].due_on == opinion_due
    assert assignments["lead"].due_explanation["due"]["rule"] == "reply_months"
    assert assignments["co"].due_explanation["due"]["rule"] == "co_opinion_months"


def test_a_month_deadline_explains_its_rule_start_and_due(cast):
    lead = assign(cast, WORKFLOW_ASSIGNED_ON, lead=cast.agency)["lead"]
    assert lead.due_explanation["due"]["text"] == "答复期限:自交办日 2024-03-04起 3 个月,至 2024-06-04"
    # What is stored reads back as the same deadline.
    restored = deadlines.deadline_from_dict(lead.due_explanation["due"])
    assert (restored.due_on, restored.rule, restored.start_on, restored.amount) == (
        D(2024, 6, 4), "reply_months", WORKFLOW_ASSIGNED_ON, 3)


# --- Working days over the real holiday calendar ------------------------------------------------------------

@pytest.mark.django_db
def test_the_holiday_calendar_is_seeded_by_the_migration():
    assert CalendarDay.objects.get(date=D(2024, 10, 1)).kind == CalendarDay.Kind.HOLIDAY
    assert CalendarDay.objects.get(date=D(2024, 9, 29)).kind == CalendarDay.Kind.WORKDAY  # a Sunday
    assert CalendarDay.objects.get(date=D(2024, 2, 10)).kind == CalendarDay.Kind.HOLIDAY


def test_objection_window_across_national_day_counts_the_make_up_sunday(cast):
    lead = assign(cast, D(2024, 9, 27), lead=cast.agency)["lead"]  # a Friday
    # 9-29 (Sunday, 调休上班) 1, 9-30 2, 10-1…10-7 holiday, 10-8 3, 10-9 4, 10-10 5.
    assert lead.objection_due_on == D(2024, 10, 10)
    explanation = lead.due_explanation["objection"]
    assert explanation["skipped_holidays"] == [f"2024-10-0{d}" for d in range(1, 8)]
    assert explanation["counted_workdays"] == ["2024-09-29"]
    text = explanation["text"]
    for part in ("交办异议期限", "交办日 2024-09-27", "5 个工作日", "2024-10-10", "跳过节假日 2024-10-01",
                 "计入调休上班日 2024-09-29"):
        assert part in text


def test_the_same_window_without_the_holiday_rows_would_be_wrong(db):
    """The calendar is data: without the rows the count is plain Monday to Friday."""
    plain = deadlines.add_working_days(D(2024, 9, 27), 5, WorkCalendar())[0]
    real = deadlines.add_working_days(D(2024, 9, 27), 5, work_calendar(D(2024, 9, 27), D(2024, 11, 30)))[0]
    assert (plain, real) == (D(2024, 10, 4), D(2024, 10, 10))


def test_feedback_window_across_the_spring_festival(cast):
    lead = assignment_at(cast, A.ACKNOWLEDGED)
    reply = reply_sent(cast, lead, on=D(2024, 2, 1))
    # 2-2 1, 2-4 (Sunday, 调休) 2, 2-5…2-9 3–7, 2-10…2-17 holiday, 2-18 (Sunday, 调休) 8,
    # 2-19…2-23 9–13, 2-26 14, 2-27 15.
    assert reply.feedback_due_on == D(2024, 2, 27)
    explanation = reply.feedback_due_explanation
    assert explanation["counted_workdays"] == ["2024-02-04", "2024-02-18"]
    assert explanation["skipped_holidays"] == [f"2024-02-{d}" for d in range(10, 18)]
    assert "征询意见期限" in explanation["text"] and "答复送达日 2024-02-01" in explanation["text"]


def test_a_calendar_day_added_by_staff_for_a_future_year_changes_the_result(cast):
    # 2027 is beyond the bundled calendar: until staff enter it, weekdays are working days. (An
    # assignment cannot be dated in the future, issue 8: the deadlines are computed directly.)
    from proposals.services.proposals import assignment_deadlines

    assert not CalendarDay.objects.filter(date__year=2027).exists()
    _, before = assignment_deadlines(cast.session, "lead", D(2027, 2, 1))
    assert before.due_on == D(2027, 2, 8)

    CalendarDay.objects.bulk_create(
        [CalendarDay(date=D(2027, 2, day), kind=CalendarDay.Kind.HOLIDAY, name="春节") for day in (5, 6, 8, 9, 10, 11)]
        + [CalendarDay(date=D(2027, 2, 7), kind=CalendarDay.Kind.WORKDAY, name="春节")]
    )
    _, after = assignment_deadlines(cast.session, "lead", D(2027, 2, 1))
    # 2-2 1, 2-3 2, 2-4 3, 2-7 (调休 Sunday) 4, 2-8…2-11 holiday, 2-12 5.
    assert after.due_on == D(2027, 2, 12)
    assert after.as_dict()["counted_workdays"] == ["2027-02-07"]


# --- Extension -----------------------------------------------------------------------------------------------

def test_extension_up_to_six_months_in_total(cast):
    lead = assignment_at(cast, A.ACKNOWLEDGED)
    assert lead.due_on == D(2024, 6, 4)
    services.assignment_extend(actor=cast.staff, assignment=lead, new_due_on=D(2024, 8, 1), reason="涉及多部门协调")

    lead.refresh_from_db()
    assert (lead.due_on, lead.original_due_on) == (D(2024, 8, 1), D(2024, 6, 4))
    assert (lead.extension_reason, lead.extension_approved_by) == ("涉及多部门协调", cast.staff)
    extension = lead.due_explanation["due"]["extension"]
    # Since issue 8 the extension also records where its cap counts from (6 months after the
    # assignment), which the explanation states.
    assert extension == {"due_on": "2024-08-01", "original_due_on": "2024-06-04", "reason": "涉及多部门协调",
                         "max_due_on": "2024-09-04", "cap_months": 6, "cap_start_event": "assigned",
                         "cap_start_on": "2024-03-04"}
    assert "经批准延期至 2024-08-01(原期限 2024-06-04,理由:涉及多部门协调)" in lead.due_explanation["due"]["text"]
    event = Event.objects.get(assignment=lead, action="extend")
    assert (event.actor, event.data) == (cast.staff, {"from": "2024-06-04", "to": "2024-08-01"})
    assert Proposal.objects.get(pk=lead.proposal_id).next_due_on == D(2024, 8, 1)

    # A second extension, to the very limit, still names the first deadline.
    services.assignment_extend(actor=cast.staff, assignment=lead, new_due_on=D(2024, 9, 4), reason="仍需论证")
    lead.refresh_from_db()
    assert lead.due_explanation["due"]["extension"]["original_due_on"] == "2024-06-04"


@pytest.mark.parametrize("new_due_on, reason, field", [
    (D(2024, 9, 5), "情况复杂", "new_due_on"),  # one day beyond 6 months after 2024-03-04
    (D(2024, 6, 4), "情况复杂", "new_due_on"),  # not later than the current deadline
    (D(2024, 8, 1), "  ", "reason"),
    ("2024-08-01", "情况复杂", "new_due_on"),
])
def test_extension_refused_with_the_field(cast, new_due_on, reason, field):
    lead = assignment_at(cast, A.ACKNOWLEDGED)
    before = Assignment.objects.values().get(pk=lead.pk)
    with pytest.raises(InvalidInput) as error:
        services.assignment_extend(actor=cast.staff, assignment=lead, new_due_on=new_due_on, reason=reason)
    assert error.value.field == field
    assert Assignment.objects.values().get(pk=lead.pk) == before
    assert not Event.objects.filter(action="extend").exists()


def test_an_imported_assignment_without_an_explanation_can_be_extended(cast):
    lead = assignment_at(cast, A.ACKNOWLEDGED)
    Assignment.objects.filter(pk=lead.pk).update(due_explanation={})
    services.assignment_extend(actor=cast.staff, assignment=lead, new_due_on=D(2024, 7, 1), reason="情况复杂")
    lead.refresh_from_db()
    assert lead.due_on == D(2024, 7, 1)
    assert lead.due_explanation["due"]["extension"]["original_due_on"] == "2024-06-04"


# --- The session's fixed date ("6月30日前办复") -------------------------------------------------------------------

def test_a_session_fixed_date_wins_over_the_month_rule(cast):
    cast.session.reply_fixed_date = D(2024, 6, 30)
    cast.session.reply_months = 2  # even an explicit month rule gives way
    cast.session.save()
    assignments = assign(cast, WORKFLOW_ASSIGNED_ON)
    lead = assignments["lead"]
    assert lead.due_on == D(2024, 6, 30)
    assert lead.due_explanation["due"]["unit"] == "fixed_date"
    assert "统一办复日期:2024-06-30" in lead.due_explanation["due"]["text"]
    # The opinion to the lead keeps its month: 2024-04-04, a 清明 holiday, moves to the make-up
    # working Sunday 2024-04-07 since issue 8 (a period ending on a rest day moves).
    assert assignments["co"].due_on == D(2024, 4, 7)

    # An extension of a fixed date still counts its 6 months from the assignment.
    with pytest.raises(InvalidInput):
        services.assignment_extend(actor=cast.staff, assignment=lead, new_due_on=D(2024, 9, 5), reason="复杂")
    services.assignment_extend(actor=cast.staff, assignment=lead, new_due_on=D(2024, 9, 4), reason="复杂")


def test_a_proposal_assigned_after_the_fixed_date_gets_the_month_rule(cast):
    cast.session.reply_fixed_date = D(2024, 6, 30)
    cast.session.save()
    lead = assign(cast, D(2024, 7, 15), lead=cast.agency)["lead"]
    assert lead.due_on == D(2024, 10, 15)
    assert lead.due_explanation["due"]["rule"] == "reply_months"


# --- Defaults and their overrides per committee and per session ---------------------------------------------

def test_defaults_are_the_documented_numbers(cast):
    assert settings.TRACKER_DEFAULT_RULES == {"reply_months": 3, "reply_max_months": 6, "co_opinion_months": 1,
                                              "objection_working_days": 5, "feedback_working_days": 15,
                                              "rehandle_months": 1, "rehandle_max_months": 2,
                                              "cosign_working_days": 3, "rest_day_shift": True,
                                              "opinion_blocks_reply": False,
                                              "remind_reply_working_days": [10, 3],
                                              "remind_opinion_working_days": [10, 3],
                                              "remind_objection_working_days": [2],
                                              "remind_feedback_working_days": [3],
                                              "escalate_after_working_days": 5}
    assert {name: cast.session.rule(name) for name in cast.session.RULE_FIELDS} == settings.TRACKER_DEFAULT_RULES


def _observe(rule, cast):
    """What the rule decides in a workflow assigned on 2024-03-04 (Monday)."""
    if rule in ("reply_months", "co_opinion_months", "objection_working_days"):
        assignments = assign(cast, WORKFLOW_ASSIGNED_ON)
        return {"reply_months": assignments["lead"].due_on, "co_opinion_months": assignments["co"].due_on,
                "objection_working_days": assignments["lead"].objection_due_on}[rule]
    proposal = proposal_at(cast, P.REPLIED)
    lead = lead_assignment(proposal)
    reply = lead.replies.get()
    if rule == "feedback_working_days":
        return reply.feedback_due_on
    if rule == "rehandle_months":
        reply_services.feedback_give(actor=cast.staff, reply=reply, proposer=cast.proposer, rating="dissatisfied",
                                     comments="未解决", on=WORKFLOW_FEEDBACK_ON)
        return Assignment.objects.get(pk=lead.pk).due_on
    if rule == "reply_max_months":
        # The limit an extension may reach: reached exactly, refused one day beyond.
        assignment = assignment_at(cast, A.ACKNOWLEDGED)
        limit = deadlines.add_months(assignment.assigned_on, cast.session.rule("reply_max_months"))
        with pytest.raises(InvalidInput):
            services.assignment_extend(actor=cast.staff, assignment=assignment,
                                       new_due_on=limit + datetime.timedelta(days=1), reason="复杂")
        services.assignment_extend(actor=cast.staff, assignment=assignment, new_due_on=limit, reason="复杂")
        return Assignment.objects.get(pk=assignment.pk).due_on
    raise AssertionError(rule)


# rule -> (committee value, what it gives; session value over that committee, what it gives)
# Since issue 8 a period ending on a rest day moves to the next working day: 2024-05-04 (Labour
# Day holidays) moves to 2024-05-06, Sunday 2024-07-07 to 2024-07-08.
OVERRIDES = {
    "reply_months": (2, D(2024, 5, 6), 4, D(2024, 7, 4)),
    "co_opinion_months": (2, D(2024, 5, 6), 3, D(2024, 6, 4)),
    "objection_working_days": (3, D(2024, 3, 7), 10, D(2024, 3, 18)),
    # after WORKFLOW_REPLIED_ON (2024-05-06): 2024-05-11 is a make-up Saturday
    "feedback_working_days": (5, D(2024, 5, 11), 10, D(2024, 5, 17)),
    "rehandle_months": (2, D(2024, 7, 8), 3, D(2024, 8, 7)),
    "reply_max_months": (4, D(2024, 7, 4), 5, D(2024, 8, 4)),
}


@pytest.mark.parametrize("level", ["committee", "session"])
@pytest.mark.parametrize("rule", list(OVERRIDES))
def test_each_default_is_overridden_per_committee_and_per_session(cast, rule, level):
    committee_value, committee_result, session_value, session_result = OVERRIDES[rule]
    committee = cast.session.committee
    setattr(committee, rule, committee_value)
    committee.save()
    if level == "session":
        setattr(cast.session, rule, session_value)
        cast.session.save()
    cast.session.refresh_from_db()
    expected = committee_result if level == "committee" else session_result
    assert _observe(rule, cast) == expected


# --- Overdue --------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("due_on, today, days", [
    (None, D(2024, 6, 10), 0),
    (D(2024, 6, 4), D(2024, 6, 4), 0),
    (D(2024, 6, 4), D(2024, 6, 3), 0),
    (D(2024, 6, 4), D(2024, 6, 10), 6),
    (D(2024, 12, 31), D(2025, 1, 2), 2),
])
def test_days_overdue(due_on, today, days):
    assert deadlines.days_overdue(due_on, today) == days


def test_an_assignment_and_its_proposal_know_how_late_they_are(cast):
    lead = assignment_at(cast, A.ACKNOWLEDGED)
    proposal = Proposal.objects.get(pk=lead.proposal_id)
    assert (assignment_days_overdue(lead, D(2024, 6, 4)), proposal_days_overdue(proposal, D(2024, 6, 4))) == (0, 0)
    assert (assignment_days_overdue(lead, D(2024, 6, 10)), proposal_days_overdue(proposal, D(2024, 6, 10))) == (6, 6)
    assert list(overdue_assignments(D(2024, 6, 10))) == [lead]

    services.assignment_extend(actor=cast.staff, assignment=lead, new_due_on=D(2024, 7, 1), reason="情况复杂")
    lead.refresh_from_db()
    proposal.refresh_from_db()
    assert (assignment_days_overdue(lead, D(2024, 6, 10)), proposal_days_overdue(proposal, D(2024, 6, 10))) == (0, 0)
    assert not overdue_assignments(D(2024, 6, 10)).exists()

    reply_sent(cast, lead, on=D(2024, 7, 5))  # four days late, then answered
    lead.refresh_from_db()
    proposal.refresh_from_db()
    assert (assignment_days_overdue(lead, D(2024, 7, 10)), proposal_days_overdue(proposal, D(2024, 7, 10))) == (0, 0)
    assert lead.replied_on == D(2024, 7, 5)
