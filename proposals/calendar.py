"""The working-day calendar: weekends, statutory holidays and make-up working days (调休上班日).

Holidays are data (CalendarDay rows, seeded from the chinese-calendar package by migration
0003, refreshed with ``manage.py load_calendar`` and maintained by staff), never constants in
code. A year counts as loaded when it has holiday rows: the State Council publishes each year's
arrangement late in the year before, and until someone loads it, weekdays of that year are
taken for working days. Deadlines computed over such a year say so (proposals.deadlines).
"""
from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.db.models.functions import ExtractYear

from proposals.models import CalendarDay

HOLIDAY_NAMES_ZH = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "抗战胜利70周年纪念日",
}

# How far past a period's end the next working day is looked for: the longest run of rest
# days (Spring Festival with its weekends) is about ten days.
REST_DAY_SEARCH_DAYS = 31


@dataclass(frozen=True)
class WorkCalendar:
    """Holidays and make-up working days over some span. ``loaded_years`` are the years whose
    arrangement was loaded (None: not known, as for a calendar built by hand in a test)."""

    holidays: frozenset[datetime.date] = field(default_factory=frozenset)
    workdays: frozenset[datetime.date] = field(default_factory=frozenset)
    loaded_years: frozenset[int] | None = None

    def is_working_day(self, day: datetime.date) -> bool:
        if day in self.workdays:
            return True
        if day in self.holidays:
            return False
        return day.weekday() < 5

    def missing_years(self, first: datetime.date, last: datetime.date) -> tuple[int, ...]:
        """The years from ``first`` to ``last`` whose holidays were not loaded."""
        if self.loaded_years is None:
            return ()
        return tuple(year for year in range(first.year, last.year + 1) if year not in self.loaded_years)


# --- The package --------------------------------------------------------------------------------

def chinese_calendar_days(years=None):
    """(date, kind, name) for every holiday and make-up working day the chinese-calendar package
    knows, of ``years`` only when given."""
    import chinese_calendar

    for day, name in sorted(chinese_calendar.holidays.items()):
        if years is None or day.year in years:
            yield day, CalendarDay.Kind.HOLIDAY.value, HOLIDAY_NAMES_ZH.get(name, name)
    for day, name in sorted(chinese_calendar.workdays.items()):
        if years is None or day.year in years:
            yield day, CalendarDay.Kind.WORKDAY.value, HOLIDAY_NAMES_ZH.get(name, name)


def chinese_calendar_years() -> list[int]:
    """The years whose holidays the installed chinese-calendar package knows."""
    import chinese_calendar

    return sorted({day.year for day in chinese_calendar.holidays})


def chinese_calendar_version() -> str:
    import chinese_calendar

    return getattr(chinese_calendar, "__version__", "")


# --- The rows -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class CalendarYear:
    year: int
    holidays: int
    workdays: int

    @property
    def loaded(self) -> bool:
        return self.holidays > 0


def calendar_years() -> list[CalendarYear]:
    """CalendarDay rows counted per year, oldest first."""
    rows = (CalendarDay.objects.annotate(year=ExtractYear("date")).values("year").order_by("year")
            .annotate(holidays=Count("id", filter=Q(kind=CalendarDay.Kind.HOLIDAY)),
                      workdays=Count("id", filter=Q(kind=CalendarDay.Kind.WORKDAY))))
    return [CalendarYear(row["year"], row["holidays"], row["workdays"]) for row in rows]


def loaded_years() -> frozenset[int]:
    """The years that have holiday rows: those whose arrangement was loaded."""
    return frozenset(row.year for row in calendar_years() if row.loaded)


def load_work_calendar(start: datetime.date, end: datetime.date) -> WorkCalendar:
    """Holidays and make-up working days of the whole years from ``start`` to ``end``, read in one
    query: whole years, so that the calendar also knows which of them were loaded."""
    rows = CalendarDay.objects.filter(
        date__gte=datetime.date(start.year, 1, 1), date__lte=datetime.date(end.year, 12, 31),
    ).values_list("date", "kind")
    holidays = frozenset(day for day, kind in rows if kind == CalendarDay.Kind.HOLIDAY)
    workdays = frozenset(day for day, kind in rows if kind == CalendarDay.Kind.WORKDAY)
    return WorkCalendar(holidays=holidays, workdays=workdays, loaded_years=frozenset(day.year for day in holidays))


def rest_day_calendar(session, start_on: datetime.date, months: int) -> WorkCalendar | None:
    """What a period of ``months`` from ``start_on`` needs to move off a rest day: the calendar
    around its end, or None when the session's rule ``rest_day_shift`` (default on; committee and
    session may turn it off) keeps periods where they end."""
    if not session.rule("rest_day_shift"):
        return None
    end = start_on + datetime.timedelta(days=31 * months + REST_DAY_SEARCH_DAYS)
    return load_work_calendar(start_on + datetime.timedelta(days=28 * months), end)
