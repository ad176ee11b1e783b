"""The workflow steps of proposals and assignments, each calling one service.

Buttons are offered from the services' TRANSITIONS and the role helpers; the services check
everything again and refuse what is not allowed.
"""
from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from proposals import forms, services
from proposals.admin.actions import Step
from proposals.models import Assignment, Proposal
from proposals.roles import is_committee_staff, proposer_id
from proposals.selectors import today
from proposals.services.assignments import TRANSITIONS as ASSIGNMENT_TRANSITIONS
from proposals.services.assignments import is_agency_actor
from proposals.services.proposals import TRANSITIONS as PROPOSAL_TRANSITIONS

P = Proposal.Status
A = Assignment.Status


def _proposal_may_become(proposal, to) -> bool:
    return to in PROPOSAL_TRANSITIONS.get(proposal.status, ())


def _assignment_may_become(assignment, to) -> bool:
    return to in ASSIGNMENT_TRANSITIONS.get(assignment.status, ())


def is_own_proposal(user, proposal) -> bool:
    own = proposer_id(user)
    return bool(own) and any(s.proposer_id == own for s in proposal.signatures.all())


def _staff_may(to):
    return lambda user, p: is_committee_staff(user) and _proposal_may_become(p, to)


def _author_may(to):
    return lambda user, p: _proposal_may_become(p, to) and (is_committee_staff(user) or is_own_proposal(user, p))


def _edit_draft(user, proposal, data):
    services.proposal_update(actor=user, proposal=proposal, title=data["title"], body=data["body"],
                             topic=data["topic"])


# A label in the "workflow step" context is a word that also names a status or a record (不予立案,
# 交办, 申请调整): English needs the imperative on the button and the noun elsewhere.
PROPOSAL_STEPS = (
    Step("edit", _("编辑草稿"), _edit_draft,
         lambda user, p: p.status == P.DRAFT and (is_committee_staff(user) or is_own_proposal(user, p)),
         form_class=forms.ProposalEditForm, done=_("草稿已保存")),
    Step("submit", _("提交"), lambda user, p, data: services.proposal_submit(actor=user, proposal=p),
         _author_may(P.SUBMITTED), help_text=_("提交后提案内容不能再修改。"), done=_("提案已提交")),
    Step("file", _("立案"), lambda user, p, data: services.proposal_file(actor=user, proposal=p, note=data["note"]),
         _staff_may(P.FILED), form_class=forms.NoteForm, done=_("已立案")),
    Step("reject", pgettext_lazy("workflow step", "不予立案"),
         lambda user, p, data: services.proposal_reject(actor=user, proposal=p, reason=data["reason"]),
         _staff_may(P.NOT_FILED), form_class=forms.ReasonForm, danger=True, done=_("已作不予立案处理")),
    Step("convert", _("转为意见建议"),
         lambda user, p, data: services.proposal_convert(actor=user, proposal=p, reason=data["reason"]),
         _staff_may(P.CONVERTED), form_class=forms.ReasonForm, done=_("已转为意见建议")),
    Step("merge", _("并案"),
         lambda user, p, data: services.proposal_merge(actor=user, proposal=p, into=data["into"],
                                                       reason=data["reason"]),
         _staff_may(P.MERGED), form_class=forms.MergeForm, done=_("已并案")),
    Step("assign", pgettext_lazy("workflow step", "交办"),
         lambda user, p, data: services.proposal_assign(
             actor=user, proposal=p, lead=data["lead"], co=list(data["co"]), separate=list(data["separate"]),
             assigned_on=data["assigned_on"]),
         _staff_may(P.ASSIGNED), form_class=forms.AssignForm,
         help_text=_("交办给一个主办单位(可加会办单位),或分别交给多个分办单位。"), done=_("已交办")),
    Step("mark_key", _("列为重点提案"),
         lambda user, p, data: services.proposal_mark_key(actor=user, proposal=p, is_key=True, leader=data["leader"]),
         lambda user, p: is_committee_staff(user) and not p.is_key, form_class=forms.MarkKeyForm,
         done=_("已列为重点提案")),
    Step("unmark_key", _("取消重点提案"),
         lambda user, p, data: services.proposal_mark_key(actor=user, proposal=p, is_key=False),
         lambda user, p: is_committee_staff(user) and p.is_key, secondary=True, done=_("已取消重点提案")),
    Step("supervise", _("记录督办"),
         lambda user, p, data: services.supervision_record(actor=user, proposal=p, note=data["note"],
                                                           date=data["date"], leader=data["leader"]),
         lambda user, p: is_committee_staff(user) and p.is_key, form_class=forms.SupervisionForm,
         done=_("督办情况已记录")),
    Step("close", _("办结"), lambda user, p, data: services.proposal_close(actor=user, proposal=p, note=data["note"]),
         _staff_may(P.CLOSED), form_class=forms.NoteForm,
         help_text=_("提案人满意或基本满意,或征询意见期已过,方可办结。"), done=_("提案已办结")),
    Step("withdraw", _("撤案"),
         lambda user, p, data: services.proposal_withdraw(actor=user, proposal=p, reason=data["reason"]),
         _author_may(P.WITHDRAWN), form_class=forms.OptionalReasonForm, danger=True, done=_("提案已撤回")),
)


