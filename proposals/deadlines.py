"""Deadline rules of ../shared/domain.md, computed and explained. Pure: no ORM.

- reply: 3 calendar months after assignment (``reply_months``), or a fixed date the
  session sets for all its proposals; extensions never beyond 6 months after the assignment
  (``reply_max_months``);
- co-handling opinion to the lead: 1 month after assignment (``co_opinion_months``);
- objection window: 5 working days after assignment (``objection_working_days``);
- feedback window: 15 working days after the reply is delivered (``feedback_working_days``);
- re-handling after 不满意: 1 month (``rehandle_months``), with its own cap on extensions, 2 months
  after the dissatisfied rating (``rehandle_max_months``).
A period counted in months that ends on a rest day (weekend or statutory holiday; a make-up
working day is a working day) moves to the next working day, as the Civil Code (art. 203) does
for legal periods (``rest_day_shift``, domain.md "Rules decided"). Working-day windows end on a
working day anyway; a session's fixed date is an explicit date and stays where it is.
Every number is a default that a committee or session may change (Session.rule).

A deadline is stored as data (``Deadline.as_dict``) and explained again in the reader's
language whenever it is read; dicts stored before a field existed read with its default.
"""
from __future__ import annotations

import calendar
import dataclasses
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
    """A due date and how it was computed, so a person can check it.

    ``rest_day_shift``: computed under the rest-day rule (a period in months); ``shifted_from``:
    the period's own end, a rest day, when the due date moved off it, and ``shifted_over`` what
    kind of rest ("holiday" or "weekend"); ``calendar_missing_years``: years the computation read
    whose holidays were not loaded, so the date may be wrong.
    """

    due_on: datetime.date
    rule: str
    start_event: str
    start_on: datetime.date
    amount: int = 0
    unit: str = "months"  # "months", "working_days" or "fixed_date"
    skipped_holidays: tuple[datetime.date, ...] = ()
    counted_workdays: tuple[datetime.date, ...] = ()
    extension: dict = field(default_factory=dict)
    rest_day_shift: bool = False
    shifted_from: datetime.date | None = None
    shifted_over: str = ""
    calendar_missing_years: tuple[int, ...] = ()

    @property
    def computed_due_on(self) -> datetime.date:
        """The date the rule gave, before any extension."""
        original = (self.extension or {}).get("original_due_on")
        return datetime.date.fromisoformat(original) if original else self.due_on

    def calendar_span(self) -> tuple[datetime.date, datetime.date] | None:
        """The first and last day whose kind (working or rest day) the computation read: the days
        a working-day window counted, or a month period's end up to the working day it moved to.
        None when no calendar day decided the date in force: a fixed date, a period computed
        without the rest-day rule, or an extension (a date the committee chose)."""
        if self.extension:
            return None
        if self.unit == "working_days":
            return self.start_on + datetime.timedelta(days=1), self.due_on
        if self.unit == "months" and self.rest_day_shift:
            return self.shifted_from or self.due_on, self.due_on
        return None

    def explain(self) -> str:
        """How the date was computed, in the active language (Chinese by default)."""
        rule = str(RULE_LABELS.get(self.rule, self.rule))
        computed = self.computed_due_on
        values = {"rule": rule, "start": _start_text(self.start_event, self.start_on), "amount": self.amount,
                  "due": computed.isoformat()}
        separator = pgettext("list separator", "、")
        if self.unit == "fixed_date":
            text = _("%(rule)s:%(due)s(本次会议统一设定)") % {**values, "rule": RULE_LABELS["reply_fixed_date"]}
        elif self.unit == "working_days":
            text = ngettext("%(rule)s:自%(start)s起 %(amount)s 个工作日,至 %(due)s",
                            "%(rule)s:自%(start)s起 %(amount)s 个工作日,至 %(due)s", self.amount) % values
            if self.skipped_holidays:
                text += _(";跳过节假日 %(dates)s") % {
                    "dates": separator.join(d.isoformat() for d in self.skipped_holidays)}
            if self.counted_workdays:
                text += _(";计入调休上班日 %(dates)s") % {
                    "dates": separator.join(d.isoformat() for d in self.counted_workdays)}
        else:
            period_end = self.shifted_from or computed
            text = ngettext("%(rule)s:自%(start)s起 %(amount)s 个月,至 %(due)s",
                            "%(rule)s:自%(start)s起 %(amount)s 个月,至 %(due)s",
                            self.amount) % {**values, "due": period_end.isoformat()}
            if self.shifted_from and self.shifted_over == "holiday":
                text += _(",遇法定节假日顺延至 %(due)s") % {"due": computed.isoformat()}
            elif self.shifted_from:
                text += _(",遇周末顺延至 %(due)s") % {"due": computed.isoformat()}
        text += self._explain_extension()
        if self.calendar_missing_years:
            text += _(";未载入%(years)s年的节假日数据,期限可能不准确") % {
                "years": separator.join(str(year) for year in self.calendar_missing_years)}
        return text

    def _explain_extension(self) -> str:
        extension = self.extension
        if not extension:
            return ""
        if extension.get("reason"):
            text = _(";经批准延期至 %(due)s(原期限 %(original)s,理由:%(reason)s)") % {
                "due": extension["due_on"], "original": extension["original_due_on"], "reason": extension["reason"]}
        else:  # the reason withheld from this reader (proposals.visibility)
            text = _(";经批准延期至 %(due)s(原期限 %(original)s)") % {
                "due": extension["due_on"], "original": extension["original_due_on"]}
        if extension.get("cap_months") and extension.get("cap_start_on") and extension.get("max_due_on"):
            months = extension["cap_months"]
            text += ngettext(";延期上限 %(limit)s(自%(start)s起 %(months)s 个月)",
                             ";延期上限 %(limit)s(自%(start)s起 %(months)s 个月)", months) % {
                "limit": extension["max_due_on"], "months": months,
                "start": _start_text(extension.get("cap_start_event", "assigned"),
                                     datetime.date.fromisoformat(extension["cap_start_on"]))}
        return text

    def as_dict(self) -> dict:
        data = asdict(self)
        data["due_on"] = self.due_on.isoformat()
        data["start_on"] = self.start_on.isoformat()
        data["skipped_holidays"] = [d.isoformat() for d in self.skipped_holidays]
        data["counted_workdays"] = [d.isoformat() for d in self.counted_workdays]
        data["shifted_from"] = self.shifted_from.isoformat() if self.shifted_from else None
        data["calendar_missing_years"] = list(self.calendar_missing_years)
        # Stored in the source language whatever the request's: readers explain the structured
        # data again in their own language, and the stored text is only a fallback.
        with override(None):
            data["text"] = self.explain()
        return data


