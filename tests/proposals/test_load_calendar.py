"""manage.py load_calendar: loads or refreshes the holiday years the installed chinese-calendar
package knows, idempotently, reports what it did, refuses a year the package does not know, and
flags the deadlines that read a day it changed (issue 8)."""
import datetime
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from proposals import services
from proposals.calendar import chinese_calendar_years
from proposals.models import Assignment, CalendarDay, Event, Proposal
from tests.factories import assignment_at, make_cast, proposal_at

D = datetime.date
A = Assignment.Status


def load(*args):
    out = StringIO()
    call_command("load_calendar", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_a_year_already_loaded_is_left_as_it_is():
    before = list(CalendarDay.objects.filter(date__year=2024).values_list("date", "kind", "name"))
    output = load("--year", "2024")
    assert "2024年:新增 0 天,更改 0 天" in output
    assert list(CalendarDay.objects.filter(date__year=2024).values_list("date", "kind", "name")) == before


@pytest.mark.django_db
def test_missing_and_altered_days_are_restored_and_reported():
    CalendarDay.objects.filter(date__in=[D(2024, 10, 1), D(2024, 10, 2)]).delete()
    CalendarDay.objects.filter(date=D(2024, 9, 29)).update(kind=CalendarDay.Kind.HOLIDAY)  # really 调休上班
    CalendarDay.objects.filter(date=D(2024, 10, 3)).update(name="错名")
    staff_day = CalendarDay.objects.create(date=D(2024, 12, 24), kind=CalendarDay.Kind.HOLIDAY, name="本地假日")

    output = load("--year", "2024")

    assert "2024年:新增 2 天,更改 2 天" in output
    assert "2024-10-01" in output and "2024-09-29" in output
    assert CalendarDay.objects.get(date=D(2024, 10, 1)).kind == CalendarDay.Kind.HOLIDAY
    assert CalendarDay.objects.get(date=D(2024, 9, 29)).kind == CalendarDay.Kind.WORKDAY
    assert CalendarDay.objects.get(date=D(2024, 10, 3)).name == "国庆节"
    # A day staff entered that the package does not list is kept, and named.
    assert CalendarDay.objects.filter(pk=staff_day.pk).exists() and "2024-12-24" in output
    # Run again: nothing left to do.
    assert "2024年:新增 0 天,更改 0 天" in load("--year", "2024")


@pytest.mark.django_db
def test_without_a_year_every_year_the_package_knows_is_loaded():
    years = chinese_calendar_years()
    CalendarDay.objects.filter(date__year=years[0]).delete()
    output = load()
    assert f"{years[0]}年:新增" in output and f"{years[-1]}年:" in output
    assert CalendarDay.objects.filter(date__year=years[0], kind=CalendarDay.Kind.HOLIDAY).exists()


@pytest.mark.django_db
def test_a_year_the_package_does_not_know_is_refused_with_a_clear_message():
    unknown = chinese_calendar_years()[-1] + 1
    with pytest.raises(CommandError) as error:
        load("--year", str(unknown))
    assert f"没有{unknown}年的节假日安排" in str(error.value)
    assert not CalendarDay.objects.filter(date__year=unknown).exists()


@pytest.mark.django_db
def test_restoring_days_flags_the_deadlines_that_read_them():
    cast = make_cast()
    CalendarDay.objects.filter(date__range=(D(2024, 10, 1), D(2024, 10, 7))).delete()
    proposal = proposal_at(cast, Proposal.Status.FILED)
    services.proposal_assign(actor=cast.staff, proposal=proposal, lead=cast.agency, assigned_on=D(2024, 9, 27))
    counted_the_holidays = proposal.assignments.get()
    # 09-29 (调休 Sunday) 1, 09-30 2, then 10-01…10-03 taken for working days.
    assert counted_the_holidays.objection_due_on == D(2024, 10, 3)
    elsewhere = assignment_at(cast, A.ACKNOWLEDGED)  # March 2024

    load("--year", "2024")

    counted_the_holidays.refresh_from_db()
    assert "2024-10-01" in counted_the_holidays.deadline_review
    assert counted_the_holidays.objection_due_on == D(2024, 10, 3)  # flagged for review, not recomputed
    event = Event.objects.get(assignment=counted_the_holidays, action="deadline_review")
    assert event.actor is None and event.data["dates"][0] == "2024-10-01"
    assert not Assignment.objects.get(pk=elsewhere.pk).deadline_review
