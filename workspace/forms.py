"""The workspace's forms. Each only collects what a member types; the service it feeds decides
whether the step is allowed, and its refusal is shown on the form (workspace.errors)."""
from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from proposals.models import CoSignInvitation, Proposal, Proposer, Session
from proposals.services.cosigning import effective_status
from replies.feedback import GIVEN_RATINGS
from replies.models import Feedback
from workspace import questionnaire

ONE_MATTER = _("一事一案:一件提案只提一个问题。案由写明所提问题,如“关于……的提案”;"
               "另一个问题请另起一件提案。")
INVITE_HELP = _("受邀委员在确认期限内同意后才成为联名提案人;邀请待答复期间不能提交,逾期未答复的邀请不再阻止提交。")


class ProposerChoices(forms.ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def label_from_instance(self, obj):
        return obj.name


def invitable_proposers(proposer: Proposer, proposal: Proposal | None = None):
    """Other members of the proposer's committee who can answer an invitation (they have a
    login), less those who sign the draft already or hold an invitation that is not expired
    (the draft's page lists them); services.cosigning decides the rest."""
    candidates = Proposer.objects.filter(committee_id=proposer.committee_id, user__isnull=False).exclude(
        pk=proposer.pk).order_by("name")
    if proposal is None:
        return candidates
    taken = {s.proposer_id for s in proposal.signatures.all()}
    taken |= {i.proposer_id for i in CoSignInvitation.objects.filter(proposal=proposal)
              if effective_status(i) != CoSignInvitation.Status.EXPIRED}
    return candidates.exclude(pk__in=taken)


class ProposalTextForm(forms.Form):
    """A draft's own text: what services.proposals.proposal_update edits."""

    title = forms.CharField(label=_("案由"), max_length=300, help_text=ONE_MATTER)
    topic = forms.CharField(label=_("类别"), max_length=50, required=False,
                            help_text=_("如:教育、医疗卫生、生态环境(可不填)"))
    body = forms.CharField(label=_("提案内容"), required=False, widget=forms.Textarea(attrs={"rows": 14}),
                           help_text=_("写明问题、原因分析和具体建议"))

    def __init__(self, *args, proposal: Proposal | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if proposal is not None and not self.is_bound:
            for name in self.fields:
                self.fields[name].initial = getattr(proposal, name)


class DraftForm(ProposalTextForm):
    """A new draft in the member's own name (services.proposals.proposal_create), with the
    members invited to co-sign it (services.cosigning)."""

    session = forms.ModelChoiceField(label=_("会议"), queryset=Session.objects.none(), empty_label=None)
    invitees = ProposerChoices(label=_("邀请联名"), queryset=Proposer.objects.none(), required=False,
                               help_text=INVITE_HELP)
    field_order = ["session", "title", "topic", "body", "invitees"]

    def __init__(self, *args, proposer: Proposer, **kwargs):
        super().__init__(*args, **kwargs)
        sessions = Session.objects.filter(committee_id=proposer.committee_id).select_related("committee").order_by(
            "-term", "-number")
        self.fields["session"].queryset = sessions
        self.fields["session"].label_from_instance = lambda s: s.label
        self.fields["session"].initial = sessions.values_list("pk", flat=True).first()
        self.fields["invitees"].queryset = invitable_proposers(proposer)


class InviteForm(forms.Form):
    invitees = ProposerChoices(label=_("邀请联名"), queryset=Proposer.objects.none(), help_text=INVITE_HELP)

    def __init__(self, *args, proposer: Proposer, proposal: Proposal, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["invitees"].queryset = invitable_proposers(proposer, proposal)


class WithdrawForm(forms.Form):
    reason = forms.CharField(label=_("撤案说明"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
                             help_text=_("可不填;填写的说明记入办理过程"))


class FilterForm(forms.Form):
    """The list's filters, shown as a form; the values go to proposals.filtersets.ProposalFilterSet."""

    status = forms.ChoiceField(label=_("状态"), required=False)
    session_id = forms.ChoiceField(label=_("会议"), required=False)
    overdue = forms.ChoiceField(label=_("已超期"), required=False)

    def __init__(self, *args, sessions, **kwargs):
        super().__init__(*args, **kwargs)
        everything = [("", _("全部"))]
        self.fields["status"].choices = everything + list(Proposal.Status.choices)
        self.fields["session_id"].choices = everything + [(s.pk, s.label) for s in sessions]
        self.fields["overdue"].choices = everything + [("true", _("是")), ("false", _("否"))]


DISSATISFIED_NEEDS_REASON = _("请说明不满意的理由,承办单位将据此重新办理")


class FeedbackForm(forms.Form):
    """征询意见表: what committees ask with a rating. ``rating`` and the reason go to
    replies.feedback.feedback_give; the other answers have no field of their own yet and go
    into the comments (workspace.questionnaire)."""

    contacted = forms.ChoiceField(label=_("答复前,承办单位是否与您联系沟通?"), widget=forms.RadioSelect,
                                  choices=questionnaire.CONTACTED_CHOICES)
    contact_forms = forms.MultipleChoiceField(label=_("联系方式"), required=False,
                                              widget=forms.CheckboxSelectMultiple,
                                              choices=questionnaire.CONTACT_FORM_CHOICES,
                                              help_text=_("联系过的,请选择方式(可多选)"))
    answers = forms.ChoiceField(label=_("答复是否针对提案所提问题?"), widget=forms.RadioSelect,
                                choices=questionnaire.ANSWERS_CHOICES)
    attitude = forms.ChoiceField(label=_("对承办单位办理态度的评价"), widget=forms.RadioSelect,
                                 choices=questionnaire.ATTITUDE_CHOICES)
    rating = forms.ChoiceField(label=_("对办理结果的评价"), widget=forms.RadioSelect)
    reason = forms.CharField(label=_("意见和建议"), required=False, widget=forms.Textarea(attrs={"rows": 5}),
                             help_text=_("选择“不满意”时必填:请说明理由,承办单位将据此重新办理"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        labels = dict(Feedback.Rating.choices)
        self.fields["rating"].choices = [(code, labels[code]) for code in GIVEN_RATINGS]

    def clean(self):
        data = super().clean()
        if data.get("contacted") == questionnaire.YES and not data.get("contact_forms"):
            self.add_error("contact_forms", _("请选择联系方式"))
        # The service refuses 不满意 without a reason (replies.feedback.feedback_give), but it sees
        # the whole comments, which always carry the answers: the reason is asked for here.
        if data.get("rating") == Feedback.Rating.DISSATISFIED and not (data.get("reason") or "").strip():
            self.add_error("reason", DISSATISFIED_NEEDS_REASON)
        return data

    def comments(self) -> str:
        data = self.cleaned_data
        return questionnaire.compose(reason=data.get("reason", ""), contacted=data["contacted"],
                                     contact_forms=data.get("contact_forms") or [], answers=data["answers"],
                                     attitude=data["attitude"])
