"""Reply workflow: drafting, submitting and publishing replies and co-handling opinions,
and the proposers' feedback that closes a proposal or sends it back for re-handling."""
from __future__ import annotations

import datetime
import re

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from proposals import deadlines
from proposals.calendar import rest_day_calendar
from proposals.models import Assignment, Proposal
from proposals.roles import is_committee_staff, proposer_id
from proposals.selectors import today, work_calendar
from proposals.services.assignments import TRANSITIONS as ASSIGNMENT_TRANSITIONS
from proposals.services.assignments import is_agency_actor
from proposals.services.base import lock, move, record_event, require, require_move, require_plausible_date
from proposals.services.errors import ConcurrentChange, InvalidInput, TransitionNotAllowed
from proposals.services.proposals import TRANSITIONS as PROPOSAL_TRANSITIONS
from proposals.services.proposals import refresh_next_due
from proposals.visibility import Audience, Viewer, may_read_field
from replies.models import Feedback, Reply
from replies.selectors import (
    current_replies,
    missing_opinions,
    proposal_ready_to_close,
    proposals_with_ended_windows,
    unrated_proposers,
)

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
        reply = lock(Reply, reply.pk)
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
        proposal = lock(Proposal, reply.assignment.proposal_id)
        assignment = lock(Assignment, reply.assignment_id)
        reply = lock(Reply, reply.pk)
        reply.assignment, assignment.proposal = assignment, proposal
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
        reply = lock(Reply, reply.pk)
        check_reply_publish(actor, reply)
        before = move(reply, TRANSITIONS, R.PUBLISHED, published_on=on or today())
        refresh_public_flag([reply.assignment.proposal_id])
        record_event(proposal=reply.assignment.proposal, assignment=reply.assignment, reply=reply, action="publish",
                     actor=actor, from_status=before, to_status=R.PUBLISHED)
    return reply


# What a proposer says; 未表态 is recorded by the tracker when the window ends without a rating.
GIVEN_RATINGS = (Feedback.Rating.SATISFIED, Feedback.Rating.BASICALLY, Feedback.Rating.DISSATISFIED)


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
    if rating not in GIVEN_RATINGS:
        raise InvalidInput(_("评价无效,应为满意、基本满意或不满意"), field="rating")
    if rating == Feedback.Rating.DISSATISFIED and not (comments or "").strip():
        raise InvalidInput(_("请说明不满意的理由,承办单位将据此重新办理"), field="comments")
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
                     note=comments, note_audience=Audience.RATING,
                     data={"proposer_id": proposer.pk, "proposer": proposer.name, "rating": rating})
        if rating == Feedback.Rating.DISSATISFIED:
            _send_back(actor=actor, proposal=proposal, assignment=assignment, on=on)
        else:
            ready, _why = proposal_ready_to_close(proposal, on)
            if ready:
                _record_not_rated(proposal, actor=actor)
                close_proposal(proposal, actor=actor, on=on)
    return feedback


def _send_back(*, actor, proposal: Proposal, assignment: Assignment, on: datetime.date) -> None:
    """重新办理 (domain.md, "Rules decided"): the agency answers again within the re-handling
    period, its own: 1 month from the dissatisfied rating by default (Session.rehandle_months),
    moved off a rest day when the session's rule says so (rest_day_shift, Civil Code art. 203).
    Extensions of it are capped from the same rating (Session.rehandle_max_months, 2 months;
    proposals.services.assignments.assignment_extend), not from the assignment. A fresh deadline
    replaces any flag for review the previous one carried."""
    months = proposal.session.rule("rehandle_months")
    due = deadlines.months_deadline("rehandle_months", "dissatisfied", on, months,
                                    rest_days=rest_day_calendar(proposal.session, on, months))
    before = move(assignment, ASSIGNMENT_TRANSITIONS, Assignment.Status.REHANDLING,
                  rehandle_count=assignment.rehandle_count + 1, due_on=due.due_on,
                  due_explanation=dict(assignment.due_explanation, due=due.as_dict()), deadline_review="")
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
    """办结 by the proposal committee (check_close says when); proposers who did not rate by the
    end of the window are recorded as 未表态."""
    require(is_committee_staff(actor), _("只有提案委员会工作人员可以执行此操作"))
    with transaction.atomic():
        proposal = lock(Proposal, proposal.pk)
        check_close(actor, proposal, on)
        _record_not_rated(proposal, actor=actor)
        close_proposal(proposal, actor=actor, note=note, on=on)
    return proposal


