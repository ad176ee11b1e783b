"""The forms of the replies' step pages (drafting, rating). Each only collects input; the
service it feeds decides whether the step is allowed."""
from __future__ import annotations

from django import forms
from django.contrib.admin.widgets import AdminDateWidget
from django.forms.models import fields_for_model
from django.utils.translation import gettext_lazy as _

from proposals.forms import StepForm, split_names, textarea
from proposals.models import Assignment, Proposer
from proposals.roles import is_committee_staff
from proposals.visibility import Viewer, may_read_field
from replies.models import Feedback, Reply
from replies.services import EDITABLE_FIELDS

_REPLY_FIELD_ORDER = (
    "title", "doc_number", "index_number", "classification", "disclosure", "disclosure_reason", "body", "signer",
    "signed_on", "contact_unit", "contact_person", "contact_phone", "internal_note",
)


def reply_form_fields() -> tuple[str, ...]:
    """What a reply draft form edits: the service's editable fields (抄送 is typed as text), in reading order."""
    editable = [name for name in EDITABLE_FIELDS if name != "cc"]
    return tuple(sorted(editable, key=lambda n: _REPLY_FIELD_ORDER.index(n) if n in _REPLY_FIELD_ORDER else 99))


def reply_values(data: dict) -> dict:
    """The service's fields from a ReplyForm's cleaned data (the fields the user was shown)."""
    return {name: data[name] for name in (*reply_form_fields(), "cc") if name in data}


def _reply_fields():
    return fields_for_model(Reply, fields=reply_form_fields(), widgets={
        "signed_on": AdminDateWidget, "body": textarea(16), "disclosure_reason": textarea(2),
        "internal_note": textarea(2),
    })


class ReplyForm(StepForm):
    """A reply draft (答复) or co-handling opinion (会办意见): fields of replies.services.EDITABLE_FIELDS."""

    cc = forms.CharField(label=_("抄送"), required=False, help_text=_("单位名称,以顿号或逗号分隔"))

    def setup(self):
        fields = _reply_fields()
        fields["cc"] = self.fields.pop("cc")
        self.fields.update(fields)
        if not may_read_field(Viewer.of(self.user), "replies.reply", "internal_note"):
            del self.fields["internal_note"]  # the committee's own note (proposals.visibility)
        if isinstance(self.obj, Reply):
            for name in reply_form_fields():
                if name in self.fields:
                    self.fields[name].initial = getattr(self.obj, name)
            self.fields["cc"].initial = "、".join(self.obj.cc or [])
        elif isinstance(self.obj, Assignment):
            self.fields["contact_unit"].initial = self.obj.agency.name

    def clean_cc(self):
        return split_names(self.cleaned_data.get("cc", ""))


class FeedbackForm(StepForm):
    """征询意见: the proposer rates the reply, or staff record a proposer's rating on its behalf."""

    proposer = forms.ModelChoiceField(label=_("提案人"), queryset=Proposer.objects.none(), required=False)
    rating = forms.ChoiceField(label=_("评价"), choices=(), widget=forms.RadioSelect)
    comments = forms.CharField(label=_("意见"), required=False, widget=textarea())

    def setup(self):
        self.fields["rating"].choices = Feedback.Rating.choices
        if is_committee_staff(self.user) and self.obj is not None:
            self.fields["proposer"].queryset = Proposer.objects.filter(
                signatures__proposal_id=self.obj.assignment.proposal_id).order_by("signatures__position")
            self.fields["proposer"].required = True
        else:
            del self.fields["proposer"]


class ReplyCorrectionForm(StepForm):
    """成文日期, 送达日期, 文号 of a reply, corrected with a reason (replies.corrections); a field
    left as it is stays unchanged."""

    signed_on = forms.DateField(label=_("成文日期"), widget=AdminDateWidget, required=False)
    delivered_on = forms.DateField(label=_("送达日期"), widget=AdminDateWidget, required=False,
                                   help_text=_("征询意见期随之重新计算"))
    doc_number = forms.CharField(label=_("文号"), max_length=60, required=False)
    reason = forms.CharField(label=_("更正理由"), widget=textarea(2))

    def setup(self):
        for name in ("signed_on", "delivered_on", "doc_number"):
            self.fields[name].initial = getattr(self.obj, name)

    def clean(self):
        data = super().clean()
        # Only what differs from the record is a correction.
        for name in ("signed_on", "delivered_on", "doc_number"):
            if name in data and data[name] == getattr(self.obj, name):
                data[name] = None
        return data
