"""List filters of the admin's proposal and assignment lists (the same fields as the FilterSets)."""
from __future__ import annotations

import datetime

from django.contrib import admin
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from proposals.admin.base import DUE_SOON_DAYS
from proposals.models import Agency, Assignment
from proposals.selectors import today, visible_assignments



def _active_assignments():
    """Assignments that still stand (Assignment.objects.current)."""
    return Assignment.objects.current()


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class AgencyFilter(admin.SimpleListFilter):
    """Proposals assigned to an agency; with the role filter, in that role."""

    title = _("承办单位")
    parameter_name = "agency"

    def lookups(self, request, model_admin):
        ids = visible_assignments(request.user).values("agency_id")
        return [(a.pk, a.name) for a in Agency.objects.filter(pk__in=ids).only("pk", "name").order_by("name")]

    def queryset(self, request, queryset):
        if self.value() is None:
            return queryset
        agency = _int(self.value())
        if agency is None:
            return queryset.none()
        condition = {"agency_id": agency}
        role = request.GET.get(RoleFilter.parameter_name)
        if role in Assignment.Role.values:
            condition["role"] = role
        return queryset.filter(Exists(_active_assignments().filter(proposal=OuterRef("pk"), **condition)))


class RoleFilter(admin.SimpleListFilter):
    """Proposals with an agency in this role (主办/会办/分办); with the agency filter, that agency's role."""

    title = _("办理方式")
    parameter_name = "role"

    def lookups(self, request, model_admin):
        return Assignment.Role.choices

    def queryset(self, request, queryset):
        if self.value() not in Assignment.Role.values:
            return queryset
        condition = {"role": self.value()}
        agency = _int(request.GET.get(AgencyFilter.parameter_name))
        if agency is not None:
            condition["agency_id"] = agency
        return queryset.filter(Exists(_active_assignments().filter(proposal=OuterRef("pk"), **condition)))


class DueFilter(admin.SimpleListFilter):
    """Proposals by their next due date (kept from the open assignments): overdue, due within
    DUE_SOON_DAYS days, or not overdue."""

    title = _("办理期限")
    parameter_name = "overdue"
    field = "next_due_on"

    def lookups(self, request, model_admin):
        return [
            ("yes", _("已逾期")),
            ("soon", _("%(n)s天内到期") % {"n": DUE_SOON_DAYS}),
            ("no", _("未逾期")),
        ]

    def pending(self):
        """What can be overdue at all."""
        return Q()

    def queryset(self, request, queryset):
        on = today()
        overdue = self.pending() & Q(**{f"{self.field}__lt": on})
        if self.value() == "yes":
            return queryset.filter(overdue)
        if self.value() == "soon":
            return queryset.filter(self.pending(), **{
                f"{self.field}__gte": on, f"{self.field}__lte": on + datetime.timedelta(days=DUE_SOON_DAYS)})
        if self.value() == "no":
            return queryset.exclude(overdue)
        return queryset


class AssignmentDueFilter(DueFilter):
    """The same for assignments: only open assignments can be overdue."""

    field = "due_on"

    def pending(self):
        return Q(status__in=Assignment.OPEN_STATUSES)