def feedback_windows_close(*, on: datetime.date | None = None, actor=None) -> list[Proposal]:
    """The end of the feedback window (domain.md, "Rules decided"): every replied proposal
    whose current replies' windows have all ended without a 不满意 is closed; its proposers
    who did not rate are recorded as 未表态. Run daily (manage.py close_feedback_windows)."""
    on = on or today()
    closed = []
    for candidate in proposals_with_ended_windows(on).order_by("id"):
        with transaction.atomic():
            proposal = lock(Proposal, candidate.pk)
            ready, _why = proposal_ready_to_close(proposal, on)
            if not ready:
                continue
            _record_not_rated(proposal, actor=actor)
            close_proposal(proposal, actor=actor, on=on)
            closed.append(proposal)
    return closed


def _record_not_rated(proposal: Proposal, *, actor) -> None:
    """未表态 for each proposer who did not rate a current reply whose window has ended, dated
    the last day of the window, with one event per reply (a rating: staff and the rated
    agency read who did not rate). Not for a reply imported from a published letter: its
    ratings were given outside the tracker, if at all, and are unknown, not absent."""
    for reply in current_replies(proposal).select_related("assignment"):
        if reply.feedback_due_on is None or reply.sources.exists():
            continue
        missing = unrated_proposers(proposal, reply)
        if not missing:
            continue
        Feedback.objects.bulk_create([Feedback(reply=reply, proposer=p, rating=Feedback.Rating.NOT_RATED,
                                               given_on=reply.feedback_due_on) for p in missing])
        record_event(proposal=proposal, assignment=reply.assignment, reply=reply, action="feedback_closed",
                     actor=actor, note="、".join(p.name for p in missing), note_audience=Audience.RATING,
                     data={"not_rated": [p.pk for p in missing], "window_ended": reply.feedback_due_on.isoformat()})


# What closing does to each assignment still standing: a replied or acknowledged one is closed
# with the proposal; one that never acted (or whose objection is pending) has nothing left to
# do and is withdrawn: left open, it would stay on the overdue lists of a closed proposal.
_ON_CLOSE = {
    Assignment.Status.REPLIED: Assignment.Status.CLOSED,
    Assignment.Status.ACKNOWLEDGED: Assignment.Status.CLOSED,
    Assignment.Status.ASSIGNED: Assignment.Status.CANCELLED,
    Assignment.Status.OBJECTED: Assignment.Status.CANCELLED,
}


def close_proposal(proposal: Proposal, *, actor, note: str = "", on: datetime.date | None = None) -> None:
    """The closing move itself, shared by the manual close, the last satisfied rating and the
    end of the feedback window: the proposal and each of its assignments move through their
    transition tables, each with its event. Why it closed is data (written in the reader's
    language, proposals.event_text); ``note`` is what staff typed."""
    before = move(proposal, PROPOSAL_TRANSITIONS, Proposal.Status.CLOSED, closed_on=on or today(), next_due_on=None)
    for assignment in proposal.assignments.select_for_update().filter(status__in=list(_ON_CLOSE)).order_by("id"):
        to = _ON_CLOSE[assignment.status]
        was = move(assignment, ASSIGNMENT_TRANSITIONS, to)
        record_event(proposal=proposal, assignment=assignment, action="close" if to == Assignment.Status.CLOSED
                     else "cancel", actor=actor, from_status=was, to_status=to)
    record_event(proposal=proposal, action="close", actor=actor, from_status=before,
                 to_status=Proposal.Status.CLOSED, note=note, data={"why": "ready"})
