"""Reply workflow: drafting, submitting and publishing replies and co-handling opinions; the
proposers' feedback and closing are replies.feedback (re-exported here)."""
from __future__ import annotations

import datetime
import re

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from proposals import deadlines
from proposals.models import Assignment, Proposal
from proposals.roles import is_committee_staff
from proposals.selectors import today, work_calendar
from proposals.services.assignments import TRANSITIONS as ASSIGNMENT_TRANSITIONS
from proposals.services.assignments import is_agency_actor
from proposals.services.base import (
    move,
    record_event,
    require,
    require_move,
    require_plausible_date,
    require_text_length,
)
from proposals.services.errors import InvalidInput, TransitionNotAllowed
from proposals.services.proposals import TRANSITIONS as PROPOSAL_TRANSITIONS
from proposals.services.proposals import refresh_next_due
from proposals.visibility import Viewer, may_read_field
from replies.locking import lock_reply
from replies.models import Reply
from replies.selectors import missing_opinions

R = Reply.Status

TRANSITIONS = {R.DRAFT: {R.SUBMITTED}, R.SUBMITTED: {R.PUBLISHED}, R.PUBLISHED: set()}

EDITABLE_FIELDS = (
    "doc_number", "title", "body", "signer", "signed_on", "contact_unit", "contact_person", "contact_phone", "cc",
    "classification", "disclosure", "disclosure_reason", "internal_note",
)
REPLYING_STATUSES = (Assignment.Status.ACKNOWLEDGED, Assignment.Status.REHANDLING)


def _clean(fields: dict) -> dict:
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise InvalidInput(_("不能修改字段:%(fields)s") % {"fields": ", ".join(sorted(unknown))},
                           field=sorted(unknown)[0])
    if "classification" in fields and fields["classification"] not in ("", *Reply.Classification.values):
        raise InvalidInput(_("办理结果分类无效"), field="classification")
    if "disclosure" in fields and fields["disclosure"] not in Reply.Disclosure.values:
        raise InvalidInput(_("公开属性无效"), field="disclosure")
    if "cc" in fields and not (isinstance(fields["cc"], list) and all(isinstance(x, str) for x in fields["cc"])):
        raise InvalidInput(_("抄送须为单位名称列表"), field="cc")
    for name, label in (("body", _("答复正文")), ("internal_note", _("内部备注")), ("disclosure_reason", _("不予公开理由"))):
        require_text_length(fields.get(name), field=name, label=label)
    return fields


def _require_note_writer(actor, fields: dict) -> None:
    """内部备注 is the proposal committee's own note (proposals.visibility): only who may read it writes it."""
    if (fields.get("internal_note") or "").strip() and not may_read_field(
            Viewer.of(actor), "replies.reply", "internal_note"):
        raise InvalidInput(_("内部备注仅提案委员会工作人员可以填写"), field="internal_note")


def require_signed_on(value, assignment: Assignment) -> None:
    """成文日期: not before the assignment, not after today (issue 8: 1900-01-01 was taken)."""
    require_plausible_date(value, field="signed_on", label=_("成文日期"), not_before=assignment.assigned_on,
                           not_after=today())


def _current_reply(assignment: Assignment):
    round_ = assignment.rehandle_count + 1
    return next((r for r in assignment.replies.all() if r.round == round_), None)


def check_reply_create(actor, assignment: Assignment) -> None:
    require(is_agency_actor(actor, assignment), _("只能为本单位承办的提案起草答复"))
    if assignment.status not in (Assignment.Status.ASSIGNED, *REPLYING_STATUSES):
        raise TransitionNotAllowed(_("该交办当前不能起草答复"))
    if _current_reply(assignment) is not None:
        raise InvalidInput(_("本轮答复已存在,请修改现有草稿"), field="assignment")


