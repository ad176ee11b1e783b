"""Reply workflow: drafting, submitting and publishing replies and co-handling opinions,
and the proposers' feedback that closes a proposal or sends it back for re-handling."""
from __future__ import annotations

import datetime

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from proposals import deadlines
from proposals.models import Assignment, Proposal
from proposals.roles import is_committee_staff, proposer_id
from proposals.selectors import today, work_calendar
from proposals.services.assignments import TRANSITIONS as ASSIGNMENT_TRANSITIONS
from proposals.services.assignments import is_agency_actor
from proposals.services.base import lock, move, record_event, require, require_move
from proposals.services.errors import ConcurrentChange, InvalidInput, TransitionNotAllowed
from proposals.services.proposals import TRANSITIONS as PROPOSAL_TRANSITIONS
from proposals.services.proposals import refresh_next_due
from proposals.visibility import Audience, Viewer, may_read_field
from replies.models import Feedback, Reply
from replies.selectors import proposal_ready_to_close

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
    return fields


def _require_note_writer(actor, fields: dict) -> None:
    """内部备注 is the proposal committee's own note (proposals.visibility): only who may read it writes it."""
    if (fields.get("internal_note") or "").strip() and not may_read_field(
            Viewer.of(actor), "replies.reply", "internal_note"):
        raise InvalidInput(_("内部备注仅提案委员会工作人员可以填写"), field="internal_note")


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
        reply = lock(Reply, reply.pk)
        check_reply_update(actor, reply)
        for name, value in fields.items():
            setattr(reply, name, value)
        if reply.disclosure == Reply.Disclosure.NOT_PUBLIC and not reply.disclosure_reason.strip():
            raise InvalidInput(_("不予公开须说明理由"), field="disclosure_reason")
        reply.save()
        record_event(proposal=reply.assignment.proposal, assignment=reply.assignment, reply=reply,
                     action="reply_update", actor=actor, data={"fields": sorted(fields)})
    return reply


def check_reply_submit(actor, reply: Reply) -> None:
    assignment = reply.assignment
    require(is_agency_actor(actor, assignment), _("只能提交本单位的答复"))
    require_move(reply, TRANSITIONS, R.SUBMITTED)
    if assignment.proposal.status != Proposal.Status.ASSIGNED:
        raise TransitionNotAllowed(_("提案当前不在办理中,不能提交答复"))
    if assignment.status not in REPLYING_STATUSES:
        raise TransitionNotAllowed(
            _("交办状态为“%(status)s”,须先签收") % {"status": assignment.get_status_display()})


def reply_submit(*, actor, reply: Reply, on: datetime.date | None = None) -> Reply:
    """答复 / 会办意见: the agency sends it. The proposal counts as replied when every lead or
    separately-assigned agency has replied; the feedback window (default 15 working days,
    Session.feedback_working_days) starts on delivery."""
    on = on or today()
    with transaction.atomic():
        proposal = lock(Proposal, reply.assignment.proposal_id)
        assignment = lock(Assignment, reply.assignment_id)
        reply = lock(Reply, reply.pk)
        reply.assignment, assignment.proposal = assignment, proposal
        check_reply_submit(actor, reply)
        if not reply.body.strip():
            raise InvalidInput(_("答复正文不能为空"), field="body")
        if reply.kind == Reply.Kind.REPLY and not reply.classification:
            raise InvalidInput(_("请选择办理结果分类(A/B/C/D)"), field="classification")
        updates = {"submitted_at": timezone.now(), "delivered_on": on}
        if reply.kind == Reply.Kind.REPLY:
            window = proposal.session.rule("feedback_working_days")
            calendar = work_calendar(on, on + datetime.timedelta(days=window * 3 + 30))
            feedback_due = deadlines.working_days_deadline("feedback_working_days", "delivered", on, window, calendar)
            updates.update(feedback_due_on=feedback_due.due_on, feedback_due_explanation=feedback_due.as_dict())
        move(reply, TRANSITIONS, R.SUBMITTED, **updates)
        before = move(assignment, ASSIGNMENT_TRANSITIONS, Assignment.Status.REPLIED, replied_on=on)
        record_event(proposal=proposal, assignment=assignment, reply=reply, action="reply_submit", actor=actor,
                     from_status=before, to_status=Assignment.Status.REPLIED, note=reply.title)
        if not proposal.assignments.answering().exclude(status=Assignment.Status.REPLIED).exists():
            before = move(proposal, PROPOSAL_TRANSITIONS, Proposal.Status.REPLIED)
            record_event(proposal=proposal, action="replied", actor=actor, from_status=before,
                         to_status=Proposal.Status.REPLIED)
        refresh_next_due(proposal)
    return reply


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
        reply = lock(Reply, reply.pk)
        check_reply_publish(actor, reply)
        before = move(reply, TRANSITIONS, R.PUBLISHED, published_on=on or today())
        refresh_public_flag([reply.assignment.proposal_id])
        record_event(proposal=reply.assignment.proposal, assignment=reply.assignment, reply=reply, action="publish",
                     actor=actor, from_status=before, to_status=R.PUBLISHED)
    return reply


