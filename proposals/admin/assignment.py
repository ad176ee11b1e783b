"""Assignments (交办) with their steps, and the records around them: contacts, supervision
entries and the event log. All read through the selectors, written only by the services."""
from __future__ import annotations

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from proposals.admin.actions import WorkflowAdminMixin
from proposals.admin.base import ReadOnlyInline, RecordAdmin, due_badge, status_badge
from proposals.admin.detail import EVENT_LABELS, deadline_text, event_label, event_status_label, withhold_fields
from proposals.admin.exports import ExportButtonsMixin
from proposals.admin.filters import AssignmentDueFilter
from proposals.admin.steps import assignment_steps
from proposals.admin.urging import UrgeSelectedMixin
from proposals.models import Assignment, ContactLog, Event, SupervisionLog
from proposals.roles import is_committee_staff
from proposals.selectors import (
    visible_assignments,
    visible_contacts,
    visible_events,
    visible_supervision_logs,
)
from proposals.event_text import event_text
from proposals.visibility import Viewer, hidden_fields, never_readable


def proposal_link(proposal):
    url = reverse("admin:proposals_proposal_change", args=[proposal.pk])
    return format_html('<a href="{}">{}</a>', url, proposal)


class ContactLogInline(ReadOnlyInline, admin.TabularInline):
    model = ContactLog
    fields = ("date", "stage", "form", "note", "recorded_by")
    readonly_fields = fields
    verbose_name_plural = _("沟通记录")

    def get_queryset(self, request):
        return visible_contacts(request.user).select_related("recorded_by")


@admin.register(Assignment)
class AssignmentAdmin(ExportButtonsMixin, UrgeSelectedMixin, WorkflowAdminMixin, RecordAdmin):
    export_resource = "assignments"

    @property
    def workflow_steps(self):
        return assignment_steps()
    change_form_template = "admin/workflow/change_form.html"
    list_display = ("proposal_display", "agency", "role", "status_display", "assigned_on", "acknowledged_on",
                    "due_display", "objection_due_on")
    list_filter = ("status", "role", AssignmentDueFilter, "proposal__session")
    search_fields = ("proposal__number", "proposal__title", "agency__name", "agency__aliases__name")
    list_select_related = ("proposal", "agency")
    list_per_page = 50
    ordering = ("due_on", "id")
    inlines = (ContactLogInline,)
    fieldsets = (
        (None, {"fields": ("proposal_display", "agency", "role", "status_display", "assigned_on",
                           "acknowledged_on", "replied_on", "rehandle_count")}),
        (_("期限"), {"fields": ("due_display", "due_text", "original_due_on", "objection_due_on",
                              "objection_text", "extension_reason", "extension_approved_by", "deadline_review")}),
        (_("交办异议"), {"fields": ("objected_on", "objection_reason", "objection_decision",
                                "objection_decision_note")}),
    )
    readonly_fields = ("proposal_display", "status_display", "due_display", "due_text", "objection_text")

    def get_queryset(self, request):
        return visible_assignments(request.user).select_related("proposal__session__committee", "agency")

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is not None and not self.has_change_permission(request, obj):
            # A page to read: what the reader may not read is blanked on this in-memory row.
            withhold_fields(Viewer.of(request.user), obj)
        return obj

    def get_fieldsets(self, request, obj=None):
        """Handler-only fields only for their audience (proposals.visibility)."""
        viewer = Viewer.of(request.user)
        hidden = (hidden_fields(viewer, "proposals.assignment", agency_id=obj.agency_id) if obj is not None
                  else never_readable(viewer, "proposals.assignment"))
        return [(name, {**options, "fields": [f for f in options["fields"] if f not in hidden]})
                for name, options in self.fieldsets if any(f not in hidden for f in options["fields"])]

    def workflow_return_url(self, obj):
        return reverse("admin:proposals_proposal_change", args=[obj.proposal_id]) + "#tracker-assignments"

    def urge_targets(self, queryset):
        return list(queryset.select_related("proposal", "agency")), []

    @admin.display(description=_("提案"), ordering="proposal__number_sort")
    def proposal_display(self, obj):
        return proposal_link(obj.proposal)

    @admin.display(description=_("状态"), ordering="status")
    def status_display(self, obj):
        return status_badge(obj)

    @admin.display(description=_("办理期限"), ordering="due_on")
    def due_display(self, obj):
        return due_badge(obj.due_on, is_open=obj.is_open)

    @admin.display(description=_("期限计算说明"))
    def due_text(self, obj):
        return deadline_text(obj, "due") or "—"

    @admin.display(description=_("异议期限说明"))
    def objection_text(self, obj):
        return deadline_text(obj, "objection") or "—"


