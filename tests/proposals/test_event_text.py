"""An event reads in its reader's language whoever acted (issue 8: an English-speaking user's
assignment wrote "(Lead)" for every Chinese reader): the structured part is written at read
time from the event's data."""
import pytest
from django.utils import translation

from proposals.event_text import event_text
from proposals.models import Event, Proposal
from proposals.visibility import Viewer
from tests.api_support import client_for
from tests.factories import lead_assignment, make_cast, proposal_at

pytestmark = pytest.mark.django_db


def test_an_assignment_made_in_english_reads_in_chinese():
    cast = make_cast()
    with translation.override("en"):
        proposal = proposal_at(cast, Proposal.Status.ASSIGNED)
    event = Event.objects.get(proposal=proposal, action="assign")
    staff = Viewer.of(cast.staff)
    with translation.override("zh-hans"):
        assert event_text(staff, event) == f"{cast.agency.name}(主办)"
    with translation.override("en"):
        assert event_text(staff, event) == f"{cast.agency.name}(Lead)"


def test_a_contact_and_a_rating_read_in_the_readers_language():
    from proposals import services
    from replies.models import Reply
    from replies import services as reply_services
    from tests.factories import WORKFLOW_FEEDBACK_ON

    cast = make_cast()
    proposal = proposal_at(cast, Proposal.Status.REPLIED)
    with translation.override("en"):
        services.contact_record(actor=cast.liaison, assignment=lead_assignment(proposal), stage="after",
                                form="phone", date=WORKFLOW_FEEDBACK_ON, note="回访")
        reply_services.feedback_give(actor=cast.proposer_user, reply=Reply.objects.get(assignment__proposal=proposal),
                                     rating="satisfied", comments="很好", on=WORKFLOW_FEEDBACK_ON)
    events = client_for(cast.staff).get("/api/events/", {"proposal_id": proposal.pk, "page_size": 50}).json()
    notes = {e["action"]: e["note"] for e in events["results"] if e["assignment"] is None or e["action"] != "close"}
    assert notes["contact"] == "办后沟通(电话)回访"
    assert notes["feedback"] == f"{cast.proposer.name}:满意 很好"
    assert notes["close"] == "提案人均已评价满意或基本满意,或征询意见期已过"
    english = client_for(cast.staff).get("/api/events/", {"proposal_id": proposal.pk, "page_size": 50},
                                         HTTP_ACCEPT_LANGUAGE="en").json()
    feedback = next(e["note"] for e in english["results"] if e["action"] == "feedback")
    assert feedback == f"{cast.proposer.name}:Satisfied 很好"
