"""The holiday calendar and the deadline rules under the stored deadlines (issue 8).

A stored deadline (Assignment.due_explanation) was computed once, from the holiday calendar
(CalendarDay) and the session's deadline rules as they were that day. When staff change either
— a calendar day created, changed or deleted in the admin or the API, a committee's or session's
deadline rule changed, a year loaded with ``manage.py load_calendar`` — the open assignments whose
stored deadlines depend on what changed are flagged for review: Assignment.deadline_review gets a
short reason and a "deadline_review" event is recorded.

Dates are not recomputed: a date already given to an agency changes only by a person's decision
(flag for review is the rule chosen for issue 8). Staff settle a flag by approving a new date
(assignment_extend clears it); re-handling computes a fresh deadline and clears it too
(replies.services._send_back). Feedback windows live on replies (the replies app) and are not
flagged here.
"""
from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override, pgettext

from proposals import deadlines
from proposals.extensions import registry
from proposals.calendar import (
    chinese_calendar_days,
    chinese_calendar_version,
    chinese_calendar_years,
    load_work_calendar,
)
from proposals.models import Assignment, CalendarDay, Committee, Proposal, Session
from proposals.selectors import today
from proposals.services.base import record_event
from proposals.services.errors import InvalidInput

A = Assignment.Status

# The session fields a stored assignment deadline rests on: the rules (Session.rule, inherited
# from the committee and the defaults) and the session's own fixed reply date. The feedback and
# co-signing windows are stored elsewhere; opinion_blocks_reply sets no date.
DEADLINE_RULE_FIELDS = (
    "reply_fixed_date", "reply_months", "co_opinion_months", "rehandle_months", "rest_day_shift",
    "objection_working_days", "reply_max_months", "rehandle_max_months",
)
SESSION_ONLY_FIELDS = ("reply_fixed_date",)
RULE_FIELD_NAMES = frozenset(DEADLINE_RULE_FIELDS)
MONTH_RULES = ("reply_months", "co_opinion_months", "rehandle_months")
# An objection window matters while the agency may still object.
OBJECTING_STATUSES = (A.ASSIGNED, A.ACKNOWLEDGED)


@dataclass
class _Stored:
    """An open assignment's stored deadlines, read once."""

    assignment: Assignment
    due: deadlines.Deadline | None
    objection: deadlines.Deadline | None

    @classmethod
    def of(cls, assignment: Assignment) -> _Stored:
        explanation = assignment.due_explanation if isinstance(assignment.due_explanation, dict) else {}
        objection = None
        if assignment.status in OBJECTING_STATUSES and not assignment.objection_decision:
            objection = _read(explanation.get("objection"))
        return cls(assignment, _read(explanation.get("due")), objection)


def _read(data) -> deadlines.Deadline | None:
    if not isinstance(data, dict):
        return None  # an imported assignment's note: nothing computed to depend on
    try:
        return deadlines.deadline_from_dict(data)
    except (KeyError, TypeError, ValueError):
        return None


def _open_assignments(**filters):
    """Open assignments, locked (services write under select_for_update; the filters are on the
    assignment's own columns or subqueries, so that only its rows are locked)."""
    return Assignment.objects.select_for_update().filter(status__in=Assignment.OPEN_STATUSES, **filters).only(
        "id", "proposal_id", "status", "objection_decision", "due_on", "due_explanation", "deadline_review")


def _flag(*, actor, found: list[tuple[Assignment, dict]]) -> int:
    """Flag each assignment for its cause (``data``: what changed, deadline_review_text says it):
    the reason is added to any reason already there, never twice, with a "deadline_review" event
    whose text is written from the same data in each reader's language. Returns how many
    assignments were flagged anew."""
    with override(None):  # the flag is stored text: in the source language, as every stored text
        found = [(assignment, deadline_review_text(data), data) for assignment, data in found]
    flagged = [(a, reason, data) for a, reason, data in found if reason not in a.deadline_review]
    proposals = Proposal.objects.in_bulk({a.proposal_id for a, _reason, _data in flagged})
    now = timezone.now()
    for assignment, reason, data in flagged:
        review = f"{assignment.deadline_review}\n{reason}" if assignment.deadline_review else reason
        Assignment.objects.filter(pk=assignment.pk).update(deadline_review=review, updated_at=now)
        assignment.deadline_review = review
        record_event(proposal=proposals[assignment.proposal_id], assignment=assignment, action="deadline_review",
                     actor=actor, data=data)
    return len(flagged)


