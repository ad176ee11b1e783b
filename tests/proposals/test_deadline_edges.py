"""Deadline edges found by testers (issue 8): periods ending on a rest day, the extension cap
after re-handling, deadlines that run past the holiday years loaded, and stored deadlines
flagged for review when the calendar or a deadline rule changes (domain.md, "Rules decided")."""
import datetime

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import translation

from proposals import deadlines, services
from proposals.calendar import WorkCalendar, calendar_years, loaded_years
from proposals.event_text import event_text
from proposals.models import Assignment, CalendarDay, Event, Proposal
from proposals.services import InvalidInput
from proposals.services.calendar import deadlines_flag_for_calendar_change
from proposals.visibility import Viewer
from replies import services as reply_services
from tests.api_support import client_for
from tests.factories import (
    WORKFLOW_ASSIGNED_ON,
    admin_cast,
    assignment_at,
    proposal_at,
    reply_sent,
)

P = Proposal.Status
A = Assignment.Status
D = datetime.date
NATIONAL_DAY_2024 = [D(2024, 10, day) for day in range(1, 8)]


@pytest.fixture
def cast(db):
    return admin_cast()


def assign(cast, on, **plan):
    proposal = proposal_at(cast, P.FILED)
    services.proposal_assign(actor=cast.staff, proposal=proposal, assigned_on=on, **(plan or {"lead": cast.agency}))
    return {a.role: a for a in proposal.assignments.all()}


def set_rule(owner, name, value):
    setattr(owner, name, value)
    owner.save()


# --- 1. A period that ends on a rest day moves to the next working day (Civil Code art. 203) ---------------

def test_a_reply_period_ending_on_national_day_moves_to_the_next_working_day(cast):
    lead = assign(cast, D(2024, 7, 1))["lead"]
    assert lead.due_on == D(2024, 10, 8)
    due = lead.due_explanation["due"]
    assert (due["shifted_from"], due["shifted_over"], due["rest_day_shift"]) == ("2024-10-01", "holiday", True)
    assert due["text"] == "答复期限:自交办日 2024-07-01起 3 个月,至 2024-10-01,遇法定节假日顺延至 2024-10-08"
    assert Proposal.objects.get(pk=lead.proposal_id).next_due_on == D(2024, 10, 8)


def test_a_period_ending_on_a_weekend_moves_to_monday(cast):
    lead = assign(cast, D(2024, 3, 15))["lead"]  # + 3 months = Saturday 2024-06-15
    assert lead.due_on == D(2024, 6, 17)
    assert lead.due_explanation["due"]["text"].endswith("至 2024-06-15,遇周末顺延至 2024-06-17")


def test_a_co_opinion_ending_on_qingming_moves_to_the_make_up_sunday(cast):
    """2024-04-04…06 are 清明 holidays and Sunday 2024-04-07 is a make-up working day."""
    assignments = assign(cast, WORKFLOW_ASSIGNED_ON, lead=cast.agency, co=[cast.co_agency])
    assert assignments["co"].due_on == D(2024, 4, 7)
    assert assignments["lead"].due_on == D(2024, 6, 4)  # a Tuesday: nothing to move
    assert "shifted_from" not in assignments["lead"].due_explanation["due"] or \
        assignments["lead"].due_explanation["due"]["shifted_from"] is None


def test_a_period_ending_on_a_make_up_working_day_stays(cast):
    lead = assign(cast, D(2024, 6, 29))["lead"]  # + 3 months = Sunday 2024-09-29, 调休上班
    assert lead.due_on == D(2024, 9, 29)
    assert lead.due_explanation["due"]["shifted_from"] is None
    assert lead.due_explanation["due"]["text"] == "答复期限:自交办日 2024-06-29起 3 个月,至 2024-09-29"


