"""Deadline rules of ../shared/domain.md, computed and explained. Pure: no ORM.

- reply: 3 calendar months after assignment (``reply_months``), or a fixed date the
  session sets for all its proposals; extensions never beyond 6 months (``reply_max_months``);
- co-handling opinion to the lead: 1 month after assignment (``co_opinion_months``);
- objection window: 5 working days after assignment (``objection_working_days``);
- feedback window: 15 working days after the reply is delivered (``feedback_working_days``);
- re-handling after 不满意: 1 month (``rehandle_months``).
Every number is a default that a committee or session may change (Session.rule).
"""
from __future__ import annotations

import calendar
import datetime
from dataclasses import asdict, dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import ngettext, override, pgettext, pgettext_lazy

from proposals.calendar import WorkCalendar

# Labels are translated when a deadline is explained, in the reader's language; a context keeps
# them apart from the same words used as workflow buttons ("延期" the step, "交办" the action).
RULE_LABELS = {
    "reply_months": pgettext_lazy("deadline rule", "答复期限"),
    "reply_fixed_date": pgettext_lazy("deadline rule", "统一办复日期"),
    "co_opinion_months": pgettext_lazy("deadline rule", "会办意见期限"),
    "objection_working_days": pgettext_lazy("deadline rule", "交办异议期限"),
    "feedback_working_days": pgettext_lazy("deadline rule", "征询意见期限"),
    "rehandle_months": pgettext_lazy("deadline rule", "重新办理期限"),
    "extension": pgettext_lazy("deadline rule", "延期"),
}
START_LABELS = {
    "assigned": pgettext_lazy("deadline start", "交办"),
    "delivered": pgettext_lazy("deadline start", "答复送达"),
    "dissatisfied": pgettext_lazy("deadline start", "不满意评价"),
    "session": pgettext_lazy("deadline start", "会议设定"),
}


@dataclass(frozen=True)
class Deadline:
    """A due date and how it was computed, so a person can check it."""

    due_on: datetime.date
    rule: str
    start_event: str
    start_on: datetime.date
    amount: int = 0
    unit: str = "months"  # "months", "working_days" or "fixed_date"
    skipped_holidays: tuple[datetime.date, ...] = ()
    counted_workdays: tuple[datetime.date, ...] = ()
    extension: dict = field(default_factory=dict)

    def explain(self) -> str:
        """How the date was computed, in the active language (Chinese by default)."""
        rule = str(RULE_LABELS.get(self.rule, self.rule))
        start = _("%(event)s日 %(date)s") % {
            "event": START_LABELS.get(self.start_event, self.start_event), "date": self.start_on.isoformat()}
        values = {"rule": rule, "start": start, "amount": self.amount, "due": self.due_on.isoformat()}
        if self.unit == "fixed_date":
            text = _("%(rule)s:%(due)s(本次会议统一设定)") % {**values, "rule": RULE_LABELS["reply_fixed_date"]}
        elif self.unit == "working_days":
            text = ngettext("%(rule)s:自%(start)s起 %(amount)s 个工作日,至 %(due)s",
                            "%(rule)s:自%(start)s起 %(amount)s 个工作日,至 %(due)s", self.amount) % values
            separator = pgettext("list separator", "、")
            if self.skipped_holidays:
                text += _(";跳过节假日 %(dates)s") % {
                    "dates": separator.join(d.isoformat() for d in self.skipped_holidays)}
            if self.counted_workdays:
                text += _(";计入调休上班日 %(dates)s") % {
                    "dates": separator.join(d.isoformat() for d in self.counted_workdays)}
        else:
            text = ngettext("%(rule)s:自%(start)s起 %(amount)s 个月,至 %(due)s",
                            "%(rule)s:自%(start)s起 %(amount)s 个月,至 %(due)s", self.amount) % values
        if self.extension and self.extension.get("reason"):
            text += _(";经批准延期至 %(due)s(原期限 %(original)s,理由:%(reason)s)") % {
                "due": self.extension["due_on"], "original": self.extension["original_due_on"],
                "reason": self.extension["reason"]}
        elif self.extension:  # the reason withheld from this reader (proposals.visibility)
            text += _(";经批准延期至 %(due)s(原期限 %(original)s)") % {
                "due": self.extension["due_on"], "original": self.extension["original_due_on"]}
        return text

    def as_dict(self) -> dict:
        data = asdict(self)
        data["due_on"] = self.due_on.isoformat()
        data["start_on"] = self.start_on.isoformat()
        data["skipped_holidays"] = [d.isoformat() for d in self.skipped_holidays]
        data["counted_workdays"] = [d.isoformat() for d in self.counted_workdays]
        # Stored in the source language whatever the request's: readers explain the structured
        # data again in their own language, and the stored text is only a fallback.
        with override(None):
            data["text"] = self.explain()
        return data


