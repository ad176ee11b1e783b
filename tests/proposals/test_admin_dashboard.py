"""The admin home shows each role what needs it."""
import pytest
from django.urls import reverse

from proposals import services
from proposals.models import Assignment, Proposal
from proposals.selectors import today
from replies import services as reply_services
from tests.factories import admin_cast, lead_assignment, proposal_at, reply_drafted

S = Proposal.Status


@pytest.fixture
def cast(db):
    return admin_cast()


def sections(client, user):
    client.force_login(user)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 200
    return {s.key: s for s in response.context["dash"]["sections"]}, response.content.decode()


def test_staff_see_overdue_assignments_objections_and_replies_to_publish(client, cast):
    overdue = lead_assignment(proposal_at(cast, S.ASSIGNED))  # assigned in 2024
    objecting = proposal_at(cast, S.FILED)
    services.proposal_assign(actor=cast.staff, proposal=objecting, lead=cast.agency, assigned_on=today())
    objection = lead_assignment(objecting)
    services.assignment_object(actor=cast.liaison, assignment=objection, reason="不属于本单位职责")
    replying = proposal_at(cast, S.FILED)
    services.proposal_assign(actor=cast.staff, proposal=replying, lead=cast.agency, assigned_on=today())
    lead = lead_assignment(replying)
    services.assignment_acknowledge(actor=cast.liaison, assignment=lead)
    reply = reply_services.reply_submit(actor=cast.liaison, reply=reply_drafted(cast, lead, actor=cast.liaison))
    found, html = sections(client, cast.staff)
    assert [a.pk for a in found["overdue"].rows] == [overdue.pk] and found["overdue"].total == 1
    assert [a.pk for a in found["objections"].rows] == [objection.pk]
    assert [r.pk for r in found["to_publish"].rows] == [reply.pk]
    assert found["due_week"].rows == []
    assert str(overdue.proposal) in html and "tracker-overdue" in html


def test_a_liaison_sees_its_own_work_only(client, cast):
    mine = lead_assignment(proposal_at(cast, S.ASSIGNED))
    theirs = proposal_at(cast, S.FILED)
    services.proposal_assign(actor=cast.staff, proposal=theirs, lead=cast.other_agency, assigned_on=today())
    found, _ = sections(client, cast.liaison)
    assert set(found) == {"to_acknowledge", "overdue", "due_soon"}
    assert [a.pk for a in found["to_acknowledge"].rows] == [mine.pk]
    assert [a.pk for a in found["overdue"].rows] == [mine.pk]
    found, _ = sections(client, cast.other_liaison)
    assert [a.proposal_id for a in found["to_acknowledge"].rows] == [theirs.pk]
    assert found["overdue"].rows == []


def test_a_proposer_sees_replies_waiting_for_its_rating(client, cast):
    proposal = proposal_at(cast, S.FILED)
    services.proposal_assign(actor=cast.staff, proposal=proposal, lead=cast.agency, assigned_on=today())
    lead = lead_assignment(proposal)
    services.assignment_acknowledge(actor=cast.liaison, assignment=lead)
    reply = reply_services.reply_submit(actor=cast.liaison, reply=reply_drafted(cast, lead, actor=cast.liaison))
    found, _ = sections(client, cast.proposer_user)
    assert [r.pk for r in found["to_rate"].rows] == [reply.pk]
    reply_services.feedback_give(actor=cast.proposer_user, reply=reply, rating="satisfied")
    found, _ = sections(client, cast.proposer_user)
    assert found["to_rate"].rows == []
    assert Assignment.objects.get(pk=lead.pk).status == Assignment.Status.CLOSED


def test_more_links_lead_to_the_filtered_assignment_list(client, cast):
    overdue = lead_assignment(proposal_at(cast, S.ASSIGNED))
    proposal_at(cast, S.FILED)
    client.force_login(cast.staff)
    response = client.get(reverse("admin:proposals_assignment_changelist"), {"overdue": "yes"})
    assert [a.pk for a in response.context["cl"].result_list] == [overdue.pk]
