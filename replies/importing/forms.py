"""Forms of the import pages: the upload and the correction of an imported record."""
from __future__ import annotations

from django import forms
from django.contrib.admin.widgets import AdminDateWidget
from django.utils.translation import gettext_lazy as _

from replies.importing import values as V
from replies.importing.spans import region_at, span_list
from replies.models import Reply

MAX_UPLOAD_BYTES = 1_500_000  # a preview carries the files back for confirmation (2.5 MB POST limit)


class UploadForm(forms.Form):
    """The files come in as request.FILES.getlist("files") (an <input multiple>)."""


def _display(value) -> str:
    if value is True:
        return str(_("是"))
    if value is False:
        return str(_("否"))
    if isinstance(value, list):
        return "、".join(value) or "—"
    return str(value) if value not in (None, "") else "—"


def _key(field: str) -> str:
    return field.replace(".", "__")


class CorrectionForm(forms.Form):
    """One input per correctable field, named ``proposal__title`` for ``proposal.title``."""

    def __init__(self, *args, proposal=None, reply=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.proposal, self.reply = proposal, reply
        text = {"class": "vTextField"}
        fields = {
            "proposal.title": forms.CharField(label=_("案由"), max_length=300, widget=forms.TextInput(text)),
            "proposal.proposers_more": forms.BooleanField(label=_("另有联名人(“等”)"), required=False),
            "reply.title": forms.CharField(label=_("答复标题"), max_length=300, required=False,
                                           widget=forms.TextInput(text)),
            "reply.doc_number": forms.CharField(label=_("文号"), max_length=60, required=False),
            "reply.index_number": forms.CharField(label=_("索引号"), max_length=60, required=False),
            "reply.signer": forms.CharField(label=_("签发人"), max_length=50, required=False),
            "reply.signed_on": forms.DateField(label=_("落款日期"), required=False, widget=AdminDateWidget),
            "reply.published_on": forms.DateField(label=_("发布日期"), required=False, widget=AdminDateWidget),
            "reply.contact_unit": forms.CharField(label=_("联系单位"), max_length=100, required=False),
            "reply.contact_person": forms.CharField(label=_("联系人"), max_length=50, required=False),
            "reply.contact_phone": forms.CharField(label=_("联系电话"), max_length=50, required=False),
            "reply.cc": forms.CharField(label=_("抄送"), required=False, help_text=_("每行一个单位"),
                                        widget=forms.Textarea({"rows": 2, "cols": 60})),
            "reply.classification": forms.ChoiceField(
                label=_("办理结果分类"), required=False, choices=[("", "—")] + list(Reply.Classification.choices)),
            "reply.disclosure": forms.ChoiceField(label=_("公开属性"), choices=Reply.Disclosure.choices),
            "reply.disclosure_reason": forms.CharField(label=_("不予公开理由"), required=False,
                                                       widget=forms.Textarea({"rows": 2, "cols": 60})),
            "reply.body": forms.CharField(label=_("正文"), required=False, strip=False,
                                          widget=forms.Textarea({"rows": 12, "cols": 80})),
        }
        for key, field in fields.items():
            model, name = (proposal, key.split(".", 1)[1]) if key.startswith("proposal.") else (
                reply, key.split(".", 1)[1])
            value = getattr(model, name) if model is not None else None
            field.initial = "\n".join(value) if key == "reply.cc" and value is not None else value
            self.fields[_key(key)] = field
        self.fields["reviewed"] = forms.BooleanField(
            label=_("已核对"), required=False, help_text=_("勾选后取消“待核对”标记"))

    def field_rows(self, written: dict, parsed: dict, corrected: set, spans: dict, layout: dict | None = None):
        """(key, bound field, value the importer wrote, corrected?, span anchor, page or paragraph
        of a PDF or DOCX where the span lies) per field."""
        from replies.importing.corrections import CORRECTABLE

        rows = []
        for key, span_name in CORRECTABLE.items():
            shown = _display(written.get(key)) if key in written and key not in V.DIGESTED else None
            anchor = f"{span_name}-0" if span_name and span_name in spans else ""
            region = ""
            if anchor and layout:
                first = span_list({span_name: spans[span_name]})
                region = region_at(layout, first[0][2]) if first else ""
            rows.append((key, self[_key(key)], shown, key in corrected, anchor, region))
        return rows

    def changes(self) -> dict:
        """The corrected values, typed as the services take them."""
        from replies.importing.corrections import CORRECTABLE

        out = {}
        for key in CORRECTABLE:
            value = self.cleaned_data[_key(key)]
            if key == "reply.cc":
                value = [line.strip() for line in (value or "").splitlines() if line.strip()]
            elif isinstance(value, str):
                value = value.strip() if key != "reply.body" else value.replace("\r\n", "\n")
            out[key] = value
        return out
