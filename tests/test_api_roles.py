"""Who a request's user is (proposals/roles.py) is read once per request, in one query, and
agrees with Django's own permission check."""
import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission

from proposals.roles import STAFF_PERMISSION, is_committee_staff, liaison_agency_ids, proposer_id
from tests.factories import quick_user

pytestmark = pytest.mark.django_db


def fresh(user):
    """The user as a new request sees it: nothing cached on the object."""
    return get_user_model().objects.get(pk=user.pk)



@pytest.mark.parametrize("role,staff,agencies,proposer", [
    ("staff", True, False, False), ("liaison", False, True, False), ("proposer", False, False, True),
    ("plain", False, False, False),
])
def test_every_role_in_one_query(cast, role, staff, agencies, proposer, django_assert_num_queries):
    user = fresh(cast.actor(role))
    with django_assert_num_queries(1):
        facts = (is_committee_staff(user), liaison_agency_ids(user), proposer_id(user))
        again = (is_committee_staff(user), liaison_agency_ids(user), proposer_id(user))
    assert facts == again
    assert facts[0] is staff and facts[0] == fresh(user).has_perm(STAFF_PERMISSION)
    assert (facts[1] == {cast.agency.pk}) is agencies and bool(facts[1]) is agencies
    assert (facts[2] == cast.proposer.pk) is proposer and (facts[2] is not None) is proposer


def test_a_permission_given_to_the_user_directly_counts(cast):
    user = quick_user("direct")
    user.user_permissions.add(Permission.objects.get(codename="manage_workflow"))
    assert is_committee_staff(fresh(user)) is True


def test_an_inactive_user_is_not_staff(cast):
    get_user_model().objects.filter(pk=cast.staff.pk).update(is_active=False)
    user = fresh(cast.staff)
    assert is_committee_staff(user) is False and user.has_perm(STAFF_PERMISSION) is False


def test_a_superuser_needs_no_query(django_assert_num_queries):
    user = quick_user("root", is_superuser=True)
    with django_assert_num_queries(0):
        assert is_committee_staff(fresh_without_query(user)) is True


def fresh_without_query(user):
    user.__dict__.pop("_tracker_roles", None)
    return user


def test_anonymous_users_have_no_role(django_assert_num_queries):
    from django.contrib.auth.models import AnonymousUser

    with django_assert_num_queries(0):
        assert (is_committee_staff(AnonymousUser()), liaison_agency_ids(AnonymousUser()),
                proposer_id(AnonymousUser())) == (False, frozenset(), None)


def test_a_token_request_reads_the_roles_once(cast, django_assert_num_queries):
    """Token (with its user), roles, then the page: a liaison's proposal list."""
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    from tests.factories import proposal_at

    proposal_at(cast, "assigned")
    token = Token.objects.create(user=cast.liaison)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    client.get("/api/proposals/")
    # token + roles + count + page + the page's lead proposers + its lead agencies
    with django_assert_num_queries(6):
        assert client.get("/api/proposals/").json()["count"] == 1
