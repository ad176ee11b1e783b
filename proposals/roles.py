"""Who a user is to the tracker. Roles are derived from data, never stored twice:

- proposal committee staff: superusers and holders of ``proposals.manage_workflow``
  (given by the 提案委员会 group);
- agency liaison: a user listed in Agency.liaisons;
- proposer: a user linked to a Proposer;
- anyone else (and anonymous users): reads published, public replies only.
"""
from django.utils.translation import gettext_lazy as _

STAFF_PERMISSION = "proposals.manage_workflow"
STAFF_GROUP = "提案委员会"


def is_committee_staff(user) -> bool:
    if not (user and user.is_authenticated):
        return False
    if user.is_superuser:
        return True
    return _roles(user)[0]


def liaison_agency_ids(user) -> frozenset[int]:
    if not (user and user.is_authenticated):
        return frozenset()
    return _roles(user)[1]


def proposer_id(user) -> int | None:
    if not (user and user.is_authenticated):
        return None
    return _roles(user)[2]


_MODEL_BACKEND_ONLY = ["django.contrib.auth.backends.ModelBackend"]
# Backends that only refuse logins and grant no permission: beside them ModelBackend still decides alone.
_PERMISSIONLESS_BACKENDS = {"axes.backends.AxesStandaloneBackend"}


def _roles(user) -> tuple[bool, frozenset[int], int | None]:
    """Whether the user holds the staff permission, its agencies and its proposer: read in one
    query the first time a request asks, then kept on the user object (a new one per request).
    The permission is looked up as Django's ModelBackend would (the user's own or a group's;
    nothing for an inactive user); another authentication backend is asked through has_perm."""
    cached = getattr(user, "_tracker_roles", None)
    if cached is not None:
        return cached
    from django.conf import settings
    from django.contrib.auth.models import Permission
    from django.db.models import CharField, Q, Value

    from proposals.models import Agency, Proposer

    def tagged(queryset, tag, column):
        return queryset.order_by().values_list(Value(tag, output_field=CharField()), column)

    parts = [tagged(Agency.liaisons.through.objects.filter(user_id=user.pk), "agency", "agency_id"),
             tagged(Proposer.objects.filter(user_id=user.pk), "proposer", "id")]
    backend_only = [backend for backend in settings.AUTHENTICATION_BACKENDS
                    if backend not in _PERMISSIONLESS_BACKENDS] == _MODEL_BACKEND_ONLY
    if backend_only and user.is_active:
        app_label, codename = STAFF_PERMISSION.split(".")
        parts.append(tagged(Permission.objects.filter(content_type__app_label=app_label, codename=codename).filter(
            Q(user=user) | Q(group__user=user)), "staff", "id"))
    rows = list(parts[0].union(*parts[1:], all=True))
    staff = any(tag == "staff" for tag, _ in rows) if backend_only else user.has_perm(STAFF_PERMISSION)
    agencies = frozenset(value for tag, value in rows if tag == "agency")
    proposer = next((value for tag, value in rows if tag == "proposer"), None)
    user._tracker_roles = (staff, agencies, proposer)
    return user._tracker_roles


def role_label(user):
    if is_committee_staff(user):
        return _("提案委员会工作人员")
    if liaison_agency_ids(user):
        return _("承办单位联络员")
    if proposer_id(user):
        return _("提案人")
    return _("公众")