def reply_create(*, actor, assignment: Assignment, **fields) -> Reply:
    """A draft reply (lead or separate agency) or co-handling opinion (co-handler), for the
    current round (round 2 after a 不满意 rating sent the proposal back)."""
    fields = _clean(fields)
    _require_note_writer(actor, fields)
    require(is_agency_actor(actor, assignment), _("只能为本单位承办的提案起草答复"))
    require_signed_on(fields.get("signed_on"), assignment)
    if assignment.status not in (Assignment.Status.ASSIGNED, *REPLYING_STATUSES):
        raise TransitionNotAllowed(_("该交办当前不能起草答复"))
    kind = Reply.Kind.OPINION if assignment.role == Assignment.Role.CO else Reply.Kind.REPLY
    round_ = assignment.rehandle_count + 1
    with transaction.atomic():
        if Reply.objects.filter(assignment=assignment, kind=kind, round=round_).exists():
            raise InvalidInput(_("本轮答复已存在,请修改现有草稿"), field="assignment")
        # Checked before the INSERT: the database's own check would otherwise answer with an
        # IntegrityError (a 500) instead of the field and the reason.
        reason = (fields.get("disclosure_reason") or "").strip()
        if fields.get("disclosure") == Reply.Disclosure.NOT_PUBLIC and not reason:
            raise InvalidInput(_("不予公开须说明理由"), field="disclosure_reason")
        try:
            reply = Reply.objects.create(assignment=assignment, kind=kind, round=round_, status=R.DRAFT, **fields)
        except IntegrityError as exc:  # the same draft started twice at the same moment
            raise InvalidInput(_("本轮答复已存在,请修改现有草稿"), field="assignment") from exc
        record_event(proposal=assignment.proposal, assignment=assignment, reply=reply, action="reply_draft",
                     actor=actor, to_status=R.DRAFT)
    return reply


def check_reply_update(actor, reply: Reply) -> None:
    require(is_agency_actor(actor, reply.assignment), _("只能修改本单位的答复"))
    if reply.status != R.DRAFT:
        raise TransitionNotAllowed(_("答复已提交,不能修改"))


def reply_update(*, actor, reply: Reply, **fields) -> Reply:
    """Drafts can be edited by their agency; a submitted reply is a record and stays as sent."""
    fields = _clean(fields)
    _require_note_writer(actor, fields)
    with transaction.atomic():
        reply = lock_reply(reply)
        check_reply_update(actor, reply)
        if "signed_on" in fields:
            require_signed_on(fields["signed_on"], reply.assignment)
        for name, value in fields.items():
            setattr(reply, name, value)
        if reply.disclosure == Reply.Disclosure.NOT_PUBLIC and not reply.disclosure_reason.strip():
            raise InvalidInput(_("不予公开须说明理由"), field="disclosure_reason")
        reply.save()
        record_event(proposal=reply.assignment.proposal, assignment=reply.assignment, reply=reply,
                     action="reply_update", actor=actor, data={"fields": sorted(fields)})
    return reply


def check_reply_submit(actor, reply: Reply) -> None:
    """A reply is sent while its proposal is being handled; a co-handling opinion also after
    the lead has replied (a late opinion is still recorded, domain.md "Rules decided"). Where
    the committee says so (rule ``opinion_blocks_reply``), the lead's reply waits for every
    co-handling opinion; by default the lead is only shown which are missing."""
    assignment = reply.assignment
    proposal = assignment.proposal
    require(is_agency_actor(actor, assignment), _("只能提交本单位的答复"))
    require_move(reply, TRANSITIONS, R.SUBMITTED)
    open_states = (Proposal.Status.ASSIGNED,) if reply.kind == Reply.Kind.REPLY else (
        Proposal.Status.ASSIGNED, Proposal.Status.REPLIED)
    if proposal.status not in open_states:
        raise TransitionNotAllowed(_("提案当前不在办理中,不能提交答复"))
    if assignment.status not in REPLYING_STATUSES:
        raise TransitionNotAllowed(
            _("交办状态为“%(status)s”,须先签收") % {"status": assignment.get_status_display()})
    if assignment.role == Assignment.Role.LEAD and proposal.session.rule("opinion_blocks_reply"):
        missing = missing_opinions(proposal)
        if missing:
            raise TransitionNotAllowed(_("会办意见尚未到齐(%(agencies)s),本届规定须先收到会办意见再答复") % {
                "agencies": "、".join(a.agency.name for a in missing)})


def require_body(reply: Reply) -> None:
    """A reply or opinion says something: its text holds at least one letter or figure."""
    if not re.search(r"\w", reply.body or ""):
        raise InvalidInput(_("答复正文不能为空"), field="body")


def reply_submit(*, actor, reply: Reply, on: datetime.date | None = None) -> Reply:
    """答复 / 会办意见: the agency sends it. The proposal counts as replied when every lead or
    separately-assigned agency has replied; the feedback window (default 15 working days,
    Session.feedback_working_days) starts on delivery."""
    on = on or today()
    with transaction.atomic():
        reply = lock_reply(reply)
        check_reply_submit(actor, reply)
        require_body(reply)
        if reply.kind == Reply.Kind.REPLY and not reply.classification:
            raise InvalidInput(_("请选择办理结果分类(A/B/C/D)"), field="classification")
        deliver(reply, actor=actor, on=on)
    return reply


