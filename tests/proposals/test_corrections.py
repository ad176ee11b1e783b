"""Mistakes that can be undone (issue 8): implausible dates are refused where they are typed,
and staff correct an assignment's date, agency and deadline basis, a proposal's session and
number, a reply's dates and number — each with a reason, an event holding the values before
and after, and what depends on it recomputed. Through the services, the API and the admin."""
import datetime

import pytest
from django.urls import reverse

from proposals import services
from proposals.models import Assignment, Event, Proposal
from proposals.services import ActionForbidden, InvalidInput, TransitionNotAllowed
from proposals.services.corrections import (
    assignment_correct_agency,
    assignment_correct_date,
    assignment_recompute_deadline,
    proposal_correct_number,
)
from replies.corrections import reply_correct
from replies.models import Reply
from tests.api_support import client_for
from tests.factories import (
    WORKFLOW_ASSIGNED_ON,
    SessionFactory,
    admin_cast,
    lead_assignment,
    make_cast,
    proposal_at,
    reply_drafted,
)

P = Proposal.Status
pytestmark = pytest.mark.django_db
ABSURD = datetime.date(1900, 1, 1)


@pytest.fixture
def cast():
    return make_cast()


def test_an_absurd_assignment_date_is_refused(cast):
    """Before: 1900-01-01 was taken and the proposal showed "逾期46262天" everywhere."""
    proposal = proposal_at(cast, P.FILED)
    for day in (ABSURD, datetime.date.today() + datetime.timedelta(days=2)):
        with pytest.raises(InvalidInput) as refused:
            services.proposal_assign(actor=cast.staff, proposal=proposal, lead=cast.agency, assigned_on=day)
        assert refused.value.field == "assigned_on"
    assert Proposal.objects.get(pk=proposal.pk).status == P.FILED


def test_an_absurd_signature_date_is_refused(cast):
    lead = lead_assignment(proposal_at(cast, P.ASSIGNED))
    with pytest.raises(InvalidInput) as refused:
        reply_drafted(cast, lead, signed_on=ABSURD)
    assert refused.value.field == "signed_on"
    draft = reply_drafted(cast, lead)
    from replies import services as reply_services

    with pytest.raises(InvalidInput):
        reply_services.reply_update(actor=cast.staff, reply=draft, signed_on=lead.assigned_on - datetime.timedelta(1))


def test_correcting_the_assignment_date_recomputes_its_deadlines(cast):
    proposal = proposal_at(cast, P.ASSIGNED)
    lead = lead_assignment(proposal)
    new_date = WORKFLOW_ASSIGNED_ON + datetime.timedelta(days=7)
    with pytest.raises(InvalidInput):  # a reason is required
        assignment_correct_date(actor=cast.staff, assignment=lead, assigned_on=new_date, reason=" ")
    with pytest.raises(ActionForbidden):
        assignment_correct_date(actor=cast.liaison, assignment=lead, assigned_on=new_date, reason="录入错误")
    before_due = lead.due_on
    assignment_correct_date(actor=cast.staff, assignment=lead, assigned_on=new_date, reason="录入错误")
    lead.refresh_from_db()
    assert lead.assigned_on == new_date and lead.due_on > before_due
    assert lead.due_explanation["due"]["start_on"] == new_date.isoformat()
    assert Proposal.objects.get(pk=proposal.pk).next_due_on == lead.due_on
    event = Event.objects.get(assignment=lead, action="correct")
    assert event.note == "录入错误"
    assert event.data["changes"]["assigned_on"] == [WORKFLOW_ASSIGNED_ON.isoformat(), new_date.isoformat()]
    assert event.data["changes"]["due_on"] == [before_due.isoformat(), lead.due_on.isoformat()]


def test_correcting_the_agency_before_it_replied(cast):
    proposal = proposal_at(cast, P.ASSIGNED)
    lead = lead_assignment(proposal)
    assignment_correct_agency(actor=cast.staff, assignment=lead, agency=cast.other_agency, reason="单位录错")
    lead.refresh_from_db()
    assert lead.agency == cast.other_agency
    assert Event.objects.get(assignment=lead, action="correct").data["changes"]["agency"] == [
        cast.agency.name, cast.other_agency.name]
    replied = lead_assignment(proposal_at(cast, P.REPLIED))
    with pytest.raises(TransitionNotAllowed):
        assignment_correct_agency(actor=cast.staff, assignment=replied, agency=cast.spare_agency, reason="x")