def deadline_review_text(data: dict) -> str:
    """Why a deadline was flagged for review, in the active language, from the event's data:
    ``{"cause": "calendar", "dates": [...]}`` or ``{"cause": "rules", "rules": [...]}``."""
    separator = pgettext("list separator", "、")
    if data.get("cause") == "calendar":
        return _("节假日安排已变更(%(dates)s),请复核期限") % {"dates": separator.join(data.get("dates", ()))}
    if data.get("cause") == "rules":
        labels = [str(Session._meta.get_field(name).verbose_name) if name in RULE_FIELD_NAMES else name
                  for name in data.get("rules", ())]
        return _("期限规则已变更(%(rules)s),请复核期限") % {"rules": separator.join(labels)}
    return ""


# --- The calendar -------------------------------------------------------------------------------

def deadlines_flag_for_calendar_change(*, actor, dates) -> int:
    """Flag the open assignments whose stored deadlines read one of ``dates`` (calendar days
    created, deleted, or whose date or kind changed): a working-day window that counted the day,
    or a month period that moved off a rest day across it (deadlines.Deadline.calendar_span).
    A deadline extended by the committee, a fixed session date or a period computed without the
    rest-day rule read no calendar day. Returns how many assignments were flagged."""
    dates = sorted(set(dates))
    if not dates:
        return 0
    first, last = dates[0], dates[-1]
    with transaction.atomic():
        for listener in registry.calendar_listeners:
            listener(dates)
        # A span lies between the assignment and the later of its two due dates.
        candidates = _open_assignments(assigned_on__lte=last).filter(Q(due_on__gte=first)
                                                                     | Q(objection_due_on__gte=first))
        found = []
        for assignment in candidates:
            stored = _Stored.of(assignment)
            spans = [deadline.calendar_span() for deadline in (stored.due, stored.objection) if deadline]
            hit = [day for day in dates if any(span and span[0] <= day <= span[1] for span in spans)]
            if hit:
                found.append((assignment, {"cause": "calendar", "dates": [day.isoformat() for day in hit]}))
        return _flag(actor=actor, found=found)


# --- The rules ----------------------------------------------------------------------------------

def stored_rule_values(owner: Session | Committee) -> dict:
    """The deadline fields of a session or committee as stored, read before a change is saved."""
    names = [name for name in DEADLINE_RULE_FIELDS if isinstance(owner, Session) or name not in SESSION_ONLY_FIELDS]
    if owner.pk is None:
        return {}
    return type(owner).objects.filter(pk=owner.pk).values(*names).first() or {}


def _effective(name: str, session_value, committee_value):
    """Session.rule's answer from given values: session, else committee, else the default."""
    if name in SESSION_ONLY_FIELDS:
        return session_value
    for value in (session_value, committee_value):
        if value is not None:
            return value
    return settings.TRACKER_DEFAULT_RULES[name]


def _changed_rules(owner: Session | Committee, before: dict) -> dict[Session, dict[str, object]]:
    """Per session, the rules whose effective value changed, with their new value."""
    changes = {}
    if isinstance(owner, Session):
        committee = owner.committee
        changed = {name: _effective(name, getattr(owner, name), getattr(committee, name, None))
                   for name in before
                   if _effective(name, before[name], getattr(committee, name, None))
                   != _effective(name, getattr(owner, name), getattr(committee, name, None))}
        if changed:
            changes[owner] = changed
        return changes
    for session in owner.sessions.all():
        changed = {name: _effective(name, getattr(session, name), getattr(owner, name))
                   for name in before
                   if _effective(name, getattr(session, name), before[name])
                   != _effective(name, getattr(session, name), getattr(owner, name))}
        if changed:
            changes[session] = changed
    return changes


def _depends_on_rule(name: str, new_value, stored: _Stored, rest_days) -> bool:
    """Whether the rule ``name``, now ``new_value``, set a date ``stored`` holds."""
    due = stored.due
    if name == "objection_working_days":
        return stored.objection is not None and stored.objection.due_on >= today()
    if due is None:
        return False
    if name in ("reply_max_months", "rehandle_max_months"):
        # Only an extension stores the cap; later extensions read the rule as it is then.
        is_rehandling = due.rule == "rehandle_months"
        return bool(due.extension) and is_rehandling == (name == "rehandle_max_months")
    if due.extension:
        return False  # the date in force is the one the committee approved
    if name in MONTH_RULES:
        return due.rule == name
    if name == "reply_fixed_date":
        return due.rule in ("reply_months", "reply_fixed_date")
    if name == "rest_day_shift" and due.unit == "months":
        if not new_value:
            return due.shifted_from is not None  # moved off a rest day: would not be now
        return not due.rest_day_shift and rest_days is not None and not rest_days.is_working_day(due.due_on)
    return False


