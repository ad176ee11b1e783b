"""The workflow steps of proposals and assignments, each calling one service.

A button is offered when the service's ``check_<step>`` passes (services.base.allowed): the
rule is written once, beside the service, which asks it again on the locked row.
"""
from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from proposals import forms, services
from proposals.admin.actions import Step
from proposals.admin.corrections import ASSIGNMENT_CORRECTIONS, PROPOSAL_CORRECTIONS
from proposals.admin.urging import UrgeForm
from proposals.extensions import registry
from proposals.models import Assignment, Proposal
from proposals.roles import proposer_id
from proposals.services import assignments as A_
from proposals.services import cosigning as C_
from proposals.services import extension_requests as X_
from proposals.services import proposals as P_
from proposals.services import reassignment as R_
from proposals.services import urging as U_
from proposals.services.base import allowed

P = Proposal.Status


def is_own_proposal(user, proposal) -> bool:
    own = proposer_id(user)
    return bool(own) and any(s.proposer_id == own for s in proposal.signatures.all())


def can(check, *args):
    """A button is offered when the service's own check passes (services.base.allowed)."""
    return lambda user, obj: allowed(check, user, obj, *args)


def _edit_draft(user, proposal, data):
    services.proposal_update(actor=user, proposal=proposal, title=data["title"], body=data["body"],
                             topic=data["topic"])


# A label in the "workflow step" context is a word that also names a status or a record (不予立案,
# 交办, 申请调整): English needs the imperative on the button and the noun elsewhere.
PROPOSAL_STEPS = (
    Step("edit", _("编辑草稿"), _edit_draft, can(P_.check_update), form_class=forms.ProposalEditForm,
         done=_("草稿已保存")),
    Step("submit", _("提交"), lambda user, p, data: services.proposal_submit(actor=user, proposal=p),
         can(P_.check_submit), help_text=_("提交后提案内容不能再修改。"), done=_("提案已提交")),
    Step("file", _("立案"), lambda user, p, data: services.proposal_file(actor=user, proposal=p, note=data["note"]),
         can(P_.check_review, P.FILED), form_class=forms.NoteForm, done=_("已立案")),
    Step("reject", pgettext_lazy("workflow step", "不予立案"),
         lambda user, p, data: services.proposal_reject(actor=user, proposal=p, reason=data["reason"]),
         can(P_.check_review, P.NOT_FILED), form_class=forms.ReasonForm, danger=True, done=_("已作不予立案处理")),
    Step("convert", _("转为意见建议"),
         lambda user, p, data: services.proposal_convert(actor=user, proposal=p, reason=data["reason"]),
         can(P_.check_review, P.CONVERTED), form_class=forms.ReasonForm, done=_("已转为意见建议")),
    Step("merge", _("并案"),
         lambda user, p, data: services.proposal_merge(actor=user, proposal=p, into=data["into"],
                                                       reason=data["reason"]),
         can(P_.check_review, P.MERGED), form_class=forms.MergeForm, done=_("已并案")),
    Step("assign", pgettext_lazy("workflow step", "交办"),
         lambda user, p, data: services.proposal_assign(
             actor=user, proposal=p, lead=data["lead"], co=list(data["co"]), separate=list(data["separate"]),
             assigned_on=data["assigned_on"], allow_other_region=data["allow_other_region"]),
         can(P_.check_assign), form_class=forms.AssignForm,
         help_text=_("交办给一个主办单位(可加会办单位),或分别交给多个分办单位。"), done=_("已交办")),
    Step("mark_key", _("列为重点提案"),
         lambda user, p, data: services.proposal_mark_key(actor=user, proposal=p, is_key=True, leader=data["leader"]),
         lambda user, p: not p.is_key and allowed(P_.check_mark_key, user, p), form_class=forms.MarkKeyForm,
         done=_("已列为重点提案")),
    Step("unmark_key", _("取消重点提案"),
         lambda user, p, data: services.proposal_mark_key(actor=user, proposal=p, is_key=False),
         lambda user, p: p.is_key and allowed(P_.check_mark_key, user, p, False), secondary=True,
         done=_("已取消重点提案")),
    Step("supervise", _("记录督办"),
         lambda user, p, data: services.supervision_record(actor=user, proposal=p, note=data["note"],
                                                           date=data["date"], leader=data["leader"]),
         can(P_.check_supervise), form_class=forms.SupervisionForm, done=_("督办情况已记录")),
    Step("withdraw", _("撤案"),
         lambda user, p, data: services.proposal_withdraw(actor=user, proposal=p, reason=data["reason"]),
         can(P_.check_withdraw), form_class=forms.OptionalReasonForm, danger=True, done=_("提案已撤回")),
    # Issue 8: co-signing is an invitation (services.cosigning).
    Step("invite", _("邀请联名"),
         lambda user, p, data: C_.cosign_invite(actor=user, proposal=p, invitees=data["invite"]),
         can(C_.check_cosign_invite), form_class=forms.CoSignInviteForm, secondary=True,
         help_text=_("受邀人在确认期限内同意后才成为提案人;尚有邀请待答复时不能提交。"), done=_("已发出联名邀请")),
    Step("accept_invitation", _("同意联名"),
         lambda user, p, data: C_.cosign_accept(actor=user, proposal=p), can(C_.check_cosign_accept),
         help_text=_("同意后您将作为联名提案人署名,排在已署名的提案人之后。"), done=_("已同意联名")),
    Step("decline_invitation", _("拒绝联名"),
         lambda user, p, data: C_.cosign_decline(actor=user, proposal=p), can(C_.check_cosign_decline),
         danger=True, help_text=_("拒绝后您将不再看到这份草稿。"), done=_("已拒绝联名")),
)