@pytest.mark.parametrize("committee_value, session_value, due", [
    (False, None, D(2024, 10, 1)),  # the committee turns the rule off
    (False, True, D(2024, 10, 8)),  # its session turns it back on
    (None, False, D(2024, 10, 1)),  # a session turns the default off
])
def test_the_rest_day_rule_is_set_per_committee_and_session(cast, committee_value, session_value, due):
    set_rule(cast.session.committee, "rest_day_shift", committee_value)
    set_rule(cast.session, "rest_day_shift", session_value)
    cast.session.refresh_from_db()
    lead = assign(cast, D(2024, 7, 1))["lead"]
    assert lead.due_on == due
    if due == D(2024, 10, 1):
        assert lead.due_explanation["due"]["text"] == "答复期限:自交办日 2024-07-01起 3 个月,至 2024-10-01"
        assert lead.due_explanation["due"]["rest_day_shift"] is False


def test_a_session_fixed_date_is_an_explicit_date_and_is_not_moved(cast):
    set_rule(cast.session, "reply_fixed_date", D(2024, 10, 1))
    lead = assign(cast, D(2024, 7, 1))["lead"]
    assert lead.due_on == D(2024, 10, 1)
    assert lead.due_explanation["due"]["shifted_from"] is None


def test_a_re_handling_period_ending_on_a_holiday_moves_too(cast):
    lead = assignment_at(cast, A.ACKNOWLEDGED)
    reply = reply_sent(cast, lead, on=D(2024, 8, 30))
    reply_services.feedback_give(actor=cast.staff, reply=reply, proposer=cast.proposer, rating="dissatisfied",
                                 comments="未解决", on=D(2024, 9, 1))
    lead.refresh_from_db()
    assert (lead.status, lead.due_on) == (A.REHANDLING, D(2024, 10, 8))
    assert lead.due_explanation["due"]["text"] == (
        "重新办理期限:自不满意评价日 2024-09-01起 1 个月,至 2024-10-01,遇法定节假日顺延至 2024-10-08")
    event = Event.objects.get(assignment=lead, action="rehandle")
    assert event.data["due_on"] == "2024-10-08" and event.data["deadline"]["shifted_from"] == "2024-10-01"


def test_the_shift_is_data_rebuilt_at_read_time_and_old_data_still_reads():
    calendar = WorkCalendar(holidays=frozenset(NATIONAL_DAY_2024), loaded_years=frozenset({2024}))
    due = deadlines.months_deadline("reply_months", "assigned", D(2024, 7, 1), 3, rest_days=calendar)
    assert (due.due_on, due.shifted_from) == (D(2024, 10, 8), D(2024, 10, 1))
    assert deadlines.deadline_from_dict(due.as_dict()) == due
    # A dict stored before issue 8 has none of the new keys: it reads as an unmoved deadline.
    old = {"due_on": "2024-06-04", "rule": "reply_months", "start_event": "assigned", "start_on": "2024-03-04",
           "amount": 3, "unit": "months", "skipped_holidays": [], "counted_workdays": [], "extension": {},
           "text": "答复期限:自交办日 2024-03-04起 3 个月,至 2024-06-04"}
    assert deadlines.deadline_from_dict(old).explain() == old["text"]


def test_without_the_calendar_the_month_end_is_kept():
    due = deadlines.months_deadline("reply_months", "assigned", D(2024, 7, 1), 3)
    assert (due.due_on, due.shifted_from, due.rest_day_shift) == (D(2024, 10, 1), None, False)


# --- 2. The extension cap: from the assignment, and re-handling's own cap -------------------------------------

def test_a_re_handling_extension_is_capped_from_the_dissatisfied_rating(cast):
    lead = assignment_at(cast, A.REHANDLING)  # rated 不满意 on 2024-05-07, re-handling due 2024-06-07
    assert lead.due_on == D(2024, 6, 7)
    # Before issue 8 the 6-month cap ran from the rating: 2024-11-07, 8 months after the assignment.
    for too_late in (D(2024, 11, 7), D(2024, 7, 8)):
        with pytest.raises(InvalidInput) as error:
            services.assignment_extend(actor=cast.staff, assignment=lead, new_due_on=too_late, reason="复杂")
        assert error.value.field == "new_due_on" and "2024-07-07" in str(error.value)
    services.assignment_extend(actor=cast.staff, assignment=lead, new_due_on=D(2024, 7, 7), reason="复杂")
    lead.refresh_from_db()
    assert lead.due_on == D(2024, 7, 7)
    extension = lead.due_explanation["due"]["extension"]
    assert (extension["max_due_on"], extension["cap_start_event"], extension["cap_months"]) == (
        "2024-07-07", "dissatisfied", 2)
    assert "延期上限 2024-07-07(自不满意评价日 2024-05-07起 2 个月)" in lead.due_explanation["due"]["text"]


