"""Replies (答复 / 会办意见) and feedback (征询意见) in the admin: read through the selectors,
drafted, edited, submitted, published and rated on step pages that call replies.services."""
from __future__ import annotations

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from proposals.admin.actions import Step, WorkflowAdminMixin
from proposals.admin.base import ReadOnlyInline, RecordAdmin, due_badge, status_badge
from proposals.admin.exports import ExportButtonsMixin
from proposals.admin.steps import can, is_own_proposal
from proposals.forms import ConfirmForm
from proposals.models import Assignment
from proposals.roles import is_committee_staff, proposer_id
from proposals.services.base import allowed
from proposals.services.corrections import check_correct
from proposals.visibility import Viewer, never_readable
from replies import services
from replies.corrections import CORRECTABLE, reply_correct
from replies.figures.views import admin_urls as figure_urls
from replies.forms import FeedbackForm, ReplyCorrectionForm, ReplyForm, reply_values
from replies.models import Feedback, Reply
from replies.selectors import co_opinions, visible_feedback, visible_replies

R = Reply.Status


def _may_rate(user, reply) -> bool:
    """In its feedback stage (services.check_feedback), with someone left for the user to rate for."""
    if not allowed(services.check_feedback, user, reply):
        return False
    rated = {f.proposer_id for f in reply.feedback.all()}
    if is_committee_staff(user):
        return any(s.proposer_id not in rated for s in reply.assignment.proposal.signatures.all())
    return is_own_proposal(user, reply.assignment.proposal) and proposer_id(user) not in rated


def _rate(user, reply, data):
    services.feedback_give(actor=user, reply=reply, rating=data["rating"], proposer=data.get("proposer"),
                           comments=data["comments"])


REPLY_STEPS = (
    Step("edit", _("编辑草稿"), lambda user, r, data: services.reply_update(actor=user, reply=r, **reply_values(data)),
         can(services.check_reply_update), form_class=ReplyForm, done=_("答复草稿已保存")),
    Step("submit", _("提交答复"), lambda user, r, data: services.reply_submit(actor=user, reply=r),
         can(services.check_reply_submit), form_class=ConfirmForm,
         help_text=_("提交后答复不能再修改,征询意见期自送达之日起计算。"), done=_("答复已提交")),
    Step("publish", _("公开"), lambda user, r, data: services.reply_publish(actor=user, reply=r),
         can(services.check_reply_publish), form_class=ConfirmForm, done=_("答复已公开")),
    Step("feedback", _("评价答复"), _rate, _may_rate, form_class=FeedbackForm,
         help_text=_("不满意的,提案将退回承办单位重新办理。"), done=_("评价已记录")),
    Step("correct", _("更正日期或文号"),
         lambda user, r, data: reply_correct(actor=user, reply=r, reason=data["reason"],
                                             **{k: data[k] for k in CORRECTABLE if data.get(k) not in (None, "")}),
         lambda user, r: allowed(check_correct, user, r), form_class=ReplyCorrectionForm, secondary=True,
         done=_("已更正")),
)


class FeedbackInline(ReadOnlyInline, admin.TabularInline):
    model = Feedback
    fields = ("proposer", "rating", "comments", "given_on", "recorded_by")
    readonly_fields = fields
    verbose_name_plural = _("满意度测评")

    def get_queryset(self, request):
        return visible_feedback(request.user).select_related("proposer", "recorded_by")