def deliver(reply: Reply, *, actor, on: datetime.date, feedback_from: datetime.date | None = None) -> None:
    """The moves of a sent reply, in the caller's transaction on locked rows (reply_submit, and
    the importer recording a published letter): the reply is submitted, its assignment replied,
    the proposal replied once every answering assignment has; the feedback window starts on
    ``feedback_from`` (default: delivery). The event says which co-handling opinions were
    missing (a lead's reply) or that an opinion came late."""
    assignment, proposal = reply.assignment, reply.assignment.proposal
    updates = {"submitted_at": timezone.now(), "delivered_on": on}
    data = {}
    if reply.kind == Reply.Kind.REPLY:
        updates.update(feedback_window(proposal, feedback_from or on))
        if assignment.role == Assignment.Role.LEAD:
            data["missing_opinions"] = [a.agency.name for a in missing_opinions(proposal)]
    elif assignment.due_on and on > assignment.due_on:
        data["late"] = True
    move(reply, TRANSITIONS, R.SUBMITTED, **updates)
    before = move(assignment, ASSIGNMENT_TRANSITIONS, Assignment.Status.REPLIED, replied_on=on)
    record_event(proposal=proposal, assignment=assignment, reply=reply, action="reply_submit", actor=actor,
                 from_status=before, to_status=Assignment.Status.REPLIED, note=reply.title,
                 data={k: v for k, v in data.items() if v})
    if proposal.status == Proposal.Status.ASSIGNED and not proposal.assignments.answering().exclude(
            status=Assignment.Status.REPLIED).exists():
        before = move(proposal, PROPOSAL_TRANSITIONS, Proposal.Status.REPLIED)
        record_event(proposal=proposal, action="replied", actor=actor, from_status=before,
                     to_status=Proposal.Status.REPLIED)
    refresh_next_due(proposal)


def feedback_window(proposal: Proposal, start: datetime.date) -> dict:
    """征询意见: the window (default 15 working days, Session.feedback_working_days) from ``start``."""
    window = proposal.session.rule("feedback_working_days")
    calendar = work_calendar(start, start + datetime.timedelta(days=window * 3 + 30))
    due = deadlines.working_days_deadline("feedback_working_days", "delivered", start, window, calendar)
    return {"feedback_due_on": due.due_on, "feedback_due_explanation": due.as_dict()}


def refresh_public_flag(proposal_ids) -> None:
    """Keep Proposal.answered_publicly equal to "a public reply answers it", the fact that makes
    a proposal visible to everyone (proposals.visibility); the reply services keep it too."""
    public = Reply.objects.public().filter(assignment__proposal=OuterRef("pk"))
    Proposal.objects.filter(pk__in=list(proposal_ids)).update(answered_publicly=Exists(public))


def check_reply_publish(actor, reply: Reply) -> None:
    require(is_committee_staff(actor), _("只有提案委员会工作人员可以公开答复"))
    if reply.kind != Reply.Kind.REPLY:
        raise TransitionNotAllowed(_("会办意见不公开"))
    if reply.disclosure != Reply.Disclosure.PUBLIC:
        raise TransitionNotAllowed(
            _("公开属性为“%(d)s”,不能主动公开") % {"d": reply.get_disclosure_display()})
    require_move(reply, TRANSITIONS, R.PUBLISHED)


def reply_publish(*, actor, reply: Reply, on: datetime.date | None = None) -> Reply:
    """公开 (domain.md, Disclosure): the proposal committee publishes a submitted reply whose
    disclosure is 主动公开. 依申请公开 and 不予公开 (which needs a reason, checked when the draft
    is written) are never published; co-handling opinions go to the lead, not to the public."""
    require(is_committee_staff(actor), _("只有提案委员会工作人员可以公开答复"))
    with transaction.atomic():
        reply = lock_reply(reply)
        check_reply_publish(actor, reply)
        before = move(reply, TRANSITIONS, R.PUBLISHED, published_on=on or today())
        refresh_public_flag([reply.assignment.proposal_id])
        record_event(proposal=reply.assignment.proposal, assignment=reply.assignment, reply=reply, action="publish",
                     actor=actor, from_status=before, to_status=R.PUBLISHED)
    return reply


# 征询意见 and 办结 live in replies.feedback; the steps are reached from here too.
from replies.feedback import (  # noqa: E402,F401
    GIVEN_RATINGS,
    check_close,
    check_feedback,
    close_proposal,
    feedback_give,
    feedback_windows_close,
    proposal_close,
)
