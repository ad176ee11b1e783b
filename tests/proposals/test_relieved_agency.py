"""An agency relieved of a proposal (objection upheld, or assignment cancelled) keeps sight of
what it did itself and of nothing after (issue 7; domain.md, "Relieved agencies"): its own
assignment with its objection and the decision, its own draft and contacts, and the events of
its own assignment; not the proposal itself, the new agency's assignment, its reply, or the
proposal's later timeline."""
import pytest

from proposals import services
from proposals.models import Assignment, Proposal
from proposals.selectors import visible_assignments, visible_contacts, visible_events, visible_proposals
from replies.selectors import visible_replies
from tests.api_support import client_for
from tests.factories import (
    WORKFLOW_ACKNOWLEDGED_ON,
    WORKFLOW_ASSIGNED_ON,
    lead_assignment,
    make_cast,
    proposal_at,
    quick_user,
    reply_drafted,
    reply_sent,
)

P = Proposal.Status
pytestmark = pytest.mark.django_db


@pytest.fixture
def relieved():
    """cast.agency drafts, records a contact, objects; staff uphold it and reassign to
    cast.spare_agency, which replies. Returns (cast, proposal, old assignment, new assignment,
    the old draft, the new reply)."""
    cast = make_cast()
    proposal = proposal_at(cast, P.ASSIGNED)
    old = lead_assignment(proposal)
    draft = reply_drafted(cast, old, actor=cast.liaison, body="本单位的初稿")
    services.contact_record(actor=cast.liaison, assignment=old, stage="before", form="phone",
                            date=WORKFLOW_ASSIGNED_ON, note="初次沟通")
    services.assignment_object(actor=cast.liaison, assignment=old, reason="不属于本单位职责",
                               on=WORKFLOW_ACKNOWLEDGED_ON)
    services.assignment_decide_objection(actor=cast.staff, assignment=old, uphold=True, note="同意调整",
                                         new_agency=cast.spare_agency, on=WORKFLOW_ACKNOWLEDGED_ON)
    new = proposal.assignments.get(agency=cast.spare_agency)
    services.assignment_acknowledge(actor=cast.staff, assignment=new)
    reply = reply_sent(cast, new, body="新承办单位的答复")
    return cast, proposal, Assignment.objects.get(pk=old.pk), new, draft, reply


def test_the_relieved_agency_keeps_its_own_work(relieved):
    cast, proposal, old, new, draft, reply = relieved
    liaison = cast.liaison
    assert set(visible_assignments(liaison).filter(proposal=proposal)) == {old}
    assert set(visible_replies(liaison).filter(assignment__proposal=proposal)) == {draft}
    assert visible_contacts(liaison).filter(assignment=old).count() == 1
    actions = set(visible_events(liaison).filter(proposal=proposal).values_list("action", flat=True))
    assert actions == {"assign", "reply_draft", "contact", "object", "decide_objection"}


def test_the_relieved_agency_does_not_follow_the_proposal(relieved):
    cast, proposal, old, new, draft, reply = relieved
    liaison = cast.liaison
    assert not visible_proposals(liaison).filter(pk=proposal.pk).exists()
    assert not visible_assignments(liaison).filter(pk=new.pk).exists()
    assert not visible_replies(liaison).filter(pk=reply.pk).exists()
    assert not visible_events(liaison).filter(assignment=new).exists()
    assert not visible_events(liaison).filter(proposal=proposal, action="replied").exists()
    # The new agency, by contrast, follows it.
    newcomer = quick_user("newcomer")
    cast.spare_agency.liaisons.add(newcomer)
    assert visible_proposals(newcomer).filter(pk=proposal.pk).exists()
    assert visible_replies(newcomer).filter(pk=reply.pk).exists()


def test_through_the_api(relieved):
    cast, proposal, old, new, draft, reply = relieved
    client = client_for(cast.liaison)
    assert client.get(f"/api/proposals/{proposal.pk}/").status_code == 404
    mine = client.get(f"/api/assignments/{old.pk}/").json()
    assert (mine["objection_reason"], mine["objection_decision_note"]) == ("不属于本单位职责", "同意调整")
    assert client.get(f"/api/assignments/{new.pk}/").status_code == 404
    assert client.get(f"/api/replies/{reply.pk}/").status_code == 404
    assert client.get(f"/api/replies/{draft.pk}/").status_code == 200
    events = client.get("/api/events/", {"proposal_id": proposal.pk, "page_size": 100}).json()["results"]
    assert {e["assignment"] for e in events} == {old.pk}


def test_an_agency_of_a_withdrawn_proposal_is_relieved_too():
    cast = make_cast()
    proposal = proposal_at(cast, P.ASSIGNED)
    lead = lead_assignment(proposal)
    services.proposal_withdraw(actor=cast.staff, proposal=proposal, reason="提案人撤回")
    assert not visible_proposals(cast.liaison).filter(pk=proposal.pk).exists()
    assert visible_assignments(cast.liaison).filter(pk=lead.pk).exists()