def test_the_re_handling_cap_is_a_session_rule(cast):
    set_rule(cast.session, "rehandle_max_months", 3)
    lead = assignment_at(cast, A.REHANDLING)
    services.assignment_extend(actor=cast.staff, assignment=lead, new_due_on=D(2024, 8, 7), reason="复杂")
    assert Assignment.objects.get(pk=lead.pk).due_on == D(2024, 8, 7)


def test_the_original_cap_counts_from_the_assignment_and_is_explained(cast):
    lead = assignment_at(cast, A.ACKNOWLEDGED)
    services.assignment_extend(actor=cast.staff, assignment=lead, new_due_on=D(2024, 8, 1), reason="情况复杂")
    lead.refresh_from_db()
    text = lead.due_explanation["due"]["text"]
    assert text.startswith("答复期限:自交办日 2024-03-04起 3 个月,至 2024-06-04;经批准延期至 2024-08-01")
    assert text.endswith(";延期上限 2024-09-04(自交办日 2024-03-04起 6 个月)")
    with pytest.raises(InvalidInput):  # a second extension: still 6 months from the assignment
        services.assignment_extend(actor=cast.staff, assignment=lead, new_due_on=D(2024, 9, 5), reason="仍需论证")


# --- 3. The holiday years loaded, and deadlines computed past them --------------------------------------------

@pytest.mark.django_db
def test_a_year_counts_as_loaded_when_it_has_holidays():
    years = {row.year: row for row in calendar_years()}
    assert years[2024].holidays > 20 and years[2024].workdays > 0
    assert 2027 not in years and 2027 not in loaded_years()
    CalendarDay.objects.create(date=D(2027, 2, 7), kind=CalendarDay.Kind.WORKDAY, name="春节")
    assert 2027 not in loaded_years()  # a make-up working day alone does not make a year
    CalendarDay.objects.create(date=D(2027, 2, 8), kind=CalendarDay.Kind.HOLIDAY, name="春节")
    assert 2027 in loaded_years()


def test_a_deadline_computed_past_the_loaded_years_says_so(cast):
    # 2025 taken out, as a year not yet loaded is (the package and the date of the run do not matter).
    CalendarDay.objects.filter(date__year=2025).delete()
    lead = assign(cast, D(2024, 12, 27))["lead"]
    # 12-30 1, 12-31 2, then New Year's Day 2025-01-01 taken for a working day: 3, 01-02 4, 01-03 5.
    assert lead.objection_due_on == D(2025, 1, 3)
    for key in ("objection", "due"):  # the reply's end, 2025-03-27, was checked for a rest day
        part = lead.due_explanation[key]
        assert part["calendar_missing_years"] == [2025]
        assert part["text"].endswith(";未载入2025年的节假日数据,期限可能不准确")
    inside = assign(cast, D(2024, 7, 1))["lead"]
    assert inside.due_explanation["objection"]["calendar_missing_years"] == []
    assert "期限可能不准确" not in inside.due_explanation["due"]["text"]


def test_a_month_deadline_that_read_no_calendar_gives_no_warning(cast):
    CalendarDay.objects.filter(date__year=2025).delete()
    set_rule(cast.session, "rest_day_shift", False)
    lead = assign(cast, D(2024, 11, 4))["lead"]  # due 2025-02-04; the objection window stays in 2024
    assert lead.due_explanation["due"]["calendar_missing_years"] == []
    assert lead.due_explanation["objection"]["calendar_missing_years"] == []


def test_the_calendar_admin_shows_the_years_loaded_and_warns_about_the_next(client, cast):
    client.force_login(cast.staff)
    next_year = datetime.date.today().year + 1
    CalendarDay.objects.filter(date__year=next_year).delete()
    response = client.get(reverse("admin:proposals_calendarday_changelist"))
    messages = [str(m) for m in get_messages(response.wsgi_request)]
    assert any("已载入节假日安排的年份:2004—" in m for m in messages), messages
    assert any(f"尚未载入{next_year}年的节假日安排" in m for m in messages), messages

    CalendarDay.objects.create(date=D(next_year, 1, 1), kind=CalendarDay.Kind.HOLIDAY, name="元旦")
    response = client.get(reverse("admin:proposals_calendarday_changelist"))
    assert not any("尚未载入" in str(m) for m in get_messages(response.wsgi_request))


