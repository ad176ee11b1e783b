"""Who may call what. Reading is decided by the selectors' visibility (a row the user may
not see is a 404); doing is decided by the services (ActionForbidden is a 403). These
classes only keep anonymous users from writing and keep reference data in staff hands."""
from django.utils.translation import gettext_lazy as _
from rest_framework import permissions

from proposals.roles import is_committee_staff


class ReadOrAuthenticated(permissions.BasePermission):
    """Anyone reads what the selectors let them see; writing needs a login (the services decide the rest)."""

    def has_permission(self, request, view):
        return request.method in permissions.SAFE_METHODS or bool(request.user and request.user.is_authenticated)


class StaffWritesReference(permissions.BasePermission):
    """Committees, sessions, agencies, proposers and the holiday calendar: read by anyone,
    changed by the proposal committee's staff only."""

    message = _("只有提案委员会工作人员可以修改基础数据")

    def has_permission(self, request, view):
        return request.method in permissions.SAFE_METHODS or is_committee_staff(request.user)
