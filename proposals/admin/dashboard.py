"""The admin home: what needs each user's attention, read through the selectors.

Staff: overdue assignments, those due this week, objections and extension requests to decide,
replies waiting to be published, and the proposals by status. A liaison: its own assignments
to acknowledge, due soon and overdue. A proposer: replies waiting for its rating, and its proposals by status.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from proposals.admin.base import DUE_SOON_DAYS, due_badge, status_badge
from proposals.extensions import registry
from proposals.models import Assignment, ExtensionRequest, Proposal
from proposals.roles import is_committee_staff, liaison_agency_ids, proposer_id, role_label
from proposals.selectors import (
    agency_assignments,
    assignments_due_within,
    objections_to_decide,
    overdue_assignments,
    visible_proposals,
)

ROWS_PER_SECTION = 10


@dataclass
class Section:
    key: str
    title: str
    rows: list
    total: int
    more_url: str = ""
    tone: str = ""  # "danger", "warning" or ""
    kind: str = "assignment"  # how the rows are drawn: "assignment" or "reply"
    empty: str = field(default_factory=lambda: str(_("暂无")))


def _assignment_section(key, title, queryset, more_url, tone=""):
    queryset = queryset.select_related("proposal__session__committee", "agency").order_by("due_on", "id")
    rows = list(queryset[:ROWS_PER_SECTION])
    for row in rows:
        row.badge = status_badge(row)
        row.due = due_badge(row.due_on, is_open=row.is_open)
    total = queryset.count()
    return Section(key, title, rows, total, more_url, tone)


def reply_section(key, title, queryset, more_url, tone=""):
    queryset = queryset.select_related("assignment__agency", "assignment__proposal").order_by("submitted_at", "id")
    rows = list(queryset[:ROWS_PER_SECTION])
    for row in rows:
        row.badge = status_badge(row)
        row.due = due_badge(row.feedback_due_on)
    total = queryset.count()
    return Section(key, title, rows, total, more_url, tone, kind="reply")


def _status_counts(user):
    counts = dict(visible_proposals(user).values_list("status").annotate(n=Count("id")).order_by())
    url = reverse("admin:proposals_proposal_changelist")
    return [
        {"label": label, "count": counts.get(value, 0), "color": Proposal.STATUS_COLORS.get(value),
         "url": f"{url}?status__exact={value}"}
        for value, label in Proposal.Status.choices if counts.get(value)
    ]


def dashboard(user) -> dict:
    """The sections of the admin home for this user."""
    assignments_url = reverse("admin:proposals_assignment_changelist")
    sections = []
    if is_committee_staff(user):
        sections = [
            _assignment_section("overdue", _("已逾期的交办"), overdue_assignments(),
                                f"{assignments_url}?overdue=yes", "danger"),
            _assignment_section("due_week", _("本周到期"), assignments_due_within(7),
                                f"{assignments_url}?overdue=soon", "warning"),
            _assignment_section("objections", _("待处理的交办异议"), objections_to_decide(),
                                f"{assignments_url}?status__exact={Assignment.Status.OBJECTED}", "warning"),
            # The assignments whose agency asked for more time (one pending request each).
            _assignment_section("extension_requests", _("待审批的延期申请"),
                                Assignment.objects.filter(extension_requests__status=ExtensionRequest.Status.PENDING),
                                reverse("admin:proposals_extensionrequest_changelist")
                                + f"?status__exact={ExtensionRequest.Status.PENDING}", "warning"),
        ]
    elif liaison_agency_ids(user):
        own = agency_assignments(user)
        sections = [
            _assignment_section("to_acknowledge", _("待签收"), own.filter(status=Assignment.Status.ASSIGNED),
                                f"{assignments_url}?status__exact={Assignment.Status.ASSIGNED}", "warning"),
            _assignment_section("overdue", _("已逾期"), overdue_assignments() & own,
                                f"{assignments_url}?overdue=yes", "danger"),
            _assignment_section("due_soon", _("%(n)s天内到期") % {"n": DUE_SOON_DAYS},
                                assignments_due_within(DUE_SOON_DAYS) & own,
                                f"{assignments_url}?overdue=soon", "warning"),
        ]
    for contribute in registry.dashboard_sections:  # the replies' lists (proposals.extensions)
        sections.extend(contribute(user))
    return {
        "role": role_label(user),
        "todo": [item for contribute in registry.dashboard_todo for item in contribute(user)],
        "sections": sections,
        "status_counts": _status_counts(user) if (is_committee_staff(user) or proposer_id(user)
                                                   or liaison_agency_ids(user)) else [],
    }
