"""The forms of the admin's workflow step pages. Each only collects input; the service it
feeds decides whether the step is allowed, and its refusal is shown on the form."""
from __future__ import annotations

import re

from django import forms
from django.contrib.admin.widgets import AdminDateWidget, FilteredSelectMultiple
from django.utils.translation import gettext_lazy as _

from proposals.models import Agency, Assignment, ContactLog, Proposal, Proposer, Session
from proposals.roles import is_committee_staff, proposer_id
from proposals.selectors import today, visible_proposals
from proposals.services.extension_requests import pending_extension_request

_NAME_SEPARATORS = re.compile(r"[、,,;;\n\r]+")


def split_names(text: str) -> list[str]:
    """Names as typed, in order: 张三、李四, 王五 → [张三, 李四, 王五]."""
    return [name.strip() for name in _NAME_SEPARATORS.split(text or "") if name.strip()]


def textarea(rows=4):
    return forms.Textarea(attrs={"rows": rows, "cols": 80})


class StepForm(forms.Form):
    """A step form knows who acts and on what (``obj`` is None on the add page)."""

    def __init__(self, *args, user=None, obj=None, **kwargs):
        self.user, self.obj = user, obj
        super().__init__(*args, **kwargs)
        self.setup()

    def setup(self):
        pass


class ConfirmForm(StepForm):
    """A step that needs no input: the page asks for confirmation."""


class NoteForm(StepForm):
    note = forms.CharField(label=_("说明"), required=False, widget=textarea())


class ReasonForm(StepForm):
    reason = forms.CharField(label=_("理由"), widget=textarea(), help_text=_("提案人将收到此说明"))


class OptionalReasonForm(StepForm):
    reason = forms.CharField(label=_("理由"), required=False, widget=textarea())


class MergeForm(StepForm):
    into = forms.ModelChoiceField(label=_("并入提案"), queryset=Proposal.objects.none(),
                                  help_text=_("同一次会议中负责办理的提案"))
    reason = forms.CharField(label=_("说明"), required=False, widget=textarea())

    def setup(self):
        self.fields["into"].queryset = (
            visible_proposals(self.user).filter(session_id=self.obj.session_id).exclude(pk=self.obj.pk)
            .order_by("number_sort")
        )


class AssignForm(StepForm):
    lead = forms.ModelChoiceField(label=_("主办单位"), queryset=Agency.objects.order_by("name"), required=False)
    co = forms.ModelMultipleChoiceField(
        label=_("会办单位"), queryset=Agency.objects.order_by("name"), required=False,
        widget=FilteredSelectMultiple(_("会办单位"), is_stacked=False))
    separate = forms.ModelMultipleChoiceField(
        label=_("分办单位"), queryset=Agency.objects.order_by("name"), required=False,
        widget=FilteredSelectMultiple(_("分办单位"), is_stacked=False),
        help_text=_("分别交由多个单位各自答复时使用,不与主办单位同时使用"))
    assigned_on = forms.DateField(label=_("交办日期"), widget=AdminDateWidget, required=False,
                                  help_text=_("留空为今天;办理期限、异议期限据此计算"))
    allow_other_region = forms.BooleanField(label=_("允许交办外地区单位"), required=False,
                                            help_text=_("承办单位不在本政协所在地区时,须明确允许(记入办理过程)"))


class MarkKeyForm(StepForm):
    leader = forms.CharField(label=_("督办领导"), max_length=100, required=False)


class SupervisionForm(StepForm):
    date = forms.DateField(label=_("日期"), widget=AdminDateWidget, required=False, help_text=_("留空为今天"))
    leader = forms.CharField(label=_("督办领导"), max_length=100, required=False,
                             help_text=_("留空为该提案的督办领导"))
    note = forms.CharField(label=_("督办情况"), widget=textarea())


class ObjectForm(StepForm):
    reason = forms.CharField(label=_("申请调整理由"), widget=textarea())


def shown(label, value, rows: int | None = None) -> forms.Field:
    """A value the person deciding must see (what the agency wrote, the dates), shown in the
    form and never read back: a disabled field ignores what is posted."""
    widget = textarea(rows) if rows else forms.TextInput(attrs={"size": 40})
    return forms.CharField(label=label, required=False, disabled=True, initial=value, widget=widget)


def show_first(form: forms.Form, **fields) -> None:
    form.fields = {**fields, **form.fields}


