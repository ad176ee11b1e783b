"""Corrections of the facts a person gets wrong (issue 8): an assignment's date, agency and
the basis of its deadline, a proposal's session and number. Each is a staff step with a
reason, recorded as a "correct" event with the values before and after, that recomputes what
depends on the fact (deadlines, the proposal's next due date, the search text). Corrections
change records, not the workflow: no status moves here. (A reply's dates and number:
replies.corrections.)"""
from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from proposals.models import Agency, Assignment, Proposal, Session
from proposals.naturalsort import natural_sort_key
from proposals.roles import is_committee_staff
from proposals.search import refresh_search_text
from proposals.selectors import today
from proposals.services.base import (
    lock,
    lock_assignment,
    proposal_floor,
    record_event,
    require,
    require_plausible_date,
    require_reason,
)
from proposals.services.errors import InvalidInput, TransitionNotAllowed
from proposals.services.proposals import assignment_deadlines, refresh_next_due


def check_correct(actor, obj=None) -> None:
    require(is_committee_staff(actor), _("只有提案委员会工作人员可以更正记录"))


def _reason(reason: str) -> str:
    return require_reason(reason, _("请说明更正的理由"))


def _iso(value):
    return value.isoformat() if isinstance(value, datetime.date) else value


def record_correction(*, proposal, actor, reason: str, changes: dict, assignment=None, reply=None) -> None:
    """The "correct" event: ``changes`` maps a field to (before, after)."""
    record_event(proposal=proposal, assignment=assignment, reply=reply, action="correct", actor=actor, note=reason,
                 data={"changes": {name: [_iso(before), _iso(after)] for name, (before, after) in changes.items()}})


def _require_standing(assignment: Assignment) -> None:
    if not assignment.is_current:
        raise TransitionNotAllowed(_("该交办已改办或撤销,是历史记录,不能更正"))


def _recompute(assignment: Assignment, proposal: Proposal, assigned_on: datetime.date) -> dict:
    """The assignment's deadlines computed again from ``assigned_on`` and the session's rules.
    A granted extension is kept, and flagged for the staff to check against the new dates."""
    due, objection = assignment_deadlines(proposal.session, assignment.role, assigned_on)
    updates = {"assigned_on": assigned_on, "original_due_on": due.due_on, "objection_due_on": objection.due_on,
               "due_explanation": {"due": due.as_dict(), "objection": objection.as_dict()},
               "deadline_review": ""}
    extended = assignment.extension_reason and assignment.due_on and assignment.due_on > due.due_on
    if extended:
        updates["due_explanation"]["due"] = assignment.due_explanation.get("due", updates["due_explanation"]["due"])
        updates["deadline_review"] = _("交办日期已更正,已批准的延期期限请复核")
    elif assignment.rehandle_count == 0:
        updates["due_on"] = due.due_on
    return updates


def _save(assignment: Assignment, updates: dict) -> dict:
    before = {name: getattr(assignment, name) for name in updates}
    Assignment.objects.filter(pk=assignment.pk).update(**updates, updated_at=timezone.now())
    for name, value in updates.items():
        setattr(assignment, name, value)
    return {name: (before[name], updates[name]) for name in ("assigned_on", "due_on", "objection_due_on")
            if name in updates and before[name] != updates[name]}


def assignment_correct_date(*, actor, assignment: Assignment, assigned_on: datetime.date, reason: str) -> Assignment:
    """交办日期 typed wrong: the date (plausible: within the session's term, not after today) and
    every deadline counted from it are recomputed (services.proposals.assignment_deadlines)."""
    return _recompute_deadlines(actor=actor, assignment=assignment, reason=reason, assigned_on=assigned_on)


def assignment_recompute_deadline(*, actor, assignment: Assignment, reason: str) -> Assignment:
    """The basis of the deadline corrected: computed again from the assignment date and the
    session's rules as they are now (after staff changed a rule or the holidays; clears the
    review flag, proposals.services.calendar)."""
    return _recompute_deadlines(actor=actor, assignment=assignment, reason=reason)