def _agency_may(user, a) -> bool:
    return is_agency_actor(user, a)


def _may_object(user, a) -> bool:
    window_open = a.objection_due_on is None or today() <= a.objection_due_on
    return (_assignment_may_become(a, A.OBJECTED) and window_open and not a.objection_decision
            and _agency_may(user, a))


def _current_reply(assignment):
    """The reply or opinion of the assignment's current round, from the page's prefetch when there is one."""
    round_ = assignment.rehandle_count + 1
    replies = getattr(assignment, "admin_replies", None)
    if replies is None:
        replies = list(assignment.replies.all())
    return next((r for r in replies if r.round == round_), None)


def _may_draft_reply(user, a) -> bool:
    from replies.services import REPLYING_STATUSES

    return (a.status in (A.ASSIGNED, *REPLYING_STATUSES) and _agency_may(user, a)
            and _current_reply(a) is None)


def _create_reply(user, assignment, data):
    from replies.services import reply_create

    fields = {name: data[name] for name in (*forms.reply_form_fields(), "cc")}
    return reply_create(actor=user, assignment=assignment, **fields)


def _decide_objection(user, a, data):
    uphold = data["decision"] == Assignment.ObjectionDecision.UPHELD
    services.assignment_decide_objection(actor=user, assignment=a, uphold=uphold, note=data["note"],
                                         new_agency=data["new_agency"] if uphold else None)


ASSIGNMENT_STEPS = (
    Step("acknowledge", _("签收"), lambda user, a, data: services.assignment_acknowledge(actor=user, assignment=a),
         lambda user, a: (a.status != A.OBJECTED and _assignment_may_become(a, A.ACKNOWLEDGED)
                          and _agency_may(user, a)),
         done=_("已签收")),
    Step("object", pgettext_lazy("workflow step", "申请调整"),
         lambda user, a, data: services.assignment_object(actor=user, assignment=a, reason=data["reason"]),
         _may_object, form_class=forms.ObjectForm, danger=True,
         help_text=_("认为不属于本单位职责的,可在交办异议期限内申请调整。"), done=_("调整申请已提交")),
    Step("decide_objection", _("处理异议"), _decide_objection,
         lambda user, a: is_committee_staff(user) and _assignment_may_become(a, A.REASSIGNED),
         form_class=forms.DecideObjectionForm, done=_("交办异议已处理")),
    Step("contact", _("记录沟通"),
         lambda user, a, data: services.contact_record(actor=user, assignment=a, stage=data["stage"],
                                                       form=data["form"], date=data["date"], note=data["note"]),
         lambda user, a: a.status not in (A.REASSIGNED, A.CANCELLED) and _agency_may(user, a),
         form_class=forms.ContactForm, done=_("沟通情况已记录")),
    Step("reply_draft", _("起草答复"), _create_reply, _may_draft_reply, form_class=forms.ReplyForm,
         done=_("答复草稿已保存")),
    Step("extend", _("延期"),
         lambda user, a, data: services.assignment_extend(actor=user, assignment=a, new_due_on=data["new_due_on"],
                                                          reason=data["reason"]),
         lambda user, a: is_committee_staff(user) and a.is_open, form_class=forms.ExtendForm,
         help_text=_("延期后的期限自交办起总计不得超过本次会议规定的最长月数(默认6个月)。"), done=_("已延期")),
)