def agencies_not_standing_on(proposal):
    """Agencies the proposal may be given: not the ones standing on it (an agency relieved
    earlier may be given it again, services.proposals.create_assignment)."""
    return Agency.objects.exclude(pk__in=proposal.assignments.current().values("agency_id")).order_by("name")


ALLOW_OTHER_REGION_HELP = _("所选单位不属于本政协所在地区时,须勾选此项才能交办")


class DecideObjectionForm(StepForm):
    decision = forms.ChoiceField(label=_("处理结果"), choices=Assignment.ObjectionDecision.choices,
                                 widget=forms.RadioSelect)
    new_agency = forms.ModelChoiceField(label=_("改由承办单位"), queryset=Agency.objects.order_by("name"),
                                        required=False, help_text=_("同意调整时必填;可选择此前已调整出去的单位"))
    allow_other_region = forms.BooleanField(label=_("允许交办外地区单位"), required=False,
                                            help_text=ALLOW_OTHER_REGION_HELP)
    note = forms.CharField(label=_("处理意见"), required=False, widget=textarea(),
                           help_text=_("同意调整时必填;原承办单位和新承办单位可见"))

    def setup(self):
        if self.obj is not None:
            # Staff decide on what the agency wrote (the page's row already withholds it from
            # anyone outside the audience, proposals.visibility).
            objected_on = self.obj.objected_on.isoformat() if self.obj.objected_on else ""
            show_first(self, objection_reason=shown(_("异议理由"), self.obj.objection_reason, rows=4),
                       objected_on=shown(_("提出异议日期"), objected_on))
            self.fields["new_agency"].queryset = agencies_not_standing_on(self.obj.proposal)


class ExtendForm(StepForm):
    new_due_on = forms.DateField(label=_("延期至"), widget=AdminDateWidget)
    reason = forms.CharField(label=_("延期理由"), widget=textarea())


class ReassignReasonForm(StepForm):
    """The committee's change of who handles what: its reason is handler-only text."""

    reason = forms.CharField(label=_("调整理由"), widget=textarea(),
                             help_text=_("提案委员会和相关承办单位可见"))


class AddCoForm(ReassignReasonForm):
    agency = forms.ModelChoiceField(label=_("会办单位"), queryset=Agency.objects.order_by("name"),
                                    help_text=_("会办意见期限自今日起按本次会议规则计算"))
    allow_other_region = forms.BooleanField(label=_("允许交办外地区单位"), required=False,
                                            help_text=ALLOW_OTHER_REGION_HELP)

    def setup(self):
        self.fields = {"agency": self.fields["agency"], "allow_other_region": self.fields["allow_other_region"],
                       "reason": self.fields["reason"]}
        if self.obj is not None:
            self.fields["agency"].queryset = agencies_not_standing_on(self.obj.proposal)


class RequestExtensionForm(StepForm):
    wanted_due_on = forms.DateField(label=_("申请延期至"), widget=AdminDateWidget,
                                    help_text=_("自交办起总计不得超过本次会议规定的最长月数(默认6个月)"))
    reason = forms.CharField(label=_("申请理由"), widget=textarea(), help_text=_("提案委员会和本单位可见"))

    def setup(self):
        if self.obj is not None and self.obj.due_on:
            show_first(self, due_on=shown(_("现办理期限"), self.obj.due_on.isoformat()))


class ExtensionDecisionForm(StepForm):
    """Staff decide on the assignment's pending request, which the form shows."""

    def setup(self):
        request = pending_extension_request(self.obj) if self.obj is not None else None
        if request is not None:
            show_first(self, due_on=shown(_("现办理期限"), self.obj.due_on.isoformat() if self.obj.due_on else ""),
                       wanted_due_on=shown(_("申请延期至"), request.wanted_due_on.isoformat()),
                       requested_on=shown(_("申请日期"), request.requested_on.isoformat()),
                       request_reason=shown(_("申请理由"), request.reason, rows=4))


class ApproveExtensionForm(ExtensionDecisionForm):
    new_due_on = forms.DateField(label=_("批准延期至"), widget=AdminDateWidget, required=False,
                                 help_text=_("留空为申请的日期;也可批准较早的日期"))
    note = forms.CharField(label=_("审批意见"), required=False, widget=textarea())


class RefuseExtensionForm(ExtensionDecisionForm):
    note = forms.CharField(label=_("不同意的理由"), widget=textarea(), help_text=_("承办单位将看到此说明"))