@admin.register(ContactLog)
class ContactLogAdmin(ExportButtonsMixin, RecordAdmin):
    export_resource = "contacts"
    list_display = ("date", "proposal_display", "agency", "stage", "form", "note", "recorded_by")
    list_filter = ("stage", "form")
    search_fields = ("assignment__proposal__number", "assignment__proposal__title", "assignment__agency__name",
                     "note")
    list_per_page = 50
    date_hierarchy = "date"
    fields = ("assignment", "stage", "form", "date", "note", "recorded_by", "created_at")

    def get_queryset(self, request):
        return visible_contacts(request.user).select_related("assignment__proposal", "assignment__agency",
                                                             "recorded_by")

    @admin.display(description=_("提案"))
    def proposal_display(self, obj):
        return proposal_link(obj.assignment.proposal)

    @admin.display(description=_("承办单位"))
    def agency(self, obj):
        return obj.assignment.agency


@admin.register(SupervisionLog)
class SupervisionLogAdmin(RecordAdmin):
    list_display = ("date", "proposal_display", "leader", "note", "recorded_by")
    search_fields = ("proposal__number", "proposal__title", "leader", "note")
    list_per_page = 50
    date_hierarchy = "date"
    fields = ("proposal", "date", "leader", "note", "recorded_by")

    def get_queryset(self, request):
        return visible_supervision_logs(request.user).select_related("proposal", "recorded_by")

    @admin.display(description=_("提案"))
    def proposal_display(self, obj):
        return proposal_link(obj.proposal)


def _note_column(request):
    viewer = Viewer.of(request.user)

    @admin.display(description=_("说明"))
    def note(obj):
        return event_text(viewer, obj)

    return note


class EventActionFilter(admin.SimpleListFilter):
    """The known actions, without a DISTINCT over the whole event log."""

    title = _("操作")
    parameter_name = "action"

    def lookups(self, request, model_admin):
        return [(code, label) for code, label in EVENT_LABELS.items()]

    def queryset(self, request, queryset):
        return queryset.filter(action=self.value()) if self.value() else queryset


@admin.register(Event)
class EventAdmin(ExportButtonsMixin, RecordAdmin):
    """The audit trail: read-only for everybody, deleted by nobody."""

    export_resource = "events"
    list_display = ("at", "proposal_display", "action_display", "from_display", "to_display", "agency", "actor")
    list_filter = (EventActionFilter,)
    search_fields = ("proposal__number", "proposal__title", "note")
    list_per_page = 100
    date_hierarchy = "at"
    ordering = ("-at", "-id")
    fields = ("at", "proposal", "assignment", "reply_id", "actor", "action_display", "from_display", "to_display",
              "data")
    readonly_fields = ("action_display", "from_display", "to_display")

    def get_queryset(self, request):
        return visible_events(request.user).select_related("proposal", "assignment__agency", "actor")

    def get_search_fields(self, request):
        # Searching the notes would tell a reader what a withheld note says.
        if is_committee_staff(request.user):
            return self.search_fields
        return tuple(f for f in self.search_fields if f != "note")

    # The note as this reader may read it (proposals.visibility): a column made per request.
    def get_list_display(self, request):
        return (*self.list_display, _note_column(request))

    def get_fields(self, request, obj=None):
        return (*self.fields[:-1], _note_column(request), self.fields[-1])

    def get_readonly_fields(self, request, obj=None):
        return (*self.readonly_fields, *(f for f in self.get_fields(request, obj) if callable(f)))

    @admin.display(description=_("提案"))
    def proposal_display(self, obj):
        return proposal_link(obj.proposal)

    @admin.display(description=_("操作"), ordering="action")
    def action_display(self, obj):
        return event_label(obj)

    @admin.display(description=_("原状态"))
    def from_display(self, obj):
        return event_status_label(obj, obj.from_status)

    @admin.display(description=_("新状态"))
    def to_display(self, obj):
        return event_status_label(obj, obj.to_status)

    @admin.display(description=_("承办单位"))
    def agency(self, obj):
        return obj.assignment.agency if obj.assignment_id else ""
