"""What the notifications app adds to the proposals app through its extension points
(proposals.extensions): the listener that turns each recorded event into notices, in the
step's transaction (notifications.events), the staff dashboard's list of notices nobody
could receive or whose delivery gave up ("无法送达"), and the home page's to-do counts with the
proposal list's filter their members' links use (notifications.todo). Called once, from
NotificationsConfig.ready()."""
from __future__ import annotations

from types import SimpleNamespace

from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from notifications.events import on_event
from notifications.models import Notification
from notifications.todo import TodoFilter, todo_counts
from proposals.admin.dashboard import ROWS_PER_SECTION, Section
from proposals.extensions import registry
from proposals.roles import is_committee_staff


def _row(notice: Notification):
    """A notice drawn as the dashboard draws an assignment: the proposal, to whom, what, status."""
    return SimpleNamespace(
        proposal_id=notice.proposal_id, proposal=notice.proposal, agency=notice.addressee or notice.address,
        get_role_display=notice.get_kind_display(),
        badge=format_html('<span class="tracker-badge" style="background:{}">{}</span>', notice.status_color,
                          notice.get_status_display()),
        due=f"{notice.created_at:%Y-%m-%d}",
    )


def dashboard_sections(user) -> list[Section]:
    """For staff, when there is any: the notices to look at (undeliverable, delivery failed)."""
    if not is_committee_staff(user):
        return []
    attention = Notification.objects.filter(status__in=Notification.ATTENTION_STATUSES)
    total = attention.count()
    if not total:
        return []
    rows = list(attention.filter(proposal__isnull=False).select_related("proposal")
                .order_by("-created_at", "-id")[:ROWS_PER_SECTION])
    url = reverse("admin:notifications_notification_changelist") + "?attention=yes"
    return [Section("undeliverable", str(_("无法送达的通知")), [_row(n) for n in rows], total, url, "danger")]


def register() -> None:
    # Once, even if ready() runs again: a listener registered twice would write every notice twice.
    if on_event not in registry.event_listeners:
        registry.event_listeners.append(on_event)
    if dashboard_sections not in registry.dashboard_sections:
        registry.dashboard_sections.append(dashboard_sections)
    if todo_counts not in registry.dashboard_todo:
        registry.dashboard_todo.append(todo_counts)
    if TodoFilter not in registry.proposal_list_filters:
        registry.proposal_list_filters.append(TodoFilter)