def check_feedback(actor, reply: Reply, on: datetime.date | None = None) -> None:
    """The reply is in its feedback stage: a sent 答复 of the current round, its proposal and
    assignment replied, within the window; rated by a proposer or by staff on its behalf."""
    assignment, on = reply.assignment, on or today()
    require(is_committee_staff(actor) or proposer_id(actor) is not None, _("只有提案人可以评价答复"))
    if reply.kind != Reply.Kind.REPLY or reply.status == R.DRAFT:
        raise TransitionNotAllowed(_("只能评价已提交的答复"))
    if assignment.proposal.status != Proposal.Status.REPLIED or assignment.status != Assignment.Status.REPLIED:
        raise TransitionNotAllowed(_("提案当前不在征询意见阶段"))
    if reply.round != assignment.rehandle_count + 1:
        raise TransitionNotAllowed(_("只能评价最新一轮答复"))
    if reply.feedback_due_on and on > reply.feedback_due_on:
        raise TransitionNotAllowed(_("征询意见期已于%(due)s结束") % {"due": reply.feedback_due_on.isoformat()})


def feedback_give(*, actor, reply: Reply, rating: str, proposer=None, comments: str = "",
                  on: datetime.date | None = None) -> Feedback:
    """征询意见: each proposer rates the reply within the feedback window. 不满意 sends the
    proposal back for re-handling (default 1 month, Session.rehandle_months); a satisfied or
    basically-satisfied rating of every current reply closes it."""
    from proposals.models import Proposer

    on = on or today()
    if rating not in Feedback.Rating.values:
        raise InvalidInput(_("评价无效,应为满意、基本满意或不满意"), field="rating")
    if proposer is None:
        own = proposer_id(actor)
        if not own:
            # Only staff record a rating on a proposer's behalf; anyone else is simply not a proposer.
            require(is_committee_staff(actor), _("只有提案人可以评价答复"))
            raise InvalidInput(_("请指定提案人"), field="proposer")
        proposer = Proposer.objects.get(pk=own)
    require(is_committee_staff(actor) or proposer.pk == proposer_id(actor), _("只能以本人名义评价"))
    with transaction.atomic():
        proposal = lock(Proposal, reply.assignment.proposal_id)
        assignment = lock(Assignment, reply.assignment_id)
        reply = lock(Reply, reply.pk)
        reply.assignment, assignment.proposal = assignment, proposal
        if reply.kind != Reply.Kind.REPLY or reply.status == R.DRAFT:
            raise TransitionNotAllowed(_("只能评价已提交的答复"))
        if not proposal.signatures.filter(proposer=proposer).exists():
            raise InvalidInput(_("%(name)s 不是该提案的提案人") % {"name": proposer}, field="proposer")
        check_feedback(actor, reply, on=on)
        if Feedback.objects.filter(reply=reply, proposer=proposer).exists():
            raise InvalidInput(_("已评价过该答复"), field="rating")
        try:
            feedback = Feedback.objects.create(reply=reply, proposer=proposer, rating=rating, comments=comments,
                                               given_on=on, recorded_by=actor if actor.is_authenticated else None)
        except IntegrityError as exc:
            # Where rows cannot be locked (SQLite), the unique constraint is the last guard.
            raise ConcurrentChange(_("已评价过该答复")) from exc
        # The rating reaches staff, the rated agency and the rater only (proposals.visibility).
        record_event(proposal=proposal, assignment=assignment, reply=reply, action="feedback", actor=actor,
                     note=f"{proposer}:{feedback.get_rating_display()} {comments}".strip(),
                     note_audience=Audience.RATING, data={"proposer_id": proposer.pk})
        if rating == Feedback.Rating.DISSATISFIED:
            _send_back(actor=actor, proposal=proposal, assignment=assignment, on=on)
        else:
            ready, why = proposal_ready_to_close(proposal, on)
            if ready:
                close_proposal(proposal, actor=actor, note=why, on=on)
    return feedback


