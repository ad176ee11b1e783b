"""The proposal committee's changes to who handles a proposal in handling (issue 8; domain.md,
"Assignment" and "Rules decided"): swap the lead and a co-handler (主办 ↔ 会办), add a
co-handler, drop one. An objection upheld with a reassignment is
services.assignments.assignment_decide_objection; the region rule that every new assignment
obeys is in services.proposals.create_assignment (an agency outside the committee's region is
refused unless staff allow it explicitly).

Each step is the committee's, with a required reason kept as handler-only text (like an
objection's decision: proposals.visibility.Audience.HANDLERS) in an event of its own.
"""
from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from proposals.models import Agency, Assignment, Proposal
from proposals.roles import is_committee_staff
from proposals.search import refresh_search_text
from proposals.selectors import today
from proposals.services.assignments import TRANSITIONS as ASSIGNMENT_TRANSITIONS
from proposals.services.base import lock, lock_assignment, move, record_event, require, require_move, require_reason
from proposals.services.errors import ConcurrentChange, InvalidInput, TransitionNotAllowed
from proposals.services.proposals import assignment_deadlines, create_assignment, refresh_next_due
from proposals.visibility import Audience

A = Assignment.Status
R = Assignment.Role
# Still at work on its part: not objecting (an objection is decided first), nothing sent yet.
AT_WORK = (A.ASSIGNED, A.ACKNOWLEDGED)


def _require_staff(actor) -> None:
    require(is_committee_staff(actor), _("只有提案委员会工作人员可以调整承办单位"))


def _require_reason(reason: str) -> None:
    require_reason(reason, _("请填写调整理由"))


def _require_in_handling(proposal: Proposal) -> None:
    if proposal.status != Proposal.Status.ASSIGNED:
        raise TransitionNotAllowed(
            _("提案当前状态为“%(status)s”,不在办理中") % {"status": proposal.get_status_display()})


def _require_at_work(assignment: Assignment, who: str) -> None:
    if assignment.status not in AT_WORK:
        raise TransitionNotAllowed(_("%(who)s当前状态为“%(status)s”,不能调整办理方式") % {
            "who": who, "status": assignment.get_status_display()})


def current_lead(proposal: Proposal) -> Assignment | None:
    return proposal.assignments.current().filter(role=R.LEAD).first()


# --- 主办 ↔ 会办 ---------------------------------------------------------------------------------

def check_swap_with_lead(actor, assignment: Assignment) -> None:
    """Asked on the co-handler's assignment: both it and the lead are still at work (neither
    objecting nor having sent its reply or opinion)."""
    _require_staff(actor)
    _require_in_handling(assignment.proposal)
    if assignment.role != R.CO:
        raise TransitionNotAllowed(_("只有会办单位可以与主办单位互换办理方式"))
    _require_at_work(assignment, _("会办单位"))
    lead = current_lead(assignment.proposal)
    if lead is None:
        raise TransitionNotAllowed(_("该提案没有主办单位"))
    _require_at_work(lead, _("主办单位"))


def _change_role(*, actor, proposal: Proposal, assignment: Assignment, to_role: str, on: datetime.date,
                 reason: str, other: Assignment) -> None:
    """One assignment into its new role, with the deadline of that role computed from the
    session's rules as for a new assignment made on ``on`` (reply 3 months or the session's
    fixed date; co-handling opinion 1 month). The objection window stays as first computed, and
    an extension granted for the old role's deadline no longer applies."""
    due, _objection = assignment_deadlines(proposal.session, to_role, on)
    from_role, from_due = assignment.role, assignment.due_on
    explanation = {**(assignment.due_explanation or {}), "due": due.as_dict()}
    changed = Assignment.objects.filter(pk=assignment.pk, status=assignment.status, role=from_role).update(
        role=to_role, due_on=due.due_on, original_due_on=due.due_on, due_explanation=explanation,
        extension_reason="", extension_approved_by=None, updated_at=timezone.now())
    if changed != 1:
        raise ConcurrentChange(_("该记录已被他人修改,请刷新后重试"))
    assignment.refresh_from_db()
    deadline = due.as_dict()
    record_event(proposal=proposal, assignment=assignment, action="change_role", actor=actor, note=reason,
                 note_audience=Audience.HANDLERS,
                 data={"from_role": from_role, "to_role": to_role, "swapped_with": other.pk,
                       "from_due_on": from_due.isoformat() if from_due else None,
                       "due_on": due.due_on.isoformat(), "rule": deadline["text"], "deadline": deadline})


