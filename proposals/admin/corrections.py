"""The correction steps of the admin (proposals.services.corrections): staff correct a
proposal's session and number, an assignment's date or agency, or recompute its deadline from
the rules as they stand, each with a reason. Their forms are here, beside the steps."""
from __future__ import annotations

from django import forms
from django.contrib.admin.widgets import AdminDateWidget
from django.utils.translation import gettext_lazy as _

from proposals.admin.actions import Step
from proposals.forms import StepForm, textarea
from proposals.models import Agency, Session
from proposals.services import corrections
from proposals.services.base import allowed


class CorrectionForm(StepForm):
    reason = forms.CharField(label=_("更正理由"), widget=textarea(2), help_text=_("记入办理过程,更正前后的值一并记录"))


class ProposalNumberForm(CorrectionForm):
    session = forms.ModelChoiceField(label=_("会议"), queryset=Session.objects.none())
    number = forms.CharField(label=_("提案号"), max_length=32)
    field_order = ("session", "number", "reason")

    def setup(self):
        self.fields["session"].queryset = Session.objects.filter(committee_id=self.obj.session.committee_id)
        self.fields["session"].initial = self.obj.session_id
        self.fields["number"].initial = self.obj.number


class AssignmentDateForm(CorrectionForm):
    assigned_on = forms.DateField(label=_("交办日期"), widget=AdminDateWidget,
                                  help_text=_("办理期限和异议期限将按本次会议的规则重新计算"))
    field_order = ("assigned_on", "reason")

    def setup(self):
        self.fields["assigned_on"].initial = self.obj.assigned_on


class AssignmentAgencyForm(CorrectionForm):
    agency = forms.ModelChoiceField(label=_("承办单位"), queryset=Agency.objects.order_by("name"),
                                    help_text=_("仅用于纠正录入错误;单位认为不属其职责的,应走交办异议"))
    field_order = ("agency", "reason")


def _staff(user, obj) -> bool:
    return allowed(corrections.check_correct, user, obj)


PROPOSAL_CORRECTIONS = (
    Step("correct_number", _("更正会议或提案号"),
         lambda user, p, data: corrections.proposal_correct_number(
             actor=user, proposal=p, session=data["session"], number=data["number"], reason=data["reason"]),
         _staff, form_class=ProposalNumberForm, secondary=True, done=_("已更正")),
)

ASSIGNMENT_CORRECTIONS = (
    Step("correct_date", _("更正交办日期"),
         lambda user, a, data: corrections.assignment_correct_date(actor=user, assignment=a,
                                                                   assigned_on=data["assigned_on"],
                                                                   reason=data["reason"]),
         lambda user, a: _staff(user, a) and a.is_current, form_class=AssignmentDateForm, secondary=True,
         done=_("已更正")),
    Step("correct_agency", _("更正承办单位"),
         lambda user, a, data: corrections.assignment_correct_agency(actor=user, assignment=a, agency=data["agency"],
                                                                     reason=data["reason"]),
         lambda user, a: _staff(user, a) and a.is_current and a.replied_on is None,
         form_class=AssignmentAgencyForm, secondary=True, done=_("已更正")),
    Step("recompute_deadline", _("按现行规则重算期限"),
         lambda user, a, data: corrections.assignment_recompute_deadline(actor=user, assignment=a,
                                                                         reason=data["reason"]),
         lambda user, a: _staff(user, a) and a.is_open, form_class=CorrectionForm, secondary=True,
         done=_("期限已重新计算")),
)
