"""Reads of replies and feedback; visibility decided here once."""
from __future__ import annotations

import datetime

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from proposals.models import Assignment, Proposal
from proposals.roles import proposer_id
from proposals.visibility import Viewer, followed_q, handled_proposal_ids
from replies.models import Feedback, Reply, public_reply_q

def reply_visibility_q(user) -> Q:
    """Staff: all. Liaison: its agency's own replies in any state (a relieved agency keeps
    its drafts and opinion), and the sent replies and co-handling opinions on proposals it is
    currently assigned to. Proposer: the sent replies (not opinions) to the proposals it
    follows (its own, and those they were merged into). Anyone: public replies. The building
    blocks are proposals.visibility's."""
    viewer = Viewer.of(user)
    if viewer.staff:
        return Q()
    condition = public_reply_q()
    if viewer.agencies:
        condition |= Q(assignment__agency_id__in=viewer.agencies)
        condition |= ~Q(status=Reply.Status.DRAFT) & Q(assignment__proposal__in=handled_proposal_ids(viewer))
    if viewer.proposer is not None:
        condition |= Q(kind=Reply.Kind.REPLY) & ~Q(status=Reply.Status.DRAFT) & followed_q(
            viewer.proposer, "assignment__proposal")
    return condition


def visible_replies(user) -> QuerySet[Reply]:
    return Reply.objects.filter(reply_visibility_q(user))


def reply_list(*, user, queryset: QuerySet[Reply] | None = None) -> QuerySet[Reply]:
    base = queryset if queryset is not None else Reply.objects.all()
    return base.filter(reply_visibility_q(user)).select_related(
        "assignment__agency", "assignment__proposal__session__committee")


def feedback_visibility_q(user) -> Q:
    """A rating is read by staff, the rated agency and the proposer who gave it
    (proposals.visibility: Audience.RATING)."""
    viewer = Viewer.of(user)
    if viewer.staff:
        return Q()
    condition = Q(pk__in=[])
    if viewer.agencies:
        condition |= Q(reply__assignment__agency_id__in=viewer.agencies)
    if viewer.proposer is not None:
        condition |= Q(proposer_id=viewer.proposer)
    return condition


def visible_feedback(user) -> QuerySet[Feedback]:
    return Feedback.objects.filter(feedback_visibility_q(user))


def missing_opinions(proposal: Proposal) -> list[Assignment]:
    """The co-handlers (会办) still standing that have not sent their opinion to the lead."""
    return list(proposal.assignments.current().filter(role=Assignment.Role.CO).exclude(
        status__in=[Assignment.Status.REPLIED, Assignment.Status.CLOSED]).select_related("agency").order_by("id"))


def co_opinions(proposal: Proposal, on: datetime.date | None = None) -> list[dict]:
    """What the lead's reply page shows of the co-handling opinions: each co-handler still
    standing, whether its opinion is in, when, and whether it is (or came) late."""
    from proposals.selectors import today

    on = on or today()
    rows = []
    for a in proposal.assignments.current().filter(role=Assignment.Role.CO).select_related("agency").order_by("id"):
        received = a.replied_on is not None and a.status in (Assignment.Status.REPLIED, Assignment.Status.CLOSED)
        late = bool(a.due_on) and ((a.replied_on or on) > a.due_on)
        rows.append({"assignment": a.pk, "agency": a.agency.name, "received": received,
                     "received_on": a.replied_on if received else None, "due_on": a.due_on, "late": late})
    return rows


def current_replies(proposal: Proposal) -> QuerySet[Reply]:
    """The sent replies of the current round of the proposal's answering assignments."""
    return Reply.objects.filter(
        kind=Reply.Kind.REPLY, assignment__in=Assignment.objects.answering().filter(proposal=proposal),
    ).sent().current_round()


def proposal_ready_to_close(proposal: Proposal, on: datetime.date) -> tuple[bool, str]:
    """办结 (domain.md, "Rules decided": each proposer rates): every current reply rated 满意
    or 基本满意 by every proposer, or its feedback window ended without a 不满意 (a proposer
    who did not rate by then is recorded as 未表态 when the proposal closes)."""
    if proposal.status != Proposal.Status.REPLIED:
        return False, _("提案尚未全部答复,不能办结")
    replies = list(current_replies(proposal).prefetch_related("feedback"))
    if not replies:
        return False, _("没有已提交的答复")
    proposers = set(proposal.signatures.values_list("proposer_id", flat=True))
    for reply in replies:
        ratings = {f.proposer_id: f.rating for f in reply.feedback.all()}
        if Feedback.Rating.DISSATISFIED in ratings.values():
            return False, _("提案人对答复不满意,须重新办理")
        window_over = reply.feedback_due_on is not None and on > reply.feedback_due_on
        if not (proposers <= set(ratings) or window_over):
            return False, _("征询意见期(至%(due)s)尚未结束,尚有提案人未评价") % {
                "due": reply.feedback_due_on.isoformat() if reply.feedback_due_on else "—"}
    return True, _("提案人均已评价满意或基本满意,或征询意见期已过")


def unrated_proposers(proposal: Proposal, reply: Reply) -> list:
    """The proposers who have not rated ``reply`` (in signing order)."""
    rated = set(Feedback.objects.filter(reply=reply).values_list("proposer_id", flat=True))
    return [s.proposer for s in proposal.signatures.select_related("proposer").order_by("position")
            if s.proposer_id not in rated]


def proposals_with_ended_windows(on: datetime.date) -> QuerySet[Proposal]:
    """Replied proposals with a current reply whose feedback window ended before ``on``: the
    candidates for closing at the end of the window (replies.services.feedback_windows_close)."""
    ended = Reply.objects.filter(kind=Reply.Kind.REPLY, feedback_due_on__lt=on).sent().current_round()
    return Proposal.objects.filter(status=Proposal.Status.REPLIED, pk__in=ended.values("assignment__proposal_id"))


def replies_awaiting_publication() -> QuerySet[Reply]:
    """Submitted replies marked 主动公开 that the proposal committee has not published yet."""
    return Reply.objects.filter(kind=Reply.Kind.REPLY, status=Reply.Status.SUBMITTED,
                                disclosure=Reply.Disclosure.PUBLIC)


def replies_awaiting_feedback(user, on: datetime.date | None = None) -> QuerySet[Reply]:
    """The latest-round replies to the user's own proposals that wait for its rating, within the window."""
    from django.db.models import Exists, OuterRef

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
        )
        .sent().current_round()
        .exclude(feedback_due_on__lt=on)
        .exclude(Exists(Feedback.objects.filter(reply=OuterRef("pk"), proposer_id=own)))
    )
