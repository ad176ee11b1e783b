"""延期申请 for the proposal committee's staff: a read-only list. Requests are made and decided
on the assignment's page (steps.py: request_extension, approve_extension, refuse_extension),
through the services; this list is where staff find them all."""
from __future__ import annotations

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from proposals.admin.assignment import proposal_link
from proposals.admin.base import RecordAdmin, due_badge, status_badge
from proposals.admin.exports import ExportButtonsMixin
from proposals.models import ExtensionRequest
from proposals.roles import is_committee_staff
from proposals.visibility import visible_extension_requests

EXTENSION_REQUEST_COLORS = {
    ExtensionRequest.Status.PENDING: "#ef6c00",
    ExtensionRequest.Status.APPROVED: "#2e7d32",
    ExtensionRequest.Status.REFUSED: "#616161",
}


@admin.register(ExtensionRequest)
class ExtensionRequestAdmin(ExportButtonsMixin, RecordAdmin):
    export_resource = "extension-requests"
    list_display = ("requested_on", "proposal_display", "assignment_display", "due_display", "wanted_due_on",
                    "status_display", "decided_on")
    list_filter = ("status",)
    search_fields = ("assignment__proposal__number", "assignment__proposal__title", "assignment__agency__name",
                     "reason")
    list_per_page = 50
    date_hierarchy = "requested_on"
    ordering = ("-requested_on", "-id")
    fields = ("assignment_display", "wanted_due_on", "reason", "status_display", "requested_by", "requested_on",
              "decided_by", "decided_on", "decision_note")
    readonly_fields = ("assignment_display", "status_display")

    # Staff only: the reasons are handler-only text, and an agency reads its own requests on
    # its assignments' pages and through the API.
    def has_module_permission(self, request):
        return is_committee_staff(request.user) and super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return is_committee_staff(request.user) and super().has_view_permission(request, obj)

    def get_queryset(self, request):
        return visible_extension_requests(request.user).select_related(
            "assignment__proposal__session__committee", "assignment__agency", "requested_by", "decided_by")

    @admin.display(description=_("提案"))
    def proposal_display(self, obj):
        return proposal_link(obj.assignment.proposal)

    @admin.display(description=_("交办"))
    def assignment_display(self, obj):
        url = reverse("admin:proposals_assignment_change", args=[obj.assignment_id])
        return format_html('<a href="{}">{}({})</a>', url, obj.assignment.agency,
                           obj.assignment.get_role_display())

    @admin.display(description=_("现办理期限"))
    def due_display(self, obj):
        return due_badge(obj.assignment.due_on, is_open=obj.assignment.is_open)

    @admin.display(description=_("状态"), ordering="status")
    def status_display(self, obj):
        obj.status_color = EXTENSION_REQUEST_COLORS.get(obj.status, "#9e9e9e")  # the in-memory row of this page
        return status_badge(obj)