def _start_text(event: str, on: datetime.date) -> str:
    return _("%(event)s日 %(date)s") % {"event": START_LABELS.get(event, event), "date": on.isoformat()}


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


def next_working_day(day: datetime.date, work_calendar: WorkCalendar) -> datetime.date:
    """``day`` itself when it is a working day (a make-up working day counts), else the first after it."""
    while not work_calendar.is_working_day(day):
        day += datetime.timedelta(days=1)
    return day


def months_deadline(rule: str, start_event: str, start_on: datetime.date, months: int,
                    rest_days: WorkCalendar | None = None) -> Deadline:
    """``months`` calendar months after ``start_on``. With ``rest_days`` (the calendar around the
    period's end; given when the session's ``rest_day_shift`` rule is on, proposals.calendar.
    rest_day_calendar), a period that ends on a weekend or a statutory holiday moves to the next
    working day, as the Civil Code (art. 203) does (domain.md, "Rules decided")."""
    period_end = add_months(start_on, months)
    base = Deadline(due_on=period_end, rule=rule, start_event=start_event, start_on=start_on, amount=months,
                    unit="months")
    if rest_days is None:
        return base
    due_on = next_working_day(period_end, rest_days)
    rest = [period_end + datetime.timedelta(days=n) for n in range((due_on - period_end).days)]
    return dataclasses.replace(
        base, due_on=due_on, rest_day_shift=True,
        shifted_from=period_end if rest else None,
        shifted_over=("holiday" if any(d in rest_days.holidays for d in rest) else "weekend") if rest else "",
        calendar_missing_years=rest_days.missing_years(period_end, due_on))