def test_recomputing_a_deadline_after_the_rules_changed(cast):
    lead = lead_assignment(proposal_at(cast, P.ASSIGNED))
    cast.session.reply_months = 2
    cast.session.save()
    assignment_recompute_deadline(actor=cast.staff, assignment=lead, reason="会议规则调整为2个月")
    lead.refresh_from_db()
    assert lead.due_explanation["due"]["amount"] == 2 and lead.deadline_review == ""


def test_correcting_a_proposals_session_and_number(cast):
    proposal = proposal_at(cast, P.SUBMITTED, number="12")
    proposal_at(cast, P.SUBMITTED, number="13")
    with pytest.raises(InvalidInput) as taken:
        proposal_correct_number(actor=cast.staff, proposal=proposal, number="13", reason="号码录错")
    assert taken.value.field == "number"
    other_session = SessionFactory(committee=cast.session.committee)
    proposal_correct_number(actor=cast.staff, proposal=proposal, number="0013", session=other_session,
                            reason="应为另一次会议")
    proposal.refresh_from_db()
    assert (proposal.session, proposal.number) == (other_session, "0013")
    assert "0013" in proposal.search_text
    changes = Event.objects.get(proposal=proposal, action="correct").data["changes"]
    assert changes["number"] == ["12", "0013"] and set(changes) == {"number", "session"}


def test_correcting_a_replys_delivery_moves_its_feedback_window(cast):
    proposal = proposal_at(cast, P.REPLIED)
    reply = Reply.objects.get(assignment__proposal=proposal)
    before = reply.feedback_due_on
    later = reply.delivered_on + datetime.timedelta(days=7)
    reply_correct(actor=cast.staff, reply=reply, delivered_on=later, doc_number="曲政函〔2024〕9号", reason="送达日期有误")
    reply.refresh_from_db()
    assert reply.delivered_on == later and reply.feedback_due_on > before
    assert reply.feedback_due_explanation["start_on"] == later.isoformat()
    changes = Event.objects.get(reply_id=reply.pk, action="correct").data["changes"]
    assert set(changes) == {"delivered_on", "doc_number", "feedback_due_on"}
    with pytest.raises(InvalidInput):
        reply_correct(actor=cast.staff, reply=reply, signed_on=ABSURD, reason="x")


def test_corrections_through_the_api(cast):
    proposal = proposal_at(cast, P.ASSIGNED)
    lead = lead_assignment(proposal)
    url = f"/api/assignments/{lead.pk}/correct/"
    assert client_for(cast.liaison).post(url, {"assigned_on": "2024-03-11", "reason": "x"},
                                         format="json").status_code == 403
    both = client_for(cast.staff).post(url, {"assigned_on": "2024-03-11", "recompute_deadline": True, "reason": "x"},
                                       format="json")
    assert both.status_code == 400
    absurd = client_for(cast.staff).post(url, {"assigned_on": "1900-01-01", "reason": "x"}, format="json")
    assert absurd.status_code == 400 and "assigned_on" in absurd.json()
    ok = client_for(cast.staff).post(url, {"assigned_on": "2024-03-11", "reason": "录入错误"}, format="json")
    assert ok.status_code == 200 and ok.json()["assigned_on"] == "2024-03-11"
    renumbered = client_for(cast.staff).post(f"/api/proposals/{proposal.pk}/correct/",
                                             {"number": "77", "reason": "号码录错"}, format="json")
    assert renumbered.status_code == 200 and renumbered.json()["number"] == "77"


def test_corrections_in_the_admin(client):
    cast = admin_cast()
    lead = lead_assignment(proposal_at(cast, P.ASSIGNED))
    step = reverse("admin:proposals_assignment_step", args=[lead.pk, "correct_date"])
    client.force_login(cast.staff)
    response = client.post(step, {"assigned_on": "2024-03-11", "reason": "录入错误"})
    assert response.status_code == 302
    assert Assignment.objects.get(pk=lead.pk).assigned_on == datetime.date(2024, 3, 11)
    page = client.get(reverse("admin:proposals_proposal_change", args=[lead.proposal_id])).content.decode()
    assert "录入错误" in page  # the timeline shows the correction, with the values before and after
    assert "交办日期:2024-03-04 → 2024-03-11" in page
