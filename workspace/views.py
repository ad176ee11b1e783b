"""The pages a member reads: their proposals, one proposal with its progress and replies, the
invitations to co-sign. Rows come from the selectors (proposals.selectors, replies.selectors),
which apply the visibility policy; what a step allows is asked of the service's check."""
from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import QueryDict
from django.shortcuts import get_object_or_404, render
from django.urls import reverse_lazy

from proposals.admin.detail import deadline_text, timeline, withhold_fields
from proposals.filtersets import ProposalFilterSet
from proposals.models import Assignment, CoSignInvitation, Proposal, ProposalProposer, Session
from proposals.selectors import (
    proposal_detail_list,
    proposal_list,
    visible_assignments,
    visible_contacts,
)
from proposals.services.cosigning import check_cosign_accept, check_cosign_invite, effective_status, is_open
from proposals.services.proposals import check_submit, check_update, check_withdraw
from proposals.visibility import Viewer, invitation_visible
from replies.selectors import replies_awaiting_feedback, visible_feedback, visible_replies
from workspace import questionnaire
from workspace.access import member_required
from workspace.errors import refusal
from workspace.forms import FilterForm
from workspace.progress import progress

PAGE_SIZE = 20
# The answering agencies first, as a reply letter names them.
ROLE_ORDER = {Assignment.Role.LEAD: 0, Assignment.Role.SEPARATE: 1, Assignment.Role.CO: 2}
# The list's filters: those of ProposalFilterSet a member is offered (the API offers them all).
LIST_FILTERS = ("status", "session_id", "overdue")


class LoginView(auth_views.LoginView):
    """Django's login (django-axes counts the failures through its authentication backend and
    AxesMiddleware answers a locked username with the lockout page)."""

    template_name = "workspace/login.html"
    redirect_authenticated_user = True
    next_page = reverse_lazy("workspace:proposals")


class LogoutView(auth_views.LogoutView):
    next_page = reverse_lazy("workspace:login")


def _pending_invitations():
    return Prefetch("invitations", queryset=CoSignInvitation.objects.filter(
        status=CoSignInvitation.Status.INVITED).order_by("due_on"), to_attr="pending_invitations")


@member_required
def proposal_list_view(request):
    """我的提案: the proposals the member signs, latest change first, filtered by status, session
    and overdue (ProposalFilterSet), each with where it stands in a sentence and its next date."""
    user, own = request.user, request.proposer
    sessions = list(Session.objects.filter(committee_id=own.committee_id).order_by("-term", "-number"))
    filter_form = FilterForm(request.GET or None, sessions=sessions)
    data = QueryDict(mutable=True)
    for name in LIST_FILTERS:
        if request.GET.get(name):
            data[name] = request.GET[name]
    mine = Proposal.objects.filter(signatures__proposer_id=own.pk)
    filterset = ProposalFilterSet(data, queryset=mine, request=request, requested_only=True)
    rows = filterset.qs if filterset.is_valid() else mine
    rows = (proposal_list(user=user, queryset=rows).select_related("merged_into")
            .prefetch_related(_pending_invitations()).order_by("-updated_at", "-id"))
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    proposals = list(page.object_list)
    awaiting = {r.assignment.proposal_id: r for r in replies_awaiting_feedback(user).filter(
        assignment__proposal__in=[p.pk for p in proposals]).select_related("assignment")}
    for proposal in proposals:
        proposal.progress = progress(proposal, awaiting_reply=awaiting.get(proposal.pk))
    query = data.urlencode()
    return render(request, "workspace/proposal_list.html", {
        "proposals": proposals, "page": page, "filter_form": filter_form, "filter_errors": filterset.errors,
        "filtered": bool(data), "query": query,
    })


def _invitations(viewer, proposal, signer_ids):
    rows = list(proposal.invitations.select_related("proposer").order_by("invited_on", "id"))
    rows = [i for i in rows if invitation_visible(viewer, i, signer_ids)]
    for invitation in rows:
        invitation.state = effective_status(invitation)
        invitation.state_label = CoSignInvitation.Status(invitation.state).label
        invitation.is_open = is_open(invitation)
    return rows


