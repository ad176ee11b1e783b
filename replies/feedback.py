"""征询意见 and 办结 (domain.md, steps 7 and 8): each proposer rates the latest reply; one
不满意 sends the proposal back for re-handling; the proposal closes when every proposer is
satisfied or when the feedback window ends (未表态 recorded for who did not rate). The reply
steps are replies.services, which re-exports these."""
from __future__ import annotations

import datetime

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from proposals import deadlines
from proposals.calendar import rest_day_calendar
from proposals.models import Assignment, Proposal
from proposals.roles import is_committee_staff, proposer_id
from proposals.selectors import today
from proposals.services.assignments import TRANSITIONS as ASSIGNMENT_TRANSITIONS
from proposals.services.base import lock, move, record_event, require, require_text_length
from proposals.services.errors import ConcurrentChange, InvalidInput, TransitionNotAllowed
from proposals.services.proposals import TRANSITIONS as PROPOSAL_TRANSITIONS
from proposals.services.proposals import refresh_next_due
from proposals.visibility import Audience
from replies.locking import lock_reply
from replies.models import Feedback, Reply
from replies.selectors import (
    current_replies,
    proposal_ready_to_close,
    proposals_with_ended_windows,
    unrated_proposers,
)

R = Reply.Status


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
    require_text_length(comments, field="comments", label=_("意见"))
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
        reply = lock_reply(reply)
        assignment = reply.assignment
        proposal = assignment.proposal
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
