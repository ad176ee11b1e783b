"""The pages a member acts on: draft, edit, invite co-signers, submit, withdraw, answer an
invitation, rate a reply. Each calls one service (proposals.services, replies.services); the
service decides, and its refusal is shown on the form or in the message bar (workspace.errors).
Every step is a POST with Django's CSRF check."""
from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from proposals import services
from proposals.models import Proposal
from proposals.selectors import proposal_detail_list, visible_contacts
from proposals.services.cosigning import check_cosign_invite
from proposals.services.proposals import check_update, check_withdraw
from replies import services as reply_services
from replies.feedback import check_feedback
from replies.models import Feedback
from replies.selectors import visible_replies
from workspace.access import member_required
from workspace.errors import StepFailed, refusal, service_step
from workspace.forms import DraftForm, FeedbackForm, InviteForm, ProposalTextForm, WithdrawForm

# The services' field names, as the workspace's forms call them.
FIELDS = {"invite": "invitees", "comments": "reason", "proposer": None, "number": None, "proposers": None}


def _proposal(request, pk):
    """The proposal if the member may see it (proposals.visibility), else 404."""
    return get_object_or_404(proposal_detail_list(user=request.user), pk=pk)


def _detail(proposal, anchor: str = "") -> HttpResponseRedirect:
    return HttpResponseRedirect(reverse("workspace:proposal", args=[proposal.pk]) + anchor)


def _refused(request, proposal, reason: str) -> HttpResponseRedirect:
    """A step the member cannot take now: back to the proposal, with the service's reason."""
    messages.error(request, reason)
    return _detail(proposal)


@member_required
def draft_view(request):
    """起草提案: a draft in the member's own name; the invited members answer within their window."""
    form = DraftForm(request.POST or None, proposer=request.proposer)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                with service_step(request, form, FIELDS):
                    proposal = services.proposal_create(
                        actor=request.user, session=data["session"], title=data["title"], body=data["body"],
                        topic=data["topic"], invite=list(data["invitees"]))
            except StepFailed as failed:
                status = failed.status
            else:
                messages.success(request, _("提案草稿已保存"))
                return _detail(proposal)
        else:
            status = 400
    return render(request, "workspace/proposal_form.html", {"form": form, "creating": True}, status=status)


@member_required
def edit_view(request, pk):
    proposal = _proposal(request, pk)
    reason = refusal(check_update, request.user, proposal)
    if reason:
        return _refused(request, proposal, reason)
    form = ProposalTextForm(request.POST or None, proposal=proposal)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                with service_step(request, form, FIELDS):
                    services.proposal_update(actor=request.user, proposal=proposal, **form.cleaned_data)
            except StepFailed as failed:
                status = failed.status
            else:
                messages.success(request, _("提案草稿已保存"))
                return _detail(proposal)
        else:
            status = 400
    return render(request, "workspace/proposal_form.html", {"form": form, "proposal": proposal}, status=status)


@member_required
def invite_view(request, pk):
    """邀请联名: the drafter invites other members of the committee (services.cosigning)."""
    proposal = _proposal(request, pk)
    reason = refusal(check_cosign_invite, request.user, proposal)
    if reason:
        return _refused(request, proposal, reason)
    form = InviteForm(request.POST or None, proposer=request.proposer, proposal=proposal)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                with service_step(request, form, FIELDS):
                    sent = services.cosign_invite(actor=request.user, proposal=proposal,
                                                  invitees=list(form.cleaned_data["invitees"]))
            except StepFailed as failed:
                status = failed.status
            else:
                messages.success(request, _("已发出联名邀请,确认截止日期 %(due)s") % {
                    "due": max(i.due_on for i in sent).isoformat()})
                return _detail(proposal, "#cosigners")
        else:
            status = 400
    return render(request, "workspace/invite_form.html", {"form": form, "proposal": proposal}, status=status)


@require_POST
@member_required
def submit_view(request, pk):
    proposal = _proposal(request, pk)
    try:
        with service_step(request):
            services.proposal_submit(actor=request.user, proposal=proposal)
    except StepFailed:
        return _detail(proposal)
    messages.success(request, _("提案已提交,等待提案委员会审查"))
    return _detail(proposal)


@member_required
def withdraw_view(request, pk):
    """撤案: possible until the proposal is handled (services.proposals.check_withdraw)."""
    proposal = _proposal(request, pk)
    reason = refusal(check_withdraw, request.user, proposal)
    if reason:
        return _refused(request, proposal, reason)
    form = WithdrawForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            with service_step(request, form, FIELDS):
                services.proposal_withdraw(actor=request.user, proposal=proposal,
                                           reason=form.cleaned_data["reason"])
        except StepFailed as failed:
            status = failed.status
        else:
            messages.success(request, _("提案已撤回"))
            return _detail(proposal)
    return render(request, "workspace/withdraw_form.html", {"form": form, "proposal": proposal}, status=status)


def _answer(request, pk, accept: bool):
    # Through the invitation, not the visibility policy: a draft stops being visible to the
    # invitee when the window ends, and a late answer deserves the service's reason, not a 404.
    proposal = get_object_or_404(Proposal, pk=pk, invitations__proposer=request.proposer)
    step = services.cosign_accept if accept else services.cosign_decline
    try:
        with service_step(request):
            step(actor=request.user, proposal=proposal)
    except StepFailed:
        return HttpResponseRedirect(reverse("workspace:invitations"))
    if accept:
        messages.success(request, _("您已同意联名,成为本提案的提案人"))
        return _detail(proposal)
    messages.success(request, _("您已拒绝联名"))
    return HttpResponseRedirect(reverse("workspace:invitations"))


@require_POST
@member_required
def accept_view(request, pk):
    return _answer(request, pk, accept=True)


@require_POST
@member_required
def decline_view(request, pk):
    return _answer(request, pk, accept=False)


@member_required
def feedback_view(request, pk):
    """征询意见: the member rates a reply to their proposal (replies.feedback.feedback_give), with
    the questions committees ask (workspace.forms.FeedbackForm)."""
    user = request.user
    reply = get_object_or_404(visible_replies(user).select_related(
        "assignment__agency", "assignment__proposal__session__committee"), pk=pk)
    proposal = reply.assignment.proposal
    if Feedback.objects.filter(reply=reply, proposer=request.proposer).exists():
        return _refused(request, proposal, _("已评价过该答复"))
    reason = refusal(check_feedback, user, reply)
    if reason:
        return _refused(request, proposal, reason)
    form = FeedbackForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                with service_step(request, form, FIELDS):
                    reply_services.feedback_give(actor=user, reply=reply, rating=form.cleaned_data["rating"],
                                                 comments=form.comments())
            except StepFailed as failed:
                status = failed.status
            else:
                messages.success(request, _("评价已提交,谢谢您的意见"))
                return _detail(proposal, f"#reply-{reply.pk}")
        else:
            status = 400
    contacts = list(visible_contacts(user).filter(assignment=reply.assignment).order_by("date", "id"))
    return render(request, "workspace/feedback_form.html",
                  {"form": form, "reply": reply, "proposal": proposal, "contacts": contacts}, status=status)