def _recompute_deadlines(*, actor, assignment: Assignment, reason: str,
                         assigned_on: datetime.date | None = None) -> Assignment:
    """The two corrections above: a new assignment date, or the same one under today's rules."""
    check_correct(actor)
    reason = _reason(reason)
    with transaction.atomic():
        assignment = lock_assignment(assignment)
        proposal = assignment.proposal
        _require_standing(assignment)
        if assigned_on is None:
            if not assignment.is_open:
                raise TransitionNotAllowed(_("该交办已答复或办结,期限不再重新计算"))
            assigned_on = assignment.assigned_on
        else:
            require_plausible_date(assigned_on, field="assigned_on", label=_("交办日期"),
                                   not_before=proposal_floor(proposal), not_after=today())
            if assigned_on == assignment.assigned_on:
                raise InvalidInput(_("交办日期没有变化"), field="assigned_on")
        changes = _save(assignment, _recompute(assignment, proposal, assigned_on))
        refresh_next_due(proposal)
        record_correction(proposal=proposal, assignment=assignment, actor=actor, reason=reason, changes=changes)
    return assignment


def assignment_correct_agency(*, actor, assignment: Assignment, agency: Agency, reason: str) -> Assignment:
    """The wrong agency was entered (not an objection: nobody was relieved): the assignment is
    given to the right one, while it has sent nothing (a sent reply is the agency's record)."""
    check_correct(actor)
    reason = _reason(reason)
    with transaction.atomic():
        assignment = lock_assignment(assignment)
        proposal = assignment.proposal
        _require_standing(assignment)
        if assignment.replied_on is not None or assignment.status in (Assignment.Status.REPLIED,
                                                                      Assignment.Status.CLOSED):
            raise TransitionNotAllowed(_("该单位已提交答复,不能更正承办单位;请改用交办异议或改办"))
        if agency.pk == assignment.agency_id:
            raise InvalidInput(_("承办单位没有变化"), field="agency")
        if proposal.assignments.current().filter(agency=agency).exists():
            raise InvalidInput(_("%(agency)s 已承办此提案") % {"agency": agency}, field="agency")
        before = assignment.agency
        Assignment.objects.filter(pk=assignment.pk).update(agency=agency, updated_at=timezone.now())
        assignment.agency = agency
        refresh_search_text([proposal.pk])
        record_correction(proposal=proposal, assignment=assignment, actor=actor, reason=reason,
                          changes={"agency": (before.name, agency.name)})
    return assignment


def proposal_correct_number(*, actor, proposal: Proposal, number: str, reason: str,
                            session: Session | None = None) -> Proposal:
    """A proposal's session or number typed wrong: the number is kept as printed, unique in
    its session, and sorted naturally again; the search text follows."""
    check_correct(actor)
    reason = _reason(reason)
    number = (number or "").strip()
    if not number:
        raise InvalidInput(_("请填写提案号"), field="number")
    with transaction.atomic():
        proposal = lock(Proposal, proposal.pk)
        session = session or proposal.session
        if session.committee_id != proposal.session.committee_id:
            raise InvalidInput(_("只能改为同一政协的会议"), field="session")
        if (session.pk, number) == (proposal.session_id, proposal.number):
            raise InvalidInput(_("会议和提案号没有变化"), field="number")
        if Proposal.objects.filter(session=session, number=number).exclude(pk=proposal.pk).exists():
            raise InvalidInput(_("本次会议已有第%(number)s号提案") % {"number": number}, field="number")
        changes = {}
        if session.pk != proposal.session_id:
            changes["session"] = (str(proposal.session), str(session))
        if number != proposal.number:
            changes["number"] = (proposal.number, number)
        Proposal.objects.filter(pk=proposal.pk).update(session=session, number=number,
                                                       number_sort=natural_sort_key(number), updated_at=timezone.now())
        proposal.session, proposal.number = session, number
        refresh_search_text([proposal.pk])
        record_correction(proposal=proposal, actor=actor, reason=reason, changes=changes)
    return proposal