@admin.register(Reply)
class ReplyAdmin(ExportButtonsMixin, WorkflowAdminMixin, RecordAdmin):
    workflow_steps = REPLY_STEPS
    export_resource = "replies"
    change_form_template = "admin/workflow/change_form.html"
    list_display = ("__str__", "proposal_display", "agency", "kind", "round", "status_display", "classification",
                    "disclosure", "submitted_at", "published_on")
    list_filter = ("status", "kind", "classification", "disclosure", "assignment__proposal__session")
    search_fields = ("title", "doc_number", "assignment__proposal__number", "assignment__proposal__title",
                     "assignment__agency__name")
    list_per_page = 50
    ordering = ("-submitted_at", "-id")
    inlines = (FeedbackInline,)
    readonly_fields = ("proposal_display", "agency", "status_display", "feedback_due_display", "co_opinions_display")
    fieldsets = (
        (None, {"fields": ("proposal_display", "agency", "kind", "round", "status_display", "title", "doc_number",
                           "index_number", "classification", "disclosure", "disclosure_reason",
                           "co_opinions_display")}),
        (_("正文"), {"fields": ("body", "signer", "signed_on", "contact_unit", "contact_person", "contact_phone",
                              "cc")}),
        (_("送达与征询"), {"fields": ("submitted_at", "delivered_on", "published_on", "feedback_due_display")}),
        (_("内部"), {"fields": ("internal_note",)}),
    )

    def get_urls(self):
        # The figures' report pages (replies.figures) live under the replies' admin.
        return figure_urls(self.admin_site) + super().get_urls()

    def get_queryset(self, request):
        return visible_replies(request.user).select_related("assignment__agency", "assignment__proposal")

    def get_fieldsets(self, request, obj=None):
        hidden = never_readable(Viewer.of(request.user), "replies.reply")
        return [(name, {**options, "fields": [f for f in options["fields"] if f not in hidden]})
                for name, options in self.fieldsets if any(f not in hidden for f in options["fields"])]

    def workflow_return_url(self, obj):
        return reverse("admin:proposals_proposal_change", args=[obj.assignment.proposal_id]) + "#tracker-replies"

    @admin.display(description=_("提案"), ordering="assignment__proposal__number_sort")
    def proposal_display(self, obj):
        proposal = obj.assignment.proposal
        return format_html('<a href="{}">{}</a>', reverse("admin:proposals_proposal_change", args=[proposal.pk]),
                           proposal)

    @admin.display(description=_("承办单位"), ordering="assignment__agency__name")
    def agency(self, obj):
        return obj.assignment.agency

    @admin.display(description=_("状态"), ordering="status")
    def status_display(self, obj):
        return status_badge(obj)

    @admin.display(description=_("会办意见"))
    def co_opinions_display(self, obj):
        """For the lead's reply: which co-handling opinions are in and which are missing."""
        if obj.kind != Reply.Kind.REPLY or obj.assignment.role != Assignment.Role.LEAD:
            return "—"
        rows = co_opinions(obj.assignment.proposal)
        if not rows:
            return _("无会办单位")
        return format_html_join(mark_safe("<br>"), "{}:{}", (
            (row["agency"], (_("已收到(%(date)s)") % {"date": row["received_on"]} if row["received"]
                             else _("未收到(期限 %(date)s)") % {"date": row["due_on"] or "—"})
             + (_(",逾期") if row["late"] else "")) for row in rows))

    @admin.display(description=_("征询意见截止日期"))
    def feedback_due_display(self, obj):
        open_ = obj.assignment.status == Assignment.Status.REPLIED and obj.status != R.DRAFT
        return due_badge(obj.feedback_due_on, is_open=open_)


@admin.register(Feedback)
class FeedbackAdmin(ExportButtonsMixin, RecordAdmin):
    export_resource = "feedback"
    list_display = ("proposal_display", "agency", "proposer", "rating", "given_on", "comments")
    list_filter = ("rating",)
    search_fields = ("proposer__name", "reply__assignment__proposal__number", "reply__assignment__proposal__title",
                     "reply__assignment__agency__name", "comments")
    list_per_page = 50
    date_hierarchy = "given_on"
    fields = ("reply", "proposer", "rating", "comments", "given_on", "recorded_by")

    def get_queryset(self, request):
        return visible_feedback(request.user).select_related(
            "reply__assignment__proposal", "reply__assignment__agency", "proposer", "recorded_by")

    @admin.display(description=_("提案"))
    def proposal_display(self, obj):
        proposal = obj.reply.assignment.proposal
        return format_html('<a href="{}">{}</a>', reverse("admin:proposals_proposal_change", args=[proposal.pk]),
                           proposal)

    @admin.display(description=_("承办单位"))
    def agency(self, obj):
        return obj.reply.assignment.agency


try:
    import replies.import_admin  # noqa: E402,F401  (registers the import pages)
except ModuleNotFoundError as exc:  # not written yet; an error inside it must still show
    if exc.name != "replies.import_admin":
        raise
