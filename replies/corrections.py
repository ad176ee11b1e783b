"""Corrections of a reply's facts a person got wrong (issue 8): its signature and delivery
dates and its document number. A staff step with a reason, recorded as a "correct" event with
the values before and after; a new delivery date moves the feedback window with it
(replies.services.feedback_window). The same rule as proposals.services.corrections."""
from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from proposals.selectors import today
from proposals.services.base import require_plausible_date
from proposals.services.corrections import _reason, check_correct, record_correction
from proposals.services.errors import InvalidInput, TransitionNotAllowed
from replies.locking import lock_reply
from replies.models import Reply
from replies.services import feedback_window, require_signed_on

CORRECTABLE = ("signed_on", "delivered_on", "doc_number")


def reply_correct(*, actor, reply: Reply, reason: str, **changes) -> Reply:
    """成文日期, 送达日期 and 文号 of a reply, corrected by staff (check_correct)."""
    check_correct(actor)
    reason = _reason(reason)
    unknown = set(changes) - set(CORRECTABLE)
    if unknown or not changes:
        raise InvalidInput(_("可更正的字段为成文日期、送达日期和文号"), field=sorted(unknown)[0] if unknown else "reason")
    with transaction.atomic():
        reply = lock_reply(reply)
        assignment = reply.assignment
        proposal = assignment.proposal
        if "signed_on" in changes:
            require_signed_on(changes["signed_on"], assignment)
        if "delivered_on" in changes:
            if reply.status == Reply.Status.DRAFT:
                raise TransitionNotAllowed(_("答复尚未提交,没有送达日期"))
            require_plausible_date(changes["delivered_on"], field="delivered_on", label=_("送达日期"),
                                   not_before=assignment.assigned_on, not_after=today())
        if "doc_number" in changes:
            changes["doc_number"] = (changes["doc_number"] or "").strip()[:60]
        updates = {name: value for name, value in changes.items() if value != getattr(reply, name)}
        if not updates:
            raise InvalidInput(_("没有需要更正的内容"), field=next(iter(changes)))
        if "delivered_on" in updates and reply.kind == Reply.Kind.REPLY:
            updates.update(feedback_window(proposal, updates["delivered_on"]))
        shown = [name for name in (*CORRECTABLE, "feedback_due_on") if name in updates]
        before = {name: getattr(reply, name) for name in shown}
        Reply.objects.filter(pk=reply.pk).update(**updates, updated_at=timezone.now())
        for name, value in updates.items():
            setattr(reply, name, value)
        record_correction(proposal=proposal, assignment=assignment, reply=reply, actor=actor, reason=reason,
                          changes={name: (before[name], updates[name]) for name in shown})
    return reply