def _replies(user, proposal):
    """The sent replies the member may read, each with their own rating (the only one they may
    read) and whether it waits for them."""
    awaiting = set(replies_awaiting_feedback(user).filter(assignment__proposal=proposal).values_list("pk", flat=True))
    replies = list(
        visible_replies(user).filter(assignment__proposal=proposal).select_related("assignment__agency")
        .prefetch_related(Prefetch("feedback", queryset=visible_feedback(user).filter(
            proposer_id=Viewer.of(user).proposer), to_attr="own_feedback"))
        .order_by("assignment__role", "assignment_id", "round")
    )
    for reply in replies:
        reply.awaits_rating = reply.pk in awaiting
        reply.rating = reply.own_feedback[0] if reply.own_feedback else None
        if reply.rating is not None:
            answers = questionnaire.parse(reply.rating.comments)
            reply.rating_reason = answers["reason"]
            reply.rating_answers = questionnaire.describe(answers["answers"])
    return replies


@member_required
def proposal_detail_view(request, pk):
    """One proposal as its proposer (or an invited member) may see it: text, signers and
    invitations, assignments with their deadlines explained, contacts, replies and ratings, the
    timeline, and the steps the services allow now."""
    user = request.user
    viewer = Viewer.of(user)
    proposal = get_object_or_404(proposal_detail_list(user=user).select_related("merged_into"), pk=pk)
    signatures = list(proposal.signatures.all())
    signer_ids = {s.proposer_id for s in signatures}
    assignments = sorted(visible_assignments(user).filter(proposal=proposal).select_related("agency"),
                         key=lambda a: (ROLE_ORDER.get(a.role, len(ROLE_ORDER)), a.pk))
    for assignment in assignments:
        withhold_fields(viewer, assignment)
        assignment.due_text = deadline_text(assignment, "due")
    replies = _replies(user, proposal)
    awaiting = next((r for r in replies if r.awaits_rating), None)
    is_draft = proposal.status == Proposal.Status.DRAFT
    is_signer = viewer.proposer in signer_ids
    submit_refusal = refusal(check_submit, user, proposal) if is_draft and is_signer else ""
    context = {
        "proposal": proposal,
        "progress": progress(proposal, awaiting_reply=awaiting),
        "signatures": signatures,
        "is_signer": is_signer,
        "invitations": _invitations(viewer, proposal, signer_ids),
        "assignments": assignments,
        "contacts": list(visible_contacts(user).filter(assignment__proposal=proposal)
                         .select_related("assignment__agency").order_by("date", "id")),
        "replies": replies,
        "timeline": timeline(user, proposal),
        "may_edit": is_draft and not refusal(check_update, user, proposal),
        "may_invite": is_draft and not refusal(check_cosign_invite, user, proposal),
        "show_submit": is_draft and is_signer,
        "submit_refusal": submit_refusal,
        "may_withdraw": is_signer and not refusal(check_withdraw, user, proposal),
        "may_answer": is_draft and not is_signer and not refusal(check_cosign_accept, user, proposal),
    }
    return render(request, "workspace/proposal_detail.html", context)


@member_required
def invitation_list_view(request):
    """联名邀请: the invitations to the member, open ones first, each with its window."""
    own = request.proposer
    leads = ProposalProposer.objects.filter(position=0).select_related("proposer").order_by("proposal_id")
    invitations = list(
        CoSignInvitation.objects.filter(proposer_id=own.pk)
        .select_related("proposal__session__committee")
        .prefetch_related(Prefetch("proposal__signatures", queryset=leads, to_attr="lead_signatures"))
        .order_by("-due_on", "-id")
    )
    for invitation in invitations:
        invitation.state = effective_status(invitation)
        invitation.state_label = CoSignInvitation.Status(invitation.state).label
        # Open (invited, within the window) is the one state in which services.cosigning takes
        # an answer; it checks again when the answer comes.
        invitation.is_open = invitation.state == CoSignInvitation.Status.INVITED
        leads_of = invitation.proposal.lead_signatures
        invitation.drafter = leads_of[0].proposer.name if leads_of else ""
    invitations.sort(key=lambda i: not i.is_open)
    return render(request, "workspace/invitation_list.html", {"invitations": invitations})

