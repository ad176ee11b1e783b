"""Working days counted once for a whole run: ``between(a, b)`` is a subtraction, not a walk.

The reminder run (notifications.reminders) asks, for every open deadline, how many working days
are left or have passed. It reads the holiday calendar once (proposals.calendar.WorkCalendar:
weekends, CalendarDay holidays and make-up working days) and numbers the working days of the span
it needs; a day outside that span is counted by walking the same calendar, which stays correct,
only slower.
"""
from __future__ import annotations

import datetime

from proposals.calendar import WorkCalendar

ONE_DAY = datetime.timedelta(days=1)


class WorkdayIndex:
    """Working days of ``calendar`` numbered from ``first`` to ``last``: the ordinal of a day is
    how many working days there are from ``first`` up to it, itself included."""

    def __init__(self, calendar: WorkCalendar, first: datetime.date, last: datetime.date):
        self.calendar = calendar
        self.first = first
        self.last = max(first, last)
        ordinals, count, day = [], 0, first
        while day <= self.last:
            count += calendar.is_working_day(day)
            ordinals.append(count)
            day += ONE_DAY
        self.ordinals = ordinals

    def is_working_day(self, day: datetime.date) -> bool:
        return self.calendar.is_working_day(day)

    def _ordinal(self, day: datetime.date) -> int:
        if self.first <= day <= self.last:
            return self.ordinals[(day - self.first).days]
        if day > self.last:
            return self.ordinals[-1] + self._walk(self.last, day)
        return -self._walk(day, self.first - ONE_DAY)

    def _walk(self, start: datetime.date, end: datetime.date) -> int:
        """Working days in (start, end], one day at a time (outside the numbered span only)."""
        count, day = 0, start
        while day < end:
            day += ONE_DAY
            count += self.calendar.is_working_day(day)
        return count

    def between(self, start: datetime.date, end: datetime.date) -> int:
        """Working days after ``start`` up to ``end`` included; negative when ``end`` is earlier.
        between(today, due) is the working days left; between(due, today) the days overdue."""
        return self._ordinal(end) - self._ordinal(start)

    def add(self, start: datetime.date, days: int) -> datetime.date:
        """The day on which the ``days``-th working day after ``start`` falls (before it, for a
        negative count): as proposals.deadlines.add_working_days counts."""
        day, step, left = start, (ONE_DAY if days >= 0 else -ONE_DAY), abs(days)
        while left:
            day += step
            left -= self.calendar.is_working_day(day)
        return day
