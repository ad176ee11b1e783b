"""催办 (issue 11): the proposal committee's staff urge an agency on an assignment it has not
answered yet, with a message, on one proposal or on many at once. An urge changes no status and
no deadline: it is an event on the assignment ("urge"), whose note (the message) only staff and
the urged agency read (proposals.visibility.Audience.HANDLERS: it is the committee's word to the
agency), whose data keep the due date and the days overdue on the day of the urge, and which
the figures count per agency, session and committee (replies.stats: ``urged``). The notices it
leads to are the notifications' business, from the event."""
from __future__ import annotations

import datetime
from typing import NamedTuple

from django.db import transaction
from django.utils.translation import gettext as _

from proposals.deadlines import days_overdue
from proposals.models import Assignment
from proposals.roles import is_committee_staff
from proposals.selectors import today
from proposals.services.base import lock_assignment, record_event, require, require_text_length
from proposals.services.errors import InvalidInput, ServiceError, TransitionNotAllowed
from proposals.visibility import Audience

A = Assignment.Status

# A message is a few sentences; a letter belongs in a reply, not in an urge.
MAX_MESSAGE_CHARS = 2000
# Assignments one bulk urge may name: a session's overdue list is hundreds; beyond this it is
# more likely a selection made by mistake (the whole list) than a decision.
MAX_BATCH = 1000


class UrgeResult(NamedTuple):
    """What a bulk urge did: the assignments urged, and those skipped with the reason."""

    urged: list[Assignment]
    skipped: list[tuple[Assignment, str]]


def _require_staff(actor) -> None:
    require(is_committee_staff(actor), _("只有提案委员会工作人员可以催办"))


def clean_message(message) -> str:
    """The message, stripped: required (400 on ``message``), at most MAX_MESSAGE_CHARS."""
    message = (message or "").strip()
    if not message:
        raise InvalidInput(_("请填写催办内容"), field="message")
    require_text_length(message, field="message", label=_("催办内容"), limit=MAX_MESSAGE_CHARS)
    return message


def check_urge(actor, assignment: Assignment) -> None:
    """Staff only, on an assignment still owing its reply or co-handling opinion (待签收, 办理中,
    重新办理). One whose objection awaits the committee's decision is not urged: the next move is
    the committee's, not the agency's."""
    _require_staff(actor)
    if assignment.status == A.OBJECTED:
        raise TransitionNotAllowed(_("该单位的交办异议尚待处理,处理后再催办"))
    if not assignment.is_open:
        raise TransitionNotAllowed(
            _("交办当前状态为“%(status)s”,不需要催办") % {"status": assignment.get_status_display()})


def assignment_urge(*, actor, assignment: Assignment, message: str,
                    on: datetime.date | None = None) -> Assignment:
    """催办: records an "urge" event on the assignment with the message (handler-only) and, in its
    data, the due date in force and the calendar days it is overdue on ``on`` (default today)."""
    message = clean_message(message)
    on = on or today()
    with transaction.atomic():
        assignment = lock_assignment(assignment)
        check_urge(actor, assignment)
        record_event(proposal=assignment.proposal, assignment=assignment, action="urge", actor=actor,
                     note=message, note_audience=Audience.HANDLERS,
                     data={"due_on": assignment.due_on.isoformat() if assignment.due_on else None,
                           "days_overdue": days_overdue(assignment.due_on, on)})
    return assignment


def assignment_urge_many(*, actor, assignments, message: str, on: datetime.date | None = None) -> UrgeResult:
    """催办所选: urges each assignment that may be urged, each in its own transaction (one that
    cannot be urged, or that changed meanwhile, never undoes the others), and says why the others
    were skipped. The actor and the message are checked once, before anything is written; an
    assignment named twice is urged once; at most MAX_BATCH assignments (400 on ``assignments``)."""
    _require_staff(actor)
    message = clean_message(message)
    unique = list({assignment.pk: assignment for assignment in assignments}.values())
    if len(unique) > MAX_BATCH:
        raise InvalidInput(_("一次最多催办 %(limit)s 个交办,已选 %(n)s 个") % {"limit": MAX_BATCH, "n": len(unique)},
                           field="assignments")
    result = UrgeResult([], [])
    for assignment in unique:
        try:
            result.urged.append(assignment_urge(actor=actor, assignment=assignment, message=message, on=on))
        except ServiceError as exc:
            result.skipped.append((assignment, str(exc.message)))
    return result
