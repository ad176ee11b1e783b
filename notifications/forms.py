"""The user's own notification settings (NotificationPreference), as the preferences page in the
admin edits them; the API's serializer checks the quiet hours with the same rule."""
from __future__ import annotations

import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from notifications.models import Notification, NotificationPreference

K = Notification.Kind

# The kinds as the page groups them: by whom they are written to (notifications.events). A kind
# added later and not named here is listed under 其他, never left out.
KIND_GROUPS = (
    (_("交办与办理(承办单位)"), (K.ASSIGNMENT_NEW, K.OBJECTION_DECIDED, K.EXTENSION_DECIDED, K.REPLY_RETURNED,
                             K.REHANDLE, K.CO_OPINION_ARRIVED, K.URGE)),
    (_("审查与答复(提案委员会)"), (K.SUBMITTED, K.OBJECTION_FILED, K.EXTENSION_REQUESTED, K.REPLY_SUBMITTED,
                              K.DISSATISFIED)),
    (_("我的提案(提案人)"), (K.COSIGN_INVITED, K.PROPOSAL_FILED, K.PROPOSAL_REJECTED, K.PROPOSAL_CONVERTED,
                         K.PROPOSAL_MERGED, K.REPLY_PUBLISHED, K.REHANDLE_STARTED)),
    (_("重点提案督办"), (K.KEY_PROGRESS,)),
    (_("提醒与督促"), (K.REMINDER_BEFORE, K.REMINDER_DUE, K.ESCALATION, K.OVERDUE_DIGEST)),
)


def kind_choices() -> list:
    """Kind choices grouped as KIND_GROUPS, with every kind there is, each once."""
    labels = dict(K.choices)
    named = {kind for _group, kinds in KIND_GROUPS for kind in kinds}
    groups = [(group, [(kind.value, labels[kind]) for kind in kinds if kind in labels]) for group, kinds in KIND_GROUPS]
    rest = [(value, label) for value, label in K.choices if value not in named]
    if rest:
        groups.append((_("其他"), rest))
    return groups


def quiet_hours_error(start: datetime.time | None, end: datetime.time | None) -> tuple[str, str] | None:
    """Quiet hours are both times or neither, and not the same time twice (a span of nothing).
    Returns (the field to blame, the message) or None."""
    if start is None and end is None:
        return None
    if start is None or end is None:
        return ("quiet_start" if start is None else "quiet_end"), str(_("免打扰时段须同时填写开始和结束时间"))
    if start == end:
        return "quiet_end", str(_("免打扰的开始和结束时间不能相同"))
    return None


class TimeInput(forms.TimeInput):
    input_type = "time"  # the browser's own time picker, no script

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%H:%M")


class MyNotificationPreferenceForm(forms.ModelForm):
    """Language, the kinds sent by e-mail (every kind ticked: every kind, those added later
    included), the daily digest and the quiet hours. The inbox always gets every notice."""

    email_kinds = forms.MultipleChoiceField(
        label=_("以电子邮件接收的通知"), required=False, widget=forms.CheckboxSelectMultiple,
        help_text=_("未勾选的类型不再发送邮件,仍会出现在站内消息中;全部勾选表示全部类型(包括今后新增的类型)"))

    class Meta:
        model = NotificationPreference
        fields = ("language", "email_kinds", "daily_digest", "quiet_start", "quiet_end")
        widgets = {"quiet_start": TimeInput(), "quiet_end": TimeInput()}
        help_texts = {"quiet_start": _("例如 18:00;与结束时间同时填写,或都不填")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email_kinds"].choices = kind_choices()
        if self.instance.email_kinds is None:
            self.initial["email_kinds"] = list(K.values)

    def clean_email_kinds(self):
        chosen = self.cleaned_data["email_kinds"]
        return None if set(chosen) >= set(K.values) else sorted(set(chosen))

    def clean(self):
        cleaned = super().clean()
        error = quiet_hours_error(cleaned.get("quiet_start"), cleaned.get("quiet_end"))
        if error is not None and not self.has_error(error[0]):
            self.add_error(error[0], error[1])
        return cleaned