class ContactForm(StepForm):
    stage = forms.ChoiceField(label=_("阶段"), choices=ContactLog.Stage.choices)
    form = forms.ChoiceField(label=_("方式"), choices=ContactLog.Form.choices)
    date = forms.DateField(label=_("日期"), widget=AdminDateWidget)
    note = forms.CharField(label=_("情况"), required=False, widget=textarea())

    def setup(self):
        self.fields["date"].initial = today()


def proposers_named(form: forms.Form, field: str, committee_id: int) -> list[Proposer]:
    """The proposers of the committee named in ``field``, in the order typed; a name not found
    is an error on the field."""
    names = split_names(form.cleaned_data.get(field, ""))
    found = {p.name: p for p in Proposer.objects.filter(committee_id=committee_id, name__in=names)}
    missing = [name for name in names if name not in found]
    if missing:
        form.add_error(field, _("本届政协没有这些提案人:%(names)s") % {"names": "、".join(missing)})
    return [found[name] for name in names if name in found]


INVITE_HELP = _("填写姓名或名称,以顿号或逗号分隔,须为本届政协有登录账号的提案人;"
                "受邀人在确认期限(默认3个工作日)内同意后才成为提案人,按同意的先后署名")


class ProposalCreateForm(StepForm):
    """A new draft (services.proposal_create). Staff entering a paper proposal name every
    proposer in signing order, the first being the lead proposer (第一提案人): they all sign at
    once. A member drafts in their own name, as the lead proposer, and names the members they
    invite to co-sign (services.cosigning)."""

    session = forms.ModelChoiceField(label=_("会议"), queryset=Session.objects.select_related("committee"))
    number = forms.CharField(label=_("提案号"), max_length=32, required=False,
                             help_text=_("按原文填写;留空则自动编号(本次会议纯数字提案号中最大者加一)"))
    title = forms.CharField(label=_("案由"), max_length=300)
    topic = forms.CharField(label=_("类别"), max_length=50, required=False)
    body = forms.CharField(label=_("提案内容"), required=False, widget=textarea(12))
    lead_proposer = forms.ModelChoiceField(label=_("第一提案人"), queryset=Proposer.objects.none())
    co_proposers = forms.CharField(
        label=_("联名提案人"), required=False, widget=textarea(2),
        help_text=_("按签名顺序填写姓名或名称,以顿号或逗号分隔,须为本届政协的提案人"))
    invite = forms.CharField(label=_("邀请联名"), required=False, widget=textarea(2), help_text=INVITE_HELP)
    proposers_more = forms.BooleanField(label=_("另有联名人"), required=False,
                                        help_text=_("来函写“等委员”,联名人多于所列"))

    def setup(self):
        lead = self.fields["lead_proposer"]
        lead.queryset = Proposer.objects.select_related("committee").order_by("committee__name", "name")
        lead.label_from_instance = lambda p: f"{p.name}({p.committee.name})"
        if is_committee_staff(self.user):
            del self.fields["invite"]
        else:
            # The drafter is the lead proposer: shown, never read back from the post.
            lead.initial, lead.disabled, lead.help_text = proposer_id(self.user), True, _("起草人即第一提案人")
            del self.fields["co_proposers"]

    def clean(self):
        data = super().clean()
        session, lead = data.get("session"), data.get("lead_proposer")
        if session is None or lead is None:
            return data
        if "co_proposers" in self.fields:
            data["proposers"] = [lead] + proposers_named(self, "co_proposers", session.committee_id)
            data["invite"] = []
        else:
            data["proposers"] = [lead]
            data["invite"] = proposers_named(self, "invite", session.committee_id)
        return data


class CoSignInviteForm(StepForm):
    invite = forms.CharField(label=_("邀请联名"), widget=textarea(2), help_text=INVITE_HELP)

    def clean(self):
        data = super().clean()
        if "invite" in data:
            data["invite"] = proposers_named(self, "invite", self.obj.session.committee_id)
        return data


class ProposalEditForm(StepForm):
    """A draft's own text; everything else changes only through the workflow steps."""

    title = forms.CharField(label=_("案由"), max_length=300)
    topic = forms.CharField(label=_("类别"), max_length=50, required=False)
    body = forms.CharField(label=_("提案内容"), required=False, widget=textarea(12))

    def setup(self):
        for name in self.fields:
            self.fields[name].initial = getattr(self.obj, name)