def _decide_objection(user, a, data):
    uphold = data["decision"] == Assignment.ObjectionDecision.UPHELD
    services.assignment_decide_objection(actor=user, assignment=a, uphold=uphold, note=data["note"],
                                         new_agency=data["new_agency"] if uphold else None,
                                         allow_other_region=uphold and data["allow_other_region"])


def on_pending_request(check):
    """A decision button of the assignment's pending extension request, offered when the
    service's check passes on that request."""
    def available(user, assignment):
        request = X_.pending_extension_request(assignment)
        if request is None:
            return False
        request.assignment = assignment
        return allowed(check, user, request)
    return available


ASSIGNMENT_STEPS = (
    Step("acknowledge", _("签收"), lambda user, a, data: services.assignment_acknowledge(actor=user, assignment=a),
         can(A_.check_acknowledge), done=_("已签收")),
    Step("object", pgettext_lazy("workflow step", "申请调整"),
         lambda user, a, data: services.assignment_object(actor=user, assignment=a, reason=data["reason"]),
         can(A_.check_object), form_class=forms.ObjectForm, danger=True,
         help_text=_("认为不属于本单位职责的,可在交办异议期限内申请调整。"), done=_("调整申请已提交")),
    Step("decide_objection", _("处理异议"), _decide_objection, can(A_.check_decide_objection),
         form_class=forms.DecideObjectionForm, done=_("交办异议已处理")),
    Step("contact", _("记录沟通"),
         lambda user, a, data: services.contact_record(actor=user, assignment=a, stage=data["stage"],
                                                       form=data["form"], date=data["date"], note=data["note"]),
         can(A_.check_contact), form_class=forms.ContactForm, done=_("沟通情况已记录")),
    Step("extend", _("延期"),
         lambda user, a, data: services.assignment_extend(actor=user, assignment=a, new_due_on=data["new_due_on"],
                                                          reason=data["reason"]),
         can(A_.check_extend), form_class=forms.ExtendForm,
         help_text=_("延期后的期限自交办起总计不得超过本次会议规定的最长月数(默认6个月)。"), done=_("已延期")),
    # Issue 8: the committee's changes of who handles what, and extension requests.
    Step("swap_with_lead", _("改为主办"),
         lambda user, a, data: services.assignment_swap_with_lead(actor=user, assignment=a, reason=data["reason"]),
         can(R_.check_swap_with_lead), form_class=forms.ReassignReasonForm,
         help_text=_("本会办单位改为主办,原主办单位改为会办;双方的办理期限按新的办理方式自今日起重新计算。"),
         done=_("已调整主办与会办")),
    Step("add_co", _("增加会办单位"),
         lambda user, a, data: services.assignment_add_co(actor=user, assignment=a, agency=data["agency"],
                                                          reason=data["reason"],
                                                          allow_other_region=data["allow_other_region"]),
         can(R_.check_add_co), form_class=forms.AddCoForm, done=_("已增加会办单位")),
    Step("drop_co", _("撤销会办"),
         lambda user, a, data: services.assignment_drop_co(actor=user, assignment=a, reason=data["reason"]),
         can(R_.check_drop_co), form_class=forms.ReassignReasonForm, danger=True, done=_("已撤销该会办单位")),
    Step("request_extension", pgettext_lazy("workflow step", "申请延期"),
         lambda user, a, data: services.extension_request(actor=user, assignment=a,
                                                          wanted_due_on=data["wanted_due_on"], reason=data["reason"]),
         can(X_.check_extension_request), form_class=forms.RequestExtensionForm,
         help_text=_("由提案委员会审批;批准前办理期限不变。"), done=_("延期申请已提交")),
    Step("approve_extension", _("批准延期"),
         lambda user, a, data: services.extension_request_approve(
             actor=user, extension_request=X_.pending_extension_request_of(a), new_due_on=data["new_due_on"],
             note=data["note"]),
         on_pending_request(X_.check_extension_request_approve), form_class=forms.ApproveExtensionForm,
         done=_("已批准延期")),
    Step("refuse_extension", pgettext_lazy("workflow step", "不同意延期"),
         lambda user, a, data: services.extension_request_refuse(
             actor=user, extension_request=X_.pending_extension_request_of(a), note=data["note"]),
         on_pending_request(X_.check_extension_request_refuse), form_class=forms.RefuseExtensionForm, danger=True,
         done=_("已不同意延期")),
    # Issue 11: 催办, recorded in the timeline and counted in the agency's figures.
    Step("urge", pgettext_lazy("workflow step", "催办"),
         lambda user, a, data: services.assignment_urge(actor=user, assignment=a, message=data["message"]),
         can(U_.check_urge), form_class=UrgeForm, secondary=True,
         help_text=_("催办记入办理过程,并计入该单位的统计。"), done=_("已催办")),
)


def proposal_steps() -> tuple:
    """Proposals' own steps, its corrections, and those other apps add (proposals.extensions)."""
    return PROPOSAL_STEPS + tuple(registry.proposal_steps) + PROPOSAL_CORRECTIONS


def assignment_steps() -> tuple:
    return ASSIGNMENT_STEPS + tuple(registry.assignment_steps) + ASSIGNMENT_CORRECTIONS