def _send_back(*, actor, proposal: Proposal, assignment: Assignment, on: datetime.date) -> None:
    """重新办理: the agency answers again within the re-handling period."""
    months = proposal.session.rule("rehandle_months")
    due = deadlines.months_deadline("rehandle_months", "dissatisfied", on, months)
    before = move(assignment, ASSIGNMENT_TRANSITIONS, Assignment.Status.REHANDLING,
                  rehandle_count=assignment.rehandle_count + 1, due_on=due.due_on,
                  due_explanation=dict(assignment.due_explanation, due=due.as_dict()))
    deadline = due.as_dict()  # as data, explained in the reader's language; "rule" keeps the text
    record_event(proposal=proposal, assignment=assignment, action="rehandle", actor=actor, from_status=before,
                 to_status=Assignment.Status.REHANDLING,
                 data={"due_on": due.due_on.isoformat(), "rule": deadline["text"], "deadline": deadline})
    before = move(proposal, PROPOSAL_TRANSITIONS, Proposal.Status.ASSIGNED)
    record_event(proposal=proposal, action="reopen", actor=actor, from_status=before,
                 to_status=Proposal.Status.ASSIGNED)
    refresh_next_due(proposal)


def check_close(actor, proposal: Proposal, on: datetime.date | None = None) -> str:
    """办结: after a satisfied or basically-satisfied rating, or once the feedback window
    (default 15 working days after delivery) has passed without one. Returns why it may close."""
    require(is_committee_staff(actor), _("只有提案委员会工作人员可以执行此操作"))
    ready, why = proposal_ready_to_close(proposal, on or today())
    if not ready:
        raise TransitionNotAllowed(why)
    return why


def proposal_close(*, actor, proposal: Proposal, note: str = "", on: datetime.date | None = None) -> Proposal:
    """办结 by the proposal committee (check_close says when)."""
    require(is_committee_staff(actor), _("只有提案委员会工作人员可以执行此操作"))
    with transaction.atomic():
        proposal = lock(Proposal, proposal.pk)
        why = check_close(actor, proposal, on)
        close_proposal(proposal, actor=actor, note=note or why, on=on)
    return proposal


def close_proposal(proposal: Proposal, *, actor, note: str, on: datetime.date | None = None) -> None:
    """The closing move itself, shared by the manual close and the satisfied rating."""
    before = move(proposal, PROPOSAL_TRANSITIONS, Proposal.Status.CLOSED, closed_on=on or today(), next_due_on=None)
    now = timezone.now()
    proposal.assignments.filter(status__in=[Assignment.Status.REPLIED, Assignment.Status.ACKNOWLEDGED]).update(
        status=Assignment.Status.CLOSED, updated_at=now)
    # A co-handler that never acted (or whose objection is pending) has nothing left to do;
    # left open, it would stay on the overdue lists of a closed proposal for ever.
    proposal.assignments.filter(status__in=[Assignment.Status.ASSIGNED, Assignment.Status.OBJECTED]).update(
        status=Assignment.Status.CANCELLED, updated_at=now)
    record_event(proposal=proposal, action="close", actor=actor, from_status=before,
                 to_status=Proposal.Status.CLOSED, note=note)
