"""The hot-path serializers write their output by hand (proposals/api/represent.py); this checks,
role by role and object by object, that it is exactly what DRF's field-by-field path makes of
the same declared fields, and that deadline explanations are written at response time."""
import json

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from proposals.api.assignment_serializers import AssignmentDetailSerializer, AssignmentListSerializer
from proposals.api.proposal_serializers import ProposalDetailSerializer, ProposalListSerializer
from proposals.api.represent import GENERIC
from proposals.models import Assignment, Proposal
from proposals.selectors import proposal_brief_list, proposal_detail_list, visible_assignments
from replies.api.serializers import ReplyDetailSerializer, ReplyListSerializer
from replies.selectors import reply_list
from tests.api_support import ROLES, build_world, client_for, results

RESOURCES = {
    # resource: (list serializer, detail serializer, list queryset, detail queryset)
    "proposals": (ProposalListSerializer, ProposalDetailSerializer, proposal_brief_list, proposal_detail_list),
    "assignments": (AssignmentListSerializer, AssignmentDetailSerializer,
                    lambda user: visible_assignments(user).select_related("proposal__session__committee", "agency"),
                    lambda user: visible_assignments(user).select_related("proposal__session__committee", "agency")),
    "replies": (ReplyListSerializer, ReplyDetailSerializer, reply_list, reply_list),
}


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        built = build_world()
        # A merged proposal and a supervised one, so that every part of a detail has content.
        from proposals import services
        from tests.factories import proposal_at

        merged = proposal_at(built.cast, Proposal.Status.SUBMITTED)
        services.proposal_merge(actor=built.cast.staff, proposal=merged, into=built.assigned, reason="内容相近")
        services.proposal_mark_key(actor=built.cast.staff, proposal=built.assigned, leader="王副主席")
        services.supervision_record(actor=built.cast.staff, proposal=built.assigned, note="实地督办")
        yield built
        transaction.set_rollback(True)


def generic(serializer_class, instance, user) -> dict:
    """DRF's own field-by-field representation, rendered and parsed as a client would."""
    request = Request(APIRequestFactory().get("/"))
    request.user = user if user is not None else AnonymousUser()
    data = serializer_class(instance, context={"request": request, GENERIC: True}).data
    return json.loads(JSONRenderer().render(data))


@pytest.mark.django_db
@pytest.mark.parametrize("resource", list(RESOURCES))
@pytest.mark.parametrize("role", ROLES)
def test_fast_representation_is_the_generic_one(world, resource, role):
    user = world.user(role)
    list_serializer, detail_serializer, list_queryset, detail_queryset = RESOURCES[resource]
    client = client_for(user)
    rows = results(client.get(f"/api/{resource}/", {"page_size": 1000}))
    assert rows or role in ("plain", "other_proposer", "anonymous", "other_liaison")
    for row in rows:
        instance = list_queryset(user=user).get(pk=row["id"])
        assert row == generic(list_serializer, instance, user), (resource, role, row["id"])
        detail = client.get(f"/api/{resource}/{row['id']}/").json()
        instance = detail_queryset(user=user).get(pk=row["id"])
        assert detail == generic(detail_serializer, instance, user), (resource, role, row["id"])


@pytest.mark.django_db
def test_the_detail_covers_every_part(world):
    body = client_for(world.cast.staff).get(f"/api/proposals/{world.assigned.pk}/").json()
    assert [m["title"] for m in body["merged_proposals"]] and body["supervision_logs"][0]["note"] == "实地督办"
    assert {a["role"] for a in body["assignments"]} == {"lead", "co"}
    assert body["replies"] and body["replies"][0]["proposal"]["id"] == world.assigned.pk
    merged = Proposal.objects.get(merged_into=world.assigned)
    assert client_for(world.cast.staff).get(f"/api/proposals/{merged.pk}/").json()["merged_into"]["id"] == \
        world.assigned.pk


@pytest.mark.django_db
def test_deadline_explanations_are_written_at_response_time(world):
    """The stored text is what the deadline said when it was set, in the language of the day;
    the response writes it again from the stored rule, dates and holidays."""
    lead = Assignment.objects.get(pk=world.lead.pk)
    stored = lead.due_explanation
    expected = {key: part["text"] for key, part in stored.items()}
    Assignment.objects.filter(pk=lead.pk).update(due_explanation={
        key: {**part, "text": "stale"} for key, part in stored.items()})
    staff = client_for(world.cast.staff)
    detail = staff.get(f"/api/assignments/{lead.pk}/").json()
    assert {key: part["text"] for key, part in detail["due_explanation"].items()} == expected
    nested = next(a for a in staff.get(f"/api/proposals/{world.assigned.pk}/").json()["assignments"]
                  if a["id"] == lead.pk)
    assert nested["due_explanation"]["due"]["text"] == expected["due"]
    reply = staff.get(f"/api/replies/{world.public_reply.pk}/").json()
    assert reply["feedback_due_explanation"]["text"].startswith("征询意见期限:自答复送达日")


@pytest.mark.django_db
def test_an_explanation_without_a_rule_is_shown_as_stored(world):
    """Imported assignments carry a note instead of a computed deadline."""
    note = {"imported": True, "assigned_on_from": "signed_on", "note": "自答复函导入:来函未载交办日期与办理期限"}
    Assignment.objects.filter(pk=world.co.pk).update(due_explanation=note)
    body = client_for(world.cast.staff).get(f"/api/assignments/{world.co.pk}/").json()
    assert body["due_explanation"] == note


@pytest.mark.django_db
def test_a_detail_costs_a_fixed_number_of_queries(world, django_assert_num_queries):
    """Roles (one query), the proposal, its proposers, its co-signing invitations, its assignments,
    its replies; the merged proposals and the supervision log only because this proposal has them."""
    from django.contrib.auth import get_user_model

    from tests.factories import quick_staff_user

    staff = quick_staff_user("detailstaff")
    with django_assert_num_queries(8):
        assert client_for(staff).get(f"/api/proposals/{world.assigned.pk}/").status_code == 200
    fresh = get_user_model().objects.get(pk=staff.pk)  # a new request's user: its roles not read yet
    with django_assert_num_queries(6):
        assert client_for(fresh).get(f"/api/proposals/{world.private.pk}/").status_code == 200
