"""Notifications in the admin, for the proposal committee's staff (by role, proposals.roles: the
staff group's model permissions do not cover this app): every notice with its delivery (read
only; failed e-mails can be sent again), the committees' message templates, the users'
preferences and the supervising leaders' contacts. Every user's own inbox and settings pages
are mounted here too (notifications.urls), open to anyone who may use the admin."""
from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.template import TemplateSyntaxError
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from notifications import services, templates
from notifications.models import LeaderContact, MessageTemplate, Notification, NotificationPreference
from notifications.urls import admin_urls
from proposals.roles import is_committee_staff


class StaffOnlyAdmin(admin.ModelAdmin):
    def has_module_permission(self, request):
        return is_committee_staff(request.user)

    def has_view_permission(self, request, obj=None):
        return is_committee_staff(request.user)

    def has_add_permission(self, request):
        return is_committee_staff(request.user)

    def has_change_permission(self, request, obj=None):
        return is_committee_staff(request.user)

    def has_delete_permission(self, request, obj=None):
        return is_committee_staff(request.user)


class AttentionFilter(admin.SimpleListFilter):
    """无法送达 and 发送失败: the notices staff must follow up by other means."""

    title = _("需处理")
    parameter_name = "attention"

    def lookups(self, request, model_admin):
        return [("yes", _("无法送达或发送失败"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(status__in=Notification.ATTENTION_STATUSES)
        return queryset


@admin.register(Notification)
class NotificationAdmin(StaffOnlyAdmin):
    list_display = ("created_at", "kind", "to_display", "channel", "status_display", "attempts", "subject",
                    "proposal_display")
    list_filter = (AttentionFilter, "status", "channel", "kind")
    search_fields = ("subject", "addressee", "address", "recipient__username", "proposal__number", "proposal__title")
    list_select_related = ("recipient", "proposal")
    list_per_page = 50
    show_full_result_count = False
    date_hierarchy = "created_at"
    actions = ["retry"]
    fields = ("kind", "channel", "status_display", "recipient", "addressee", "address", "language", "proposal",
              "assignment", "agency", "event", "subject", "body", "link", "digest", "attempts", "next_attempt_at",
              "last_error", "sent_at", "channel_answer", "read_at", "created_at", "dedupe_key")
    readonly_fields = fields

    def get_urls(self):
        # Every admin user's own inbox and settings (notifications.urls) live under this admin.
        return admin_urls(self.admin_site) + super().get_urls()

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("致"), ordering="addressee")
    def to_display(self, obj):
        who = obj.recipient.get_username() if obj.recipient_id else obj.address
        return f"{obj.addressee} · {who}" if who and who != obj.addressee else (obj.addressee or who)

    @admin.display(description=_("状态"), ordering="status")
    def status_display(self, obj):
        return format_html('<span class="tracker-badge" style="background:{}">{}</span>', obj.status_color,
                           obj.get_status_display())

    @admin.display(description=_("提案"))
    def proposal_display(self, obj):
        if not obj.proposal_id:
            return "—"
        return format_html('<a href="{}">{}</a>', reverse("admin:proposals_proposal_change", args=[obj.proposal_id]),
                           obj.proposal)

    @admin.action(description=_("重新发送所选的发送失败邮件"))
    def retry(self, request, queryset):
        count = services.notifications_retry(queryset.values_list("pk", flat=True))
        self.message_user(request, ngettext("%(n)s 封邮件将在下次发送时重试", "%(n)s 封邮件将在下次发送时重试", count)
                          % {"n": count}, messages.SUCCESS)


class MessageTemplateForm(forms.ModelForm):
    class Meta:
        model = MessageTemplate
        fields = ("committee", "kind", "language", "subject", "body")
        widgets = {"body": forms.Textarea(attrs={"rows": 12, "cols": 90})}

    def _compiled(self, name):
        value = self.cleaned_data.get(name, "")
        try:
            templates.check_template(value)
        except TemplateSyntaxError as exc:
            raise forms.ValidationError(_("模板有误:%(error)s") % {"error": exc}) from exc
        return value

    def clean_subject(self):
        return self._compiled("subject")

    def clean_body(self):
        return self._compiled("body")


@admin.register(MessageTemplate)
class MessageTemplateAdmin(StaffOnlyAdmin):
    """A committee's wording; deleting the row is what resets a kind to the shipped text."""

    form = MessageTemplateForm
    list_display = ("kind", "committee", "language", "subject", "updated_at")
    list_filter = ("kind", "committee", "language")
    search_fields = ("subject", "body")
    readonly_fields = ("shipped_text",)
    fields = ("committee", "kind", "language", "subject", "body", "shipped_text")
    actions = ["reset"]

    def get_changeform_initial_data(self, request):
        """?kind=… starts a new template from the shipped text."""
        initial = super().get_changeform_initial_data(request)
        kind = request.GET.get("kind")
        if kind in Notification.Kind.values:
            initial["subject"], initial["body"] = templates.shipped(kind)
        return initial

    @admin.display(description=_("系统默认文本"))
    def shipped_text(self, obj):
        if obj is None or obj.kind not in Notification.Kind.values:
            return _("保存后显示;新建时可在地址后加 ?kind=类型 以默认文本开始")
        subject, body = templates.shipped(obj.kind)
        names = " ".join("{{ %s }}" % name for name in templates.variables(obj.kind))
        return format_html('<pre style="white-space:pre-wrap">{}\n\n{}</pre><p>{}{}</p><p>{}</p>', subject, body,
                           _("可用变量:"), names, _("删除本条即恢复系统默认文本。"))

    @admin.action(description=_("恢复系统默认文本(删除所选模板)"))
    def reset(self, request, queryset):
        count, _detail = queryset.delete()
        self.message_user(request, ngettext("%(n)s 个模板已恢复默认文本", "%(n)s 个模板已恢复默认文本", count)
                          % {"n": count}, messages.SUCCESS)


class NotificationPreferenceForm(forms.ModelForm):
    email_kinds = forms.MultipleChoiceField(
        label=_("以电子邮件接收的通知"), choices=Notification.Kind.choices, required=False,
        widget=forms.CheckboxSelectMultiple, help_text=_("全部选中表示全部类型(包括今后新增的类型);站内消息总是保留"))

    class Meta:
        model = NotificationPreference
        fields = ("user", "language", "email_kinds", "daily_digest", "quiet_start", "quiet_end")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.email_kinds is None:
            self.initial["email_kinds"] = list(Notification.Kind.values)

    def clean_email_kinds(self):
        chosen = self.cleaned_data["email_kinds"]
        return None if set(chosen) >= set(Notification.Kind.values) else sorted(chosen)

    def clean(self):
        cleaned = super().clean()
        if (cleaned.get("quiet_start") is None) != (cleaned.get("quiet_end") is None):
            raise forms.ValidationError(_("免打扰时段须同时填写开始和结束时间"))
        return cleaned


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(StaffOnlyAdmin):
    form = NotificationPreferenceForm
    list_display = ("user", "language", "daily_digest", "quiet_start", "quiet_end")
    list_filter = ("language", "daily_digest")
    search_fields = ("user__username", "user__first_name", "user__last_name", "user__email")
    raw_id_fields = ("user",)


@admin.register(LeaderContact)
class LeaderContactAdmin(StaffOnlyAdmin):
    list_display = ("name", "committee", "user", "email")
    list_filter = ("committee",)
    search_fields = ("name", "email", "user__username")
    raw_id_fields = ("user",)
