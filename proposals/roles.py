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
    return bool(user and user.is_authenticated and (user.is_superuser or user.has_perm(STAFF_PERMISSION)))


def liaison_agency_ids(user) -> frozenset[int]:
    if not (user and user.is_authenticated):
        return frozenset()
    cached = getattr(user, "_liaison_agency_ids", None)
    if cached is None:
        cached = frozenset(user.liaison_agencies.values_list("id", flat=True))
        user._liaison_agency_ids = cached
    return cached


def proposer_id(user) -> int | None:
    if not (user and user.is_authenticated):
        return None
    if not hasattr(user, "_proposer_id"):
        from proposals.models import Proposer

        user._proposer_id = Proposer.objects.filter(user=user).values_list("id", flat=True).first()
    return user._proposer_id


def role_label(user):
    if is_committee_staff(user):
        return _("提案委员会工作人员")
    if liaison_agency_ids(user):
        return _("承办单位联络员")
    if proposer_id(user):
        return _("提案人")
    return _("公众")
