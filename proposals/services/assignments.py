"""An agency's side of a proposal: receipt, objection, extension, contacts with the proposer."""
from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from proposals import deadlines
from proposals.models import Agency, Assignment, ContactLog, Proposal
from proposals.roles import is_committee_staff, liaison_agency_ids
from proposals.selectors import today
from proposals.services.base import lock_assignment, move, record_event, require, require_text_length
from proposals.visibility import Audience
from proposals.services.errors import InvalidInput, TransitionNotAllowed
from proposals.services.proposals import create_assignment, refresh_next_due

A = Assignment.Status

TRANSITIONS = {
    A.ASSIGNED: {A.ACKNOWLEDGED, A.OBJECTED, A.CANCELLED},
    A.ACKNOWLEDGED: {A.OBJECTED, A.REPLIED, A.CANCELLED, A.CLOSED},
    A.OBJECTED: {A.REASSIGNED, A.ACKNOWLEDGED, A.CANCELLED},
    A.REPLIED: {A.REHANDLING, A.CLOSED},
    A.REHANDLING: {A.REPLIED, A.CANCELLED},
    A.REASSIGNED: set(),
    A.CLOSED: set(),
    A.CANCELLED: set(),
}


def is_agency_actor(actor, assignment: Assignment) -> bool:
    """The assigned agency's liaison (or committee staff acting for it)."""
    return is_committee_staff(actor) or assignment.agency_id in liaison_agency_ids(actor)


def _require_agency(actor, assignment):
    require(is_agency_actor(actor, assignment), _("只能办理本单位承办的提案"))


def _require_proposal_in_handling(assignment):
    if assignment.proposal.status != Proposal.Status.ASSIGNED:
        raise TransitionNotAllowed(
            _("提案当前状态为“%(status)s”,不在办理中") % {"status": assignment.proposal.get_status_display()})


def _require_status(assignment: Assignment, *statuses) -> None:
    """A step that starts from particular states only. TRANSITIONS says where a status may go;
    this says which of those moves a given step makes (OBJECTED -> ACKNOWLEDGED is the
    committee's rejection of an objection, not the agency's receipt)."""
    if assignment.status not in statuses:
        raise TransitionNotAllowed(
            _("交办当前状态为“%(status)s”,不能执行此操作") % {"status": assignment.get_status_display()})


def check_acknowledge(actor, assignment: Assignment) -> None:
    _require_agency(actor, assignment)
    _require_proposal_in_handling(assignment)
    _require_status(assignment, A.ASSIGNED)


def assignment_acknowledge(*, actor, assignment: Assignment, on: datetime.date | None = None) -> Assignment:
    """签收: the assigned agency confirms receipt of a new assignment (domain.md, Assignment)."""
    with transaction.atomic():
        assignment = lock_assignment(assignment)
        check_acknowledge(actor, assignment)
        before = move(assignment, TRANSITIONS, A.ACKNOWLEDGED, acknowledged_on=on or today())
        record_event(proposal=assignment.proposal, assignment=assignment, action="acknowledge", actor=actor,
                     from_status=before, to_status=A.ACKNOWLEDGED)
    return assignment


def check_object(actor, assignment: Assignment, on: datetime.date | None = None) -> None:
    _require_agency(actor, assignment)
    _require_proposal_in_handling(assignment)
    _require_status(assignment, A.ASSIGNED, A.ACKNOWLEDGED)
    if assignment.objection_decision:
        raise TransitionNotAllowed(_("提案委员会已处理过该单位的调整申请"))
    on = on or today()
    if assignment.objection_due_on and on > assignment.objection_due_on:
        raise TransitionNotAllowed(
            _("已超过交办异议期限(%(due)s),不再受理调整申请") % {"due": assignment.objection_due_on.isoformat()})