def working_days_deadline(rule: str, start_event: str, start_on: datetime.date, days: int,
                          work_calendar: WorkCalendar) -> Deadline:
    """The ``days``-th working day after ``start_on``: it ends on a working day by construction."""
    due_on, skipped, makeup = add_working_days(start_on, days, work_calendar)
    return Deadline(due_on=due_on, rule=rule, start_event=start_event, start_on=start_on, amount=days,
                    unit="working_days", skipped_holidays=skipped, counted_workdays=makeup,
                    calendar_missing_years=work_calendar.missing_years(start_on + datetime.timedelta(days=1),
                                                                       due_on))


def reply_deadline(assigned_on: datetime.date, months: int, fixed_date: datetime.date | None = None,
                   rest_days: WorkCalendar | None = None) -> Deadline:
    """A session-wide fixed date ("6月30日前办复", Session.reply_fixed_date) wins over the month
    rule when the committee sets one. A proposal assigned after that date (a 平时提案 between
    sessions, or a reassignment) gets the month rule instead of a deadline already past.

    The fixed date is an explicit date that the session chose and announced, not the end of a
    period: it is never moved off a rest day. The month rule moves as ``months_deadline`` says."""
    if fixed_date is not None and fixed_date >= assigned_on:
        return Deadline(due_on=fixed_date, rule="reply_fixed_date", start_event="session", start_on=assigned_on,
                        unit="fixed_date")
    return months_deadline("reply_months", "assigned", assigned_on, months, rest_days=rest_days)


@dataclass(frozen=True)
class ExtensionCap:
    """How late an extension may go: ``months`` after ``start_on`` (the ``start_event``)."""

    limit: datetime.date
    months: int
    start_event: str
    start_on: datetime.date


def extension_cap(base: Deadline, *, assigned_on: datetime.date, reply_max_months: int,
                  rehandle_max_months: int) -> ExtensionCap:
    """The cap on extensions (domain.md, "Rules decided"): the original handling (reply, fixed
    date or co-handling opinion) never beyond ``reply_max_months`` (6) after the *assignment*;
    re-handling after 不满意 has its own cap, ``rehandle_max_months`` (2) after the dissatisfied
    rating that started it. The cap is a limit, not a period: it does not move off rest days."""
    if base.rule == "rehandle_months":
        return ExtensionCap(limit=add_months(base.start_on, rehandle_max_months), months=rehandle_max_months,
                            start_event=base.start_event, start_on=base.start_on)
    return ExtensionCap(limit=add_months(assigned_on, reply_max_months), months=reply_max_months,
                        start_event="assigned", start_on=assigned_on)


def extended_deadline(base: Deadline, new_due_on: datetime.date, cap: ExtensionCap, reason: str) -> Deadline:
    """An approved extension, within ``cap`` (extension_cap). The service checks the same bounds
    first, to answer with a translated message."""
    if new_due_on > cap.limit:
        raise ValueError(f"延期后的期限不得晚于{cap.limit.isoformat()}")
    if new_due_on <= base.due_on:
        raise ValueError(f"延期后的期限应晚于原期限({base.due_on.isoformat()})")
    # A second extension still names the deadline first set, not the first extension.
    original = (base.extension or {}).get("original_due_on", base.due_on.isoformat())
    extension = {"due_on": new_due_on.isoformat(), "original_due_on": original, "reason": reason,
                 "max_due_on": cap.limit.isoformat(), "cap_months": cap.months,
                 "cap_start_event": cap.start_event, "cap_start_on": cap.start_on.isoformat()}
    return dataclasses.replace(base, due_on=new_due_on, extension=extension)


def deadline_from_dict(data: dict) -> Deadline:
    """A stored deadline (Deadline.as_dict); keys added later read with their defaults."""
    shifted_from = data.get("shifted_from")
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
        rest_day_shift=bool(data.get("rest_day_shift", False)),
        shifted_from=datetime.date.fromisoformat(shifted_from) if shifted_from else None,
        shifted_over=data.get("shifted_over") or "",
        calendar_missing_years=tuple(int(year) for year in data.get("calendar_missing_years") or ()),
    )


def days_overdue(due_on: datetime.date | None, today: datetime.date) -> int:
    """Calendar days past the due date (0 when not overdue or no due date)."""
    if due_on is None or today <= due_on:
        return 0
    return (today - due_on).days
