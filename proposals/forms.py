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


class MarkKeyForm(StepForm):
    leader = forms.CharField(label=_("督办领导"), max_length=100, required=False)


class SupervisionForm(StepForm):
    date = forms.DateField(label=_("日期"), widget=AdminDateWidget, required=False, help_text=_("留空为今天"))
    leader = forms.CharField(label=_("督办领导"), max_length=100, required=False,
                             help_text=_("留空为该提案的督办领导"))
    note = forms.CharField(label=_("督办情况"), widget=textarea())


class ObjectForm(StepForm):
    reason = forms.CharField(label=_("申请调整理由"), widget=textarea())


class DecideObjectionForm(StepForm):
    decision = forms.ChoiceField(label=_("处理结果"), choices=Assignment.ObjectionDecision.choices,
                                 widget=forms.RadioSelect)
    new_agency = forms.ModelChoiceField(label=_("改由承办单位"), queryset=Agency.objects.order_by("name"),
                                        required=False, help_text=_("同意调整时必填"))
    note = forms.CharField(label=_("处理意见"), required=False, widget=textarea())

    def setup(self):
        if self.obj is not None:
            self.fields["new_agency"].queryset = Agency.objects.exclude(pk=self.obj.agency_id).order_by("name")


class ExtendForm(StepForm):
    new_due_on = forms.DateField(label=_("延期至"), widget=AdminDateWidget)
    reason = forms.CharField(label=_("延期理由"), widget=textarea())


class ContactForm(StepForm):
    stage = forms.ChoiceField(label=_("阶段"), choices=ContactLog.Stage.choices)
    form = forms.ChoiceField(label=_("方式"), choices=ContactLog.Form.choices)
    date = forms.DateField(label=_("日期"), widget=AdminDateWidget)
    note = forms.CharField(label=_("情况"), required=False, widget=textarea())

    def setup(self):
        self.fields["date"].initial = today()


class ProposalCreateForm(StepForm):
    """A new draft: proposers in signing order, the first being the lead proposer (第一提案人)."""

    session = forms.ModelChoiceField(label=_("会议"), queryset=Session.objects.select_related("committee"))
    number = forms.CharField(label=_("提案号"), max_length=32, required=False,
                             help_text=_("按原文填写;留空则自动编号"))
    title = forms.CharField(label=_("案由"), max_length=300)
    topic = forms.CharField(label=_("类别"), max_length=50, required=False)
    body = forms.CharField(label=_("提案内容"), required=False, widget=textarea(12))
    lead_proposer = forms.ModelChoiceField(label=_("第一提案人"), queryset=Proposer.objects.none())
    co_proposers = forms.CharField(
        label=_("联名提案人"), required=False, widget=textarea(2),
        help_text=_("按签名顺序填写姓名或名称,以顿号或逗号分隔,须为本届政协的提案人"))
    proposers_more = forms.BooleanField(label=_("另有联名人"), required=False,
                                        help_text=_("来函写“等委员”,联名人多于所列"))

    def setup(self):
        proposers = Proposer.objects.select_related("committee").order_by("committee__name", "name")
        own = proposer_id(self.user)
        if not is_committee_staff(self.user) and own:
            # A member drafts in their own name; they may still sign second.
            self.fields["lead_proposer"].initial = own
        self.fields["lead_proposer"].queryset = proposers
        self.fields["lead_proposer"].label_from_instance = lambda p: f"{p.name}({p.committee.name})"

    def clean(self):
        data = super().clean()
        session, lead = data.get("session"), data.get("lead_proposer")
        if session is None or lead is None:
            return data
        names = split_names(data.get("co_proposers", ""))
        found = {p.name: p for p in Proposer.objects.filter(committee_id=session.committee_id, name__in=names)}
        missing = [name for name in names if name not in found]
        if missing:
            self.add_error("co_proposers", _("本届政协没有这些提案人:%(names)s") % {"names": "、".join(missing)})
        data["proposers"] = [lead] + [found[name] for name in names if name in found]
        return data


class ProposalEditForm(StepForm):
    """A draft's own text; everything else changes only through the workflow steps."""

    title = forms.CharField(label=_("案由"), max_length=300)
    topic = forms.CharField(label=_("类别"), max_length=50, required=False)
    body = forms.CharField(label=_("提案内容"), required=False, widget=textarea(12))

    def setup(self):
        for name in self.fields:
            self.fields[name].initial = getattr(self.obj, name)