def assignment_object(*, actor, assignment: Assignment, reason: str, on: datetime.date | None = None) -> Assignment:
    """交办异议: the agency asks to be relieved, with a reason, within the objection window
    (default 5 working days after assignment, Session.objection_working_days). An objection
    the committee has already decided is not raised again: its decision stands."""
    on = on or today()
    if not (reason or "").strip():
        raise InvalidInput(_("请说明申请调整的理由"), field="reason")
    with transaction.atomic():
        assignment = lock_assignment(assignment)
        check_object(actor, assignment, on=on)
        before = move(assignment, TRANSITIONS, A.OBJECTED, objection_reason=reason, objected_on=on)
        record_event(proposal=assignment.proposal, assignment=assignment, action="object", actor=actor,
                     from_status=before, to_status=A.OBJECTED, note=reason, note_audience=Audience.HANDLERS)
    return assignment


def check_decide_objection(actor, assignment: Assignment) -> None:
    require(is_committee_staff(actor), _("只有提案委员会工作人员可以处理交办异议"))
    # Only a pending objection is decided: without this, "reject" would acknowledge a
    # fresh assignment on the agency's behalf (ASSIGNED -> ACKNOWLEDGED is a valid move).
    _require_status(assignment, A.OBJECTED)


def assignment_decide_objection(*, actor, assignment: Assignment, uphold: bool, note: str = "",
                                new_agency: Agency | None = None, allow_other_region: bool = False,
                                on: datetime.date | None = None) -> Assignment:
    """The proposal committee decides an objection (domain.md, Assignment): upheld, with the
    reason (required), the proposal goes to ``new_agency`` in the same role, assigned on the day
    of the decision with fresh deadlines from the session's rules; or rejected (the agency
    handles it). The new agency may be any agency not standing on the proposal, one relieved
    earlier included (a new assignment row; the old one stays as 已改办 history); one outside
    the committee's region only with ``allow_other_region`` (create_assignment, issue 8)."""
    require(is_committee_staff(actor), _("只有提案委员会工作人员可以处理交办异议"))
    if uphold and new_agency is None:
        raise InvalidInput(_("同意调整时请指定新的承办单位"), field="new_agency")
    if uphold and new_agency.pk == assignment.agency_id:
        raise InvalidInput(_("同意调整时须改由其他单位办理"), field="new_agency")
    if uphold and not (note or "").strip():
        raise InvalidInput(_("同意调整时请填写处理意见,原承办单位和新承办单位将看到此说明"), field="note")
    on = on or today()
    with transaction.atomic():
        assignment = lock_assignment(assignment)
        proposal = assignment.proposal
        check_decide_objection(actor, assignment)
        if uphold:
            before = move(assignment, TRANSITIONS, A.REASSIGNED,
                          objection_decision=Assignment.ObjectionDecision.UPHELD, objection_decision_note=note)
            replacement = create_assignment(actor=actor, proposal=proposal, agency=new_agency, role=assignment.role,
                                            assigned_on=on, allow_other_region=allow_other_region,
                                            field="new_agency")
            data = {"new_assignment": replacement.pk, "new_agency": str(new_agency),
                    "allow_other_region": bool(allow_other_region)}
        else:
            before = move(assignment, TRANSITIONS, A.ACKNOWLEDGED,
                          objection_decision=Assignment.ObjectionDecision.REJECTED, objection_decision_note=note,
                          acknowledged_on=assignment.acknowledged_on or on)
            data = {}
        refresh_next_due(proposal)
        record_event(proposal=proposal, assignment=assignment, action="decide_objection", actor=actor,
                     from_status=before, to_status=assignment.status, note=note, note_audience=Audience.HANDLERS,
                     data=data)
    return assignment


def check_extend(actor, assignment: Assignment) -> None:
    require(is_committee_staff(actor), _("延期须经提案委员会批准"))
    if not assignment.is_open:
        raise TransitionNotAllowed(_("该交办已结束,不能延期"))