# --- 3d. Changes to the calendar or the rules flag the deadlines that rest on them --------------------------

def flagged(*assignments):
    return [bool(Assignment.objects.get(pk=a.pk).deadline_review) for a in assignments]


def test_a_holiday_added_through_the_api_flags_the_windows_that_counted_that_day(cast):
    running = assignment_at(cast, A.ACKNOWLEDGED)  # objection window 2024-03-05…2024-03-11
    closed = assignment_at(cast, A.CLOSED)  # the same dates, but nothing left to do
    later = assign(cast, D(2024, 9, 2))["lead"]
    staff = client_for(cast.staff)
    response = staff.post("/api/calendar-days/", {"date": "2024-03-08", "kind": "holiday", "name": "测试"},
                          format="json")
    assert response.status_code == 201
    assert flagged(running, closed, later) == [True, False, False]
    running.refresh_from_db()
    assert "2024-03-08" in running.deadline_review
    event = Event.objects.get(assignment=running, action="deadline_review")
    assert event.actor == cast.staff and event.data["dates"] == ["2024-03-08"]
    # The event's words are written from its data when read, in the reader's language.
    assert event_text(Viewer.of(cast.liaison), event) == "节假日安排已变更(2024-03-08),请复核期限"
    # What staff and the API show.
    detail = staff.get(f"/api/assignments/{running.pk}/").json()
    assert detail["deadline_review"] == running.deadline_review
    assert staff.get(f"/api/assignments/{later.pk}/").json()["deadline_review"] == ""


def test_deleting_a_holiday_that_moved_a_deadline_flags_it(cast):
    moved = assign(cast, D(2024, 7, 1))["lead"]  # 2024-10-01 moved to 2024-10-08
    other = assign(cast, D(2024, 3, 4))["lead"]
    day = CalendarDay.objects.get(date=D(2024, 10, 7))
    assert client_for(cast.staff).delete(f"/api/calendar-days/{day.pk}/").status_code == 204
    assert flagged(moved, other) == [True, False]


def test_moving_a_calendar_day_through_the_api_flags_both_dates(cast):
    running = assignment_at(cast, A.ACKNOWLEDGED)  # objection window 2024-03-05…2024-03-11
    day = CalendarDay.objects.create(date=D(2024, 12, 2), kind=CalendarDay.Kind.HOLIDAY, name="测试")
    response = client_for(cast.staff).patch(f"/api/calendar-days/{day.pk}/", {"date": "2024-03-06"},
                                            format="json")
    assert response.status_code == 200
    assert flagged(running) == [True]


def test_calendar_changes_through_the_admin_flag_too(client, cast):
    running = assignment_at(cast, A.ACKNOWLEDGED)
    client.force_login(cast.staff)
    response = client.post(reverse("admin:proposals_calendarday_add"),
                           {"date": "2024-03-07", "kind": "holiday", "name": "测试"})
    assert response.status_code == 302
    assert flagged(running) == [True]
    assert "1 个交办的期限因此标记为待复核,请复核" in [str(m) for m in get_messages(response.wsgi_request)]
    page = client.get(reverse("admin:proposals_assignment_change", args=[running.pk]))
    assert "期限待复核" in page.content.decode() and "2024-03-07" in page.content.decode()

    Assignment.objects.filter(pk=running.pk).update(deadline_review="")
    day = CalendarDay.objects.get(date=D(2024, 3, 7))
    response = client.post(reverse("admin:proposals_calendarday_delete", args=[day.pk]), {"post": "yes"})
    assert response.status_code == 302 and not CalendarDay.objects.filter(pk=day.pk).exists()
    assert flagged(running) == [True]