def add_months(start: datetime.date, months: int) -> datetime.date:
    """Calendar months; a day that the target month lacks becomes its last day (Jan 31 + 1 = Feb 28/29)."""
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    return datetime.date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def add_working_days(start: datetime.date, days: int, work_calendar: WorkCalendar):
    """The day on which the ``days``-th working day after ``start`` falls (``start`` itself not counted).

    Returns (due_on, holidays skipped, make-up working days counted).
    """
    day, counted = start, 0
    skipped, makeup = [], []
    while counted < days:
        day += datetime.timedelta(days=1)
        if work_calendar.is_working_day(day):
            counted += 1
            if day in work_calendar.workdays:
                makeup.append(day)
        elif day in work_calendar.holidays:
            skipped.append(day)
    return day, tuple(skipped), tuple(makeup)


def months_deadline(rule: str, start_event: str, start_on: datetime.date, months: int) -> Deadline:
    return Deadline(due_on=add_months(start_on, months), rule=rule, start_event=start_event, start_on=start_on,
                    amount=months, unit="months")


def working_days_deadline(rule: str, start_event: str, start_on: datetime.date, days: int,
                          work_calendar: WorkCalendar) -> Deadline:
    due_on, skipped, makeup = add_working_days(start_on, days, work_calendar)
    return Deadline(due_on=due_on, rule=rule, start_event=start_event, start_on=start_on, amount=days,
                    unit="working_days", skipped_holidays=skipped, counted_workdays=makeup)


def reply_deadline(assigned_on: datetime.date, months: int, fixed_date: datetime.date | None = None) -> Deadline:
    """A session-wide fixed date ("6月30日前办复", Session.reply_fixed_date) wins over the month
    rule when the committee sets one. A proposal assigned after that date (a 平时提案 between
    sessions, or a reassignment) gets the month rule instead of a deadline already past."""
    if fixed_date is not None and fixed_date >= assigned_on:
        return Deadline(due_on=fixed_date, rule="reply_fixed_date", start_event="session", start_on=assigned_on,
                        unit="fixed_date")
    return months_deadline("reply_months", "assigned", assigned_on, months)


def extended_deadline(base: Deadline, new_due_on: datetime.date, max_months: int, reason: str) -> Deadline:
    """An approved extension; never beyond ``max_months`` after the start (domain.md: 6 months in
    total). The service checks the same bounds first, to answer with a translated message."""
    limit = add_months(base.start_on, max_months)
    if new_due_on > limit:
        raise ValueError(f"延期后的期限不得晚于交办后{max_months}个月({limit.isoformat()})")
    if new_due_on <= base.due_on:
        raise ValueError(f"延期后的期限应晚于原期限({base.due_on.isoformat()})")
    # A second extension still names the deadline first set, not the first extension.
    original = (base.extension or {}).get("original_due_on", base.due_on.isoformat())
    extension = {"due_on": new_due_on.isoformat(), "original_due_on": original, "reason": reason,
                 "max_due_on": limit.isoformat()}
    return Deadline(due_on=new_due_on, rule=base.rule, start_event=base.start_event, start_on=base.start_on,
                    amount=base.amount, unit=base.unit, skipped_holidays=base.skipped_holidays,
                    counted_workdays=base.counted_workdays, extension=extension)


def deadline_from_dict(data: dict) -> Deadline:
    return Deadline(
        due_on=datetime.date.fromisoformat(data["due_on"]),
        rule=data["rule"],
        start_event=data["start_event"],
        start_on=datetime.date.fromisoformat(data["start_on"]),
        amount=data.get("amount", 0),
        unit=data.get("unit", "months"),
        skipped_holidays=tuple(datetime.date.fromisoformat(d) for d in data.get("skipped_holidays", ())),
        counted_workdays=tuple(datetime.date.fromisoformat(d) for d in data.get("counted_workdays", ())),
        extension=data.get("extension") or {},
    )


def days_overdue(due_on: datetime.date | None, today: datetime.date) -> int:
    """Calendar days past the due date (0 when not overdue or no due date)."""
    if due_on is None or today <= due_on:
        return 0
    return (today - due_on).days
