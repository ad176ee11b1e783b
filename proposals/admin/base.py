"""What every admin page of the tracker shares: who may add, change and delete, and the
coloured status and due-date badges.

The model permissions the groups grant (replies.demo.GROUP_PERMISSIONS) open the pages;
the role (proposals.roles) narrows what a user may write. Workflow records are never written
through a model form: their changes go through the services, on the step pages (actions.py).
"""
from __future__ import annotations

import datetime

from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from proposals.roles import is_committee_staff
from proposals.selectors import today

DUE_SOON_DAYS = 10


def status_badge(obj, label=None):
    """The status as a coloured pill (Proposal/Assignment/Reply.STATUS_COLORS)."""
    return format_html('<span class="tracker-badge" style="background:{}">{}</span>',
                       obj.status_color, label or obj.get_status_display())


def due_badge(due_on: datetime.date | None, *, is_open: bool = True, on: datetime.date | None = None):
    """A due date, red when overdue and amber when due within DUE_SOON_DAYS days."""
    if due_on is None:
        return "—"
    if not is_open:
        return format_html('<span class="tracker-due">{}</span>', due_on.isoformat())
    days = (due_on - (on or today())).days
    if days < 0:
        return format_html('<span class="tracker-due tracker-overdue" title="{}">{}<small>{}</small></span>',
                           _("已逾期"), due_on.isoformat(),
                           ngettext("逾期%(n)s天", "逾期%(n)s天", -days) % {"n": -days})
    if days <= DUE_SOON_DAYS:
        return format_html('<span class="tracker-due tracker-due-soon" title="{}">{}<small>{}</small></span>',
                           _("即将到期"), due_on.isoformat(),
                           ngettext("剩%(n)s天", "剩%(n)s天", days) % {"n": days})
    return format_html('<span class="tracker-due">{}</span>', due_on.isoformat())


class ReferenceAdmin(admin.ModelAdmin):
    """Reference data (committees, sessions, proposers, agencies, the calendar): everyone with
    the view permission reads it, only the proposal committee's staff edits it."""

    def has_add_permission(self, request):
        return super().has_add_permission(request) and is_committee_staff(request.user)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and is_committee_staff(request.user)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and is_committee_staff(request.user)


class RecordAdmin(admin.ModelAdmin):
    """Workflow records (proposals, assignments, contacts, events, replies, feedback): read here,
    written only by the services through the step pages. Nobody deletes them: they are the audit trail."""

    actions = None
    show_full_result_count = False  # one COUNT per page, not two, on a million rows

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyInline:
    """An inline that shows rows and never edits them."""

    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