def test_flagging_twice_for_the_same_change_keeps_one_reason(cast):
    running = assignment_at(cast, A.ACKNOWLEDGED)
    for _ in range(2):
        deadlines_flag_for_calendar_change(actor=cast.staff, dates=[D(2024, 3, 8)])
    running.refresh_from_db()
    assert running.deadline_review.count("2024-03-08") == 1
    assert Event.objects.filter(assignment=running, action="deadline_review").count() == 1


def test_a_session_rule_changed_through_the_api_flags_the_deadlines_it_set(cast):
    lead = assignment_at(cast, A.ACKNOWLEDGED)
    proposal = proposal_at(cast, P.ASSIGNED, co=True)
    co = proposal.assignments.get(role=Assignment.Role.CO)
    closed = assignment_at(cast, A.CLOSED)
    staff = client_for(cast.staff)
    assert staff.patch(f"/api/sessions/{cast.session.pk}/", {"year": 2024}, format="json").status_code == 200
    assert flagged(lead, co, closed) == [False, False, False]  # not a deadline rule

    assert staff.patch(f"/api/sessions/{cast.session.pk}/", {"reply_months": 4}, format="json").status_code == 200
    assert flagged(lead, co, closed) == [True, False, False]
    lead.refresh_from_db()
    assert "答复期限(月)" in lead.deadline_review
    assert lead.due_on == D(2024, 6, 4)  # flagged for review, not recomputed
    event = Event.objects.get(assignment=lead, action="deadline_review")
    assert event.data["rules"] == ["reply_months"]


def test_a_committee_rule_flags_only_the_sessions_that_inherit_it(cast):
    plain = assignment_at(cast, A.ACKNOWLEDGED)  # due Tuesday 2024-06-04: no rest day involved
    moved = assign(cast, D(2024, 7, 1))["lead"]  # 2024-10-01 moved to 2024-10-08
    set_rule(cast.session, "reply_months", 3)  # the session sets its own
    staff = client_for(cast.staff)
    committee = cast.session.committee
    assert staff.patch(f"/api/committees/{committee.pk}/", {"reply_months": 4}, format="json").status_code == 200
    assert flagged(plain, moved) == [False, False]

    # Turned off: only the dates that moved would not move now.
    response = staff.patch(f"/api/committees/{committee.pk}/", {"rest_day_shift": False}, format="json")
    assert response.status_code == 200
    assert flagged(plain, moved) == [False, True]
    assert "期限届满日为休息日的顺延" in Assignment.objects.get(pk=moved.pk).deadline_review

    # Turned on again: the dates computed meanwhile that end on a rest day would move now.
    unmoved = assign(cast, D(2024, 7, 1))["lead"]
    assert unmoved.due_on == D(2024, 10, 1)
    response = staff.patch(f"/api/committees/{committee.pk}/", {"rest_day_shift": True}, format="json")
    assert response.status_code == 200
    assert flagged(plain, unmoved) == [False, True]


def test_a_session_rule_changed_in_the_admin_flags_too(client, cast):
    lead = assignment_at(cast, A.ACKNOWLEDGED)
    client.force_login(cast.staff)
    session = cast.session
    data = {"committee": session.committee_id, "term": session.term, "number": session.number, "year": "",
            "opened_on": "", "closed_on": "", "reply_fixed_date": "2024-06-30",
            "rest_day_shift": "unknown", "opinion_blocks_reply": "unknown"}
    response = client.post(reverse("admin:proposals_session_change", args=[session.pk]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert flagged(lead) == [True]
    assert "统一办复日期" in Assignment.objects.get(pk=lead.pk).deadline_review


def test_an_approved_extension_settles_a_flagged_deadline(cast):
    lead = assignment_at(cast, A.ACKNOWLEDGED)
    deadlines_flag_for_calendar_change(actor=cast.staff, dates=[D(2024, 3, 8)])
    services.assignment_extend(actor=cast.staff, assignment=lead, new_due_on=D(2024, 7, 1), reason="复核后延期")
    assert flagged(lead) == [False]


def test_the_flag_reason_is_stored_in_the_source_language(cast):
    lead = assignment_at(cast, A.ACKNOWLEDGED)
    with translation.override("en"):
        deadlines_flag_for_calendar_change(actor=cast.staff, dates=[D(2024, 3, 8)])
    assert "节假日" in Assignment.objects.get(pk=lead.pk).deadline_review