def assignment_extend(*, actor, assignment: Assignment, new_due_on: datetime.date, reason: str) -> Assignment:
    """延期, approved by the proposal committee (domain.md, Reply), within a cap (domain.md,
    "Rules decided"; deadlines.extension_cap):
    - the original handling (reply, fixed date, co-handling opinion) never beyond 6 months after
      the *assignment* (Session.reply_max_months), however many extensions are granted;
    - re-handling after 不满意 has its own cap, 2 months after the dissatisfied rating that started
      it (Session.rehandle_max_months); the original handling's cap no longer binds it.
    Both numbers are defaults a committee or session may change. The cap is stored with the
    extension and stated in the deadline's explanation. An approved date also settles a deadline
    flagged for review (Assignment.deadline_review): staff chose it under the calendar and the
    rules in force."""
    require(is_committee_staff(actor), _("延期须经提案委员会批准"))
    if not (reason or "").strip():
        raise InvalidInput(_("请填写延期理由"), field="reason")
    if not isinstance(new_due_on, datetime.date):
        raise InvalidInput(_("请填写延期后的期限"), field="new_due_on")
    with transaction.atomic():
        assignment = lock_assignment(assignment)
        proposal = assignment.proposal
        check_extend(actor, assignment)
        base = _current_deadline(assignment)
        cap = deadlines.extension_cap(base, assigned_on=assignment.assigned_on,
                                      reply_max_months=proposal.session.rule("reply_max_months"),
                                      rehandle_max_months=proposal.session.rule("rehandle_max_months"))
        if new_due_on > cap.limit:
            if cap.start_event == "dissatisfied":
                message = _("重新办理延期后的期限不得晚于不满意评价后%(months)s个月(%(limit)s)")
            else:
                message = _("延期后的期限不得晚于交办后%(months)s个月(%(limit)s)")
            raise InvalidInput(message % {"months": cap.months, "limit": cap.limit.isoformat()}, field="new_due_on")
        if new_due_on <= base.due_on:
            raise InvalidInput(_("延期后的期限应晚于现有期限(%(due)s)") % {"due": base.due_on.isoformat()},
                               field="new_due_on")
        extended = deadlines.extended_deadline(base, new_due_on, cap, reason)
        old_due, settled_review = assignment.due_on, assignment.deadline_review
        explanation = dict(assignment.due_explanation, due=extended.as_dict())
        Assignment.objects.filter(pk=assignment.pk).update(
            due_on=new_due_on, extension_reason=reason, extension_approved_by=actor, due_explanation=explanation,
            deadline_review="", updated_at=timezone.now())
        assignment.refresh_from_db()
        refresh_next_due(proposal)
        data = {"from": old_due.isoformat() if old_due else None, "to": new_due_on.isoformat()}
        if settled_review:
            data["settled_review"] = settled_review
        record_event(proposal=proposal, assignment=assignment, action="extend", actor=actor, note=reason,
                     note_audience=Audience.HANDLERS, data=data)
    return assignment


def _current_deadline(assignment: Assignment) -> deadlines.Deadline:
    """The deadline an extension starts from: the stored one (its rule says which cap applies,
    deadlines.extension_cap), or for an assignment without a stored explanation (imported data)
    a reply deadline rebuilt from its dates."""
    data = (assignment.due_explanation or {}).get("due")
    if data:
        return deadlines.deadline_from_dict(data)
    return deadlines.Deadline(due_on=assignment.due_on or assignment.assigned_on, rule="reply_months",
                              start_event="assigned", start_on=assignment.assigned_on, unit="months")


def check_contact(actor, assignment: Assignment) -> None:
    _require_agency(actor, assignment)
    if not assignment.is_current:
        raise TransitionNotAllowed(_("该交办已结束"))


def contact_record(*, actor, assignment: Assignment, stage: str, form: str, date: datetime.date,
                   note: str = "") -> ContactLog:
    """办前/办中/办后沟通 with the proposer, recorded by the agency."""
    if stage not in ContactLog.Stage.values:
        raise InvalidInput(_("沟通阶段无效"), field="stage")
    if form not in ContactLog.Form.values:
        raise InvalidInput(_("沟通方式无效"), field="form")
    if date > today():
        raise InvalidInput(_("沟通日期不能晚于今天"), field="date")
    require_text_length(note, field="note", label=_("沟通情况"))
    check_contact(actor, assignment)
    with transaction.atomic():
        contact = ContactLog.objects.create(assignment=assignment, stage=stage, form=form, date=date, note=note,
                                            recorded_by=actor if actor.is_authenticated else None)
        record_event(proposal=assignment.proposal, assignment=assignment, action="contact", actor=actor,
                     note=note, data={"stage": stage, "form": form})
    return contact
