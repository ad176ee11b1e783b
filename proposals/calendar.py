"""The working-day calendar: weekends, statutory holidays and make-up working days (调休上班日).

Holidays are data (CalendarDay rows, seeded from the chinese-calendar package and
maintained by staff), never constants in code.
"""
from __future__ import annotations

import datetime
from dataclasses import dataclass, field

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


@dataclass(frozen=True)
class WorkCalendar:
    holidays: frozenset[datetime.date] = field(default_factory=frozenset)
    workdays: frozenset[datetime.date] = field(default_factory=frozenset)

    def is_working_day(self, day: datetime.date) -> bool:
        if day in self.workdays:
            return True
        if day in self.holidays:
            return False
        return day.weekday() < 5


def chinese_calendar_days():
    """(date, kind, name) for every holiday and make-up working day the chinese-calendar package knows."""
    import chinese_calendar

    for day, name in sorted(chinese_calendar.holidays.items()):
        yield day, "holiday", HOLIDAY_NAMES_ZH.get(name, name)
    for day, name in sorted(chinese_calendar.workdays.items()):
        yield day, "workday", HOLIDAY_NAMES_ZH.get(name, name)
