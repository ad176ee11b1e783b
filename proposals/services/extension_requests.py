"""延期申请 (domain.md, "Rules decided": a liaison may request an extension, with a reason and
the date it wants; staff approve or refuse it). An approval grants the extension through
services.assignments.assignment_extend, which alone applies the cap (6 months after the
assignment by default, Session.reply_max_months) and records the "extend" event; a request and
a refusal record their own events. Reasons and notes are handler-only text
(proposals.visibility.Audience.HANDLERS)."""
from __future__ import annotations

import datetime

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from proposals.models import Assignment, ExtensionRequest, Proposal
from proposals.roles import is_committee_staff
from proposals.selectors import today
from proposals.services.assignments import assignment_extend, check_extend, is_agency_actor
from proposals.services.base import lock, lock_assignment, move, record_event, require
from proposals.services.errors import InvalidInput, TransitionNotAllowed
from proposals.visibility import Audience

X = ExtensionRequest.Status

# A request is decided once.
TRANSITIONS = {
    X.PENDING: {X.APPROVED, X.REFUSED},
    X.APPROVED: set(),
    X.REFUSED: set(),
}


def pending_extension_request(assignment: Assignment) -> ExtensionRequest | None:
    """The assignment's request waiting for a decision (there is at most one)."""
    return assignment.extension_requests.filter(status=X.PENDING).first()


def pending_extension_request_of(assignment: Assignment) -> ExtensionRequest:
    """The pending request of an assignment, for the steps shown on the assignment's page."""
    request = pending_extension_request(assignment)
    if request is None:
        raise TransitionNotAllowed(_("该交办没有待审批的延期申请"))
    return request


def _require_pending(extension_request: ExtensionRequest) -> None:
    if extension_request.status != X.PENDING:
        raise TransitionNotAllowed(_("该延期申请已处理(%(status)s)") % {
            "status": extension_request.get_status_display()})


def _locked(extension_request: ExtensionRequest) -> tuple[Proposal, Assignment, ExtensionRequest]:
    """Proposal, assignment, then request: the order every step of an assignment locks in."""
    assignment = lock_assignment(extension_request.assignment)
    proposal = assignment.proposal
    request = lock(ExtensionRequest, extension_request.pk)
    request.assignment = assignment
    return proposal, assignment, request


# --- the liaison asks -------------------------------------------------------------------------------

def check_extension_request(actor, assignment: Assignment) -> None:
    """The assigned agency's liaison (or staff recording a request on paper), on an assignment
    still open, with no other request pending."""
    require(is_agency_actor(actor, assignment), _("只能为本单位承办的提案申请延期"))
    if not assignment.is_open:
        raise TransitionNotAllowed(_("该交办已结束,不能申请延期"))
    if pending_extension_request(assignment) is not None:
        raise TransitionNotAllowed(_("该交办已有待审批的延期申请,请等待提案委员会处理"))


def extension_request(*, actor, assignment: Assignment, wanted_due_on: datetime.date, reason: str,
                      on: datetime.date | None = None) -> ExtensionRequest:
    """申请延期: the agency asks for ``wanted_due_on`` (later than the current deadline) with a
    reason (required). Nothing changes on the assignment until staff approve; one request is
    pending per assignment at a time (the constraint extension_request_one_pending)."""
    if not (reason or "").strip():
        raise InvalidInput(_("请填写申请延期的理由"), field="reason")
    if not isinstance(wanted_due_on, datetime.date):
        raise InvalidInput(_("请填写希望延期至的日期"), field="wanted_due_on")
    on = on or today()
    with transaction.atomic():
        assignment = lock_assignment(assignment)
        proposal = assignment.proposal
        check_extension_request(actor, assignment)
        if assignment.due_on and wanted_due_on <= assignment.due_on:
            raise InvalidInput(_("希望延期至的日期应晚于现有期限(%(due)s)") % {"due": assignment.due_on.isoformat()},
                               field="wanted_due_on")
        try:
            with transaction.atomic():
                request = ExtensionRequest.objects.create(
                    assignment=assignment, wanted_due_on=wanted_due_on, reason=reason.strip(), requested_on=on,
                    requested_by=actor if actor.is_authenticated else None)
        except IntegrityError as exc:  # another request written at the same moment
            raise TransitionNotAllowed(_("该交办已有待审批的延期申请,请等待提案委员会处理")) from exc
        record_event(proposal=proposal, assignment=assignment, action="extension_request", actor=actor,
                     note=request.reason, note_audience=Audience.HANDLERS,
                     data={"extension_request": request.pk, "wanted_due_on": wanted_due_on.isoformat(),
                           "due_on": assignment.due_on.isoformat() if assignment.due_on else None})
    return request


# --- staff decide ---------------------------------------------------------------------------------

def check_extension_request_approve(actor, extension_request: ExtensionRequest) -> None:
    require(is_committee_staff(actor), _("延期须经提案委员会批准"))
    _require_pending(extension_request)
    check_extend(actor, extension_request.assignment)


def extension_request_approve(*, actor, extension_request: ExtensionRequest,
                              new_due_on: datetime.date | None = None, note: str = "",
                              on: datetime.date | None = None) -> ExtensionRequest:
    """批准延期: staff grant the wanted date, or an earlier one (``new_due_on``), through
    assignment_extend with the agency's reason; its cap and its "extend" event apply. A date the
    cap refuses leaves the request pending (field ``new_due_on``)."""
    require(is_committee_staff(actor), _("延期须经提案委员会批准"))
    with transaction.atomic():
        _proposal, assignment, request = _locked(extension_request)
        check_extension_request_approve(actor, request)
        assignment_extend(actor=actor, assignment=assignment, new_due_on=new_due_on or request.wanted_due_on,
                          reason=request.reason)
        move(request, TRANSITIONS, X.APPROVED, decided_by=actor, decided_on=on or today(),
             decision_note=(note or "").strip())
    return request


def check_extension_request_refuse(actor, extension_request: ExtensionRequest) -> None:
    require(is_committee_staff(actor), _("只有提案委员会工作人员可以审批延期申请"))
    _require_pending(extension_request)


def extension_request_refuse(*, actor, extension_request: ExtensionRequest, note: str,
                             on: datetime.date | None = None) -> ExtensionRequest:
    """不同意延期: staff refuse, with a note the agency reads (required); the deadline stays."""
    require(is_committee_staff(actor), _("只有提案委员会工作人员可以审批延期申请"))
    if not (note or "").strip():
        raise InvalidInput(_("请说明不同意延期的理由"), field="note")
    with transaction.atomic():
        proposal, assignment, request = _locked(extension_request)
        check_extension_request_refuse(actor, request)
        move(request, TRANSITIONS, X.REFUSED, decided_by=actor, decided_on=on or today(), decision_note=note.strip())
        record_event(proposal=proposal, assignment=assignment, action="extension_refuse", actor=actor,
                     note=request.decision_note, note_audience=Audience.HANDLERS,
                     data={"extension_request": request.pk, "wanted_due_on": request.wanted_due_on.isoformat()})
    return request