def assignment_swap_with_lead(*, actor, assignment: Assignment, reason: str,
                              on: datetime.date | None = None) -> Assignment:
    """调整主办/会办: the co-handler becomes the lead and the lead a co-handler, by the proposal
    committee, with a reason. Each gets the deadline of its new role counted from the day of the
    change (Session.reply_months / reply_fixed_date, co_opinion_months), explained like every
    deadline, and one "change_role" event. Returns the co-handler's assignment, now the lead."""
    _require_staff(actor)
    _require_reason(reason)
    on = on or today()
    with transaction.atomic():
        co = lock_assignment(assignment)
        proposal = co.proposal
        check_swap_with_lead(actor, co)
        lead = lock(Assignment, current_lead(proposal).pk)
        # The lead steps down first: a proposal has one standing lead at any moment
        # (the constraint assignment_one_active_lead).
        _change_role(actor=actor, proposal=proposal, assignment=lead, to_role=R.CO, on=on, reason=reason, other=co)
        _change_role(actor=actor, proposal=proposal, assignment=co, to_role=R.LEAD, on=on, reason=reason, other=lead)
        refresh_next_due(proposal)
    return co


# --- 增加 / 撤销会办单位 ----------------------------------------------------------------------------

def check_add_co(actor, assignment: Assignment) -> None:
    """Asked on the lead's assignment: co-handlers send their opinion to the lead (domain.md)."""
    _require_staff(actor)
    _require_in_handling(assignment.proposal)
    if assignment.role != R.LEAD or not assignment.is_current:
        raise TransitionNotAllowed(_("会办单位配合主办单位办理,请在主办单位的交办上增加会办单位"))


def assignment_add_co(*, actor, assignment: Assignment, agency: Agency, reason: str,
                      allow_other_region: bool = False, on: datetime.date | None = None) -> Assignment:
    """增加会办单位 to a proposal in handling, by the proposal committee, with a reason: a new
    co-handling assignment made on ``on``, its opinion due 1 month later
    (Session.co_opinion_months), its objection window running from that day. An agency relieved
    earlier may be added again (a new row; the old one stays as history); one that stands on the
    proposal may not. Returns the new assignment."""
    _require_staff(actor)
    if agency is None:
        raise InvalidInput(_("请选择会办单位"), field="agency")
    _require_reason(reason)
    on = on or today()
    with transaction.atomic():
        lead = lock_assignment(assignment)
        proposal = lead.proposal
        check_add_co(actor, lead)
        added = create_assignment(actor=actor, proposal=proposal, agency=agency, role=R.CO, assigned_on=on,
                                  allow_other_region=allow_other_region, field="agency")
        record_event(proposal=proposal, assignment=added, action="add_co", actor=actor, to_status=added.status,
                     note=reason, note_audience=Audience.HANDLERS,
                     data={"lead": lead.pk, "agency": str(agency), "allow_other_region": bool(allow_other_region)})
    return added


def check_drop_co(actor, assignment: Assignment) -> None:
    """A co-handler whose opinion is not in yet; the transition table says which states end."""
    _require_staff(actor)
    _require_in_handling(assignment.proposal)
    if assignment.role != R.CO:
        raise TransitionNotAllowed(_("只能撤销会办单位;主办单位请通过交办异议或调整主办处理"))
    if assignment.status == A.REPLIED:
        raise TransitionNotAllowed(_("会办意见已提交,不能撤销该会办单位"))
    require_move(assignment, ASSIGNMENT_TRANSITIONS, A.CANCELLED)


def assignment_drop_co(*, actor, assignment: Assignment, reason: str) -> Assignment:
    """撤销会办单位, by the proposal committee, with a reason: the assignment becomes 已撤销
    (TRANSITIONS of services.assignments) and the agency keeps sight only of what it did itself
    (domain.md, "Relieved agencies")."""
    _require_staff(actor)
    _require_reason(reason)
    with transaction.atomic():
        co = lock_assignment(assignment)
        proposal = co.proposal
        check_drop_co(actor, co)
        before = move(co, ASSIGNMENT_TRANSITIONS, A.CANCELLED)
        refresh_search_text([proposal.pk])
        record_event(proposal=proposal, assignment=co, action="drop_co", actor=actor, from_status=before,
                     to_status=A.CANCELLED, note=reason, note_audience=Audience.HANDLERS,
                     data={"agency": co.agency.name})
    return co