def deadlines_flag_for_rule_change(*, actor, owner: Session | Committee, before: dict) -> int:
    """Flag the open assignments whose stored deadlines a changed deadline rule had set.
    ``before`` holds the fields' stored values (stored_rule_values, read before saving);
    ``owner`` the session or committee as saved. A committee's change reaches the sessions that
    inherit the rule (Session.rule: session, else committee, else settings.TRACKER_DEFAULT_RULES);
    only a change of the effective value counts. Returns how many assignments were flagged."""
    with transaction.atomic():
        found = []
        for session, changed in _changed_rules(owner, before).items():
            candidates = list(_open_assignments(proposal_id__in=Proposal.objects.filter(session=session).values("pk")))
            rest_days = None
            due_dates = [a.due_on for a in candidates if a.due_on]
            if changed.get("rest_day_shift") and due_dates:  # turned on: which ends are rest days now
                rest_days = load_work_calendar(min(due_dates), max(due_dates))
            for assignment in candidates:
                stored = _Stored.of(assignment)
                names = [name for name, value in changed.items()
                         if _depends_on_rule(name, value, stored, rest_days)]
                if names:
                    found.append((assignment, {"cause": "rules", "rules": names}))
        return _flag(actor=actor, found=found)


# --- Loading the package's years (manage.py load_calendar) --------------------------------------

@dataclass
class CalendarYearLoad:
    """What loading one year did: days added, days whose kind or name changed, days already as
    the package says, and days the package does not list (kept: staff may have entered them)."""

    year: int
    added: list[datetime.date] = field(default_factory=list)
    changed: list[datetime.date] = field(default_factory=list)
    unchanged: int = 0
    kept: list[datetime.date] = field(default_factory=list)


def calendar_days_load(*, actor=None, years=None) -> list[CalendarYearLoad]:
    """Load or refresh holidays and make-up working days from the installed chinese-calendar
    package, for ``years`` (default: every year it knows). Idempotent: a second run changes
    nothing. A day whose kind changed, or a new day, flags the deadlines that read it
    (deadlines_flag_for_calendar_change). A year the package does not know is refused."""
    known = chinese_calendar_years()
    years = sorted(set(years)) if years else known
    unknown = [year for year in years if year not in known]
    if unknown:
        raise InvalidInput(
            _("已安装的 chinese-calendar %(version)s 没有%(years)s年的节假日安排(已知:%(first)s—%(last)s年);"
              "请升级该软件包,或由工作人员录入") % {
                "version": chinese_calendar_version(), "years": "、".join(map(str, unknown)),
                "first": known[0] if known else "-", "last": known[-1] if known else "-"}, field="year")
    package = {day: (kind, name) for day, kind, name in chinese_calendar_days(set(years))}
    reports = {year: CalendarYearLoad(year) for year in years}
    with transaction.atomic():
        stored = {row.date: row for row in CalendarDay.objects.select_for_update().filter(date__year__in=years)}
        new_rows, changed_rows, kind_changed = [], [], []
        for day, (kind, name) in sorted(package.items()):
            report, row = reports[day.year], stored.get(day)
            if row is None:
                new_rows.append(CalendarDay(date=day, kind=kind, name=name))
                report.added.append(day)
                kind_changed.append(day)
            elif (row.kind, row.name) != (kind, name):
                if row.kind != kind:
                    kind_changed.append(day)
                row.kind, row.name = kind, name
                changed_rows.append(row)
                report.changed.append(day)
            else:
                report.unchanged += 1
        for day in sorted(set(stored) - set(package)):
            reports[day.year].kept.append(day)
        CalendarDay.objects.bulk_create(new_rows, batch_size=500)
        CalendarDay.objects.bulk_update(changed_rows, ["kind", "name"], batch_size=500)
        deadlines_flag_for_calendar_change(actor=actor, dates=kind_changed)
    return [reports[year] for year in years]
