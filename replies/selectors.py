"""Reads of replies and feedback; visibility decided here once."""
from __future__ import annotations

import datetime

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from proposals.models import Assignment, Proposal
from proposals.roles import is_committee_staff, liaison_agency_ids, proposer_id
from replies.models import Feedback, Reply

PUBLIC_REPLY = Q(kind=Reply.Kind.REPLY, status=Reply.Status.PUBLISHED, disclosure=Reply.Disclosure.PUBLIC)


def reply_visibility_q(user) -> Q:
    """Staff: all. Liaison: its agency's replies in any state, and the submitted replies and
    co-handling opinions on proposals assigned to it. Proposer: the submitted replies to its
    own proposals and to those they were merged into. Anyone: published replies with public
    disclosure."""
    if is_committee_staff(user):
        return Q()
    condition = PUBLIC_REPLY
    agencies = liaison_agency_ids(user)
    if agencies:
        condition |= Q(assignment__agency_id__in=agencies)
        condition |= ~Q(status=Reply.Status.DRAFT) & Q(
            assignment__proposal__in=Assignment.objects.filter(agency_id__in=agencies).values("proposal_id"))
    own = proposer_id(user)
    if own:
        # A merged proposal's proposers are answered by the reply to the proposal it went into.
        answered = Proposal.objects.filter(
            Q(signatures__proposer_id=own) | Q(merged_proposals__signatures__proposer_id=own))
        condition |= Q(kind=Reply.Kind.REPLY) & ~Q(status=Reply.Status.DRAFT) & Q(
            assignment__proposal__in=answered.values("pk"))
    return condition


def visible_replies(user) -> QuerySet[Reply]:
    return Reply.objects.filter(reply_visibility_q(user))


def reply_list(*, user, queryset: QuerySet[Reply] | None = None) -> QuerySet[Reply]:
    base = queryset if queryset is not None else Reply.objects.all()
    return base.filter(reply_visibility_q(user)).select_related(
        "assignment__agency", "assignment__proposal__session__committee")


def visible_feedback(user) -> QuerySet[Feedback]:
    """Ratings are seen by staff, the rated agency and the proposer who gave them."""
    if is_committee_staff(user):
        return Feedback.objects.all()
    condition = Q(pk__in=[])
    agencies = liaison_agency_ids(user)
    if agencies:
        condition |= Q(reply__assignment__agency_id__in=agencies)
    own = proposer_id(user)
    if own:
        condition |= Q(proposer_id=own)
    return Feedback.objects.filter(condition)


def current_replies(proposal: Proposal) -> QuerySet[Reply]:
    """The latest-round replies (not co-handling opinions) of the proposal's answering agencies."""
    replies = Reply.objects.filter(
        assignment__proposal=proposal, kind=Reply.Kind.REPLY,
        assignment__status__in=[Assignment.Status.REPLIED, Assignment.Status.CLOSED],
    ).exclude(status=Reply.Status.DRAFT).select_related("assignment")
    latest = {}
    for reply in replies:
        if reply.assignment_id not in latest or reply.round > latest[reply.assignment_id].round:
            latest[reply.assignment_id] = reply
    return Reply.objects.filter(pk__in=[r.pk for r in latest.values()])


def proposal_ready_to_close(proposal: Proposal, on: datetime.date) -> tuple[bool, str]:
    """办结 is allowed after a satisfied or basically-satisfied rating of every current reply,
    or once every reply's feedback window has passed without a dissatisfied rating."""
    if proposal.status != Proposal.Status.REPLIED:
        return False, _("提案尚未全部答复,不能办结")
    replies = list(current_replies(proposal).prefetch_related("feedback"))
    if not replies:
        return False, _("没有已提交的答复")
    for reply in replies:
        ratings = {f.rating for f in reply.feedback.all()}
        if Feedback.Rating.DISSATISFIED in ratings:
            return False, _("提案人对答复不满意,须重新办理")
        satisfied = ratings & {Feedback.Rating.SATISFIED, Feedback.Rating.BASICALLY}
        window_over = reply.feedback_due_on is not None and on > reply.feedback_due_on
        if not (satisfied or window_over):
            return False, _("征询意见期(至%(due)s)尚未结束,且提案人尚未表示满意") % {
                "due": reply.feedback_due_on.isoformat() if reply.feedback_due_on else "—"}
    return True, _("提案人满意或征询期已过")


def replies_awaiting_publication() -> QuerySet[Reply]:
    """Submitted replies marked 主动公开 that the proposal committee has not published yet."""
    return Reply.objects.filter(kind=Reply.Kind.REPLY, status=Reply.Status.SUBMITTED,
                                disclosure=Reply.Disclosure.PUBLIC)


def replies_awaiting_feedback(user, on: datetime.date | None = None) -> QuerySet[Reply]:
    """The latest-round replies to the user's own proposals that wait for its rating, within the window."""
    from django.db.models import Exists, F, OuterRef

    from proposals.selectors import today

    own = proposer_id(user)
    if not own:
        return Reply.objects.none()
    on = on or today()
    return (
        Reply.objects.filter(
            kind=Reply.Kind.REPLY,
            assignment__status=Assignment.Status.REPLIED,
            assignment__proposal__status=Proposal.Status.REPLIED,
            assignment__proposal__in=Proposal.objects.filter(signatures__proposer_id=own).values("pk"),
            round=F("assignment__rehandle_count") + 1,
        )
        .exclude(status=Reply.Status.DRAFT)
        .exclude(feedback_due_on__lt=on)
        .exclude(Exists(Feedback.objects.filter(reply=OuterRef("pk"), proposer_id=own)))
    )
