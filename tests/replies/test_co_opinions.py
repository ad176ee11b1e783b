"""Co-handling opinions (会办意见) come before the lead's reply (issue 8; domain.md, "Rules
decided"): the lead sees which are in and which are missing; by default a missing opinion only
warns, a committee may make it block; a late opinion is still recorded, and counted late."""
import datetime

import pytest

from proposals import services
from proposals.models import Assignment, Event, Proposal
from proposals.services import InvalidInput, TransitionNotAllowed
from replies import services as reply_services
from replies.selectors import co_opinions
from tests.factories import (
    WORKFLOW_ACKNOWLEDGED_ON,
    WORKFLOW_REPLIED_ON,
    lead_assignment,
    make_cast,
    proposal_at,
    reply_drafted,
)

P = Proposal.Status
A = Assignment.Status
pytestmark = pytest.mark.django_db


@pytest.fixture
def handling():
    cast = make_cast()
    proposal = proposal_at(cast, P.ASSIGNED, co=True)
    lead = lead_assignment(proposal)
    co = proposal.assignments.get(role=Assignment.Role.CO)
    for assignment in (lead, co):
        services.assignment_acknowledge(actor=cast.staff, assignment=assignment, on=WORKFLOW_ACKNOWLEDGED_ON)
    return cast, proposal, lead, co


def test_the_lead_sees_which_opinions_are_missing_and_may_reply_by_default(handling):
    cast, proposal, lead, co = handling
    assert [(row["agency"], row["received"]) for row in co_opinions(proposal)] == [(cast.co_agency.name, False)]
    reply = reply_drafted(cast, lead, actor=cast.liaison)
    reply_services.reply_submit(actor=cast.liaison, reply=reply, on=WORKFLOW_REPLIED_ON)
    event = Event.objects.get(reply_id=reply.pk, action="reply_submit")
    assert event.data["missing_opinions"] == [cast.co_agency.name]


def test_a_committee_may_make_a_missing_opinion_block_the_reply(handling):
    cast, proposal, lead, co = handling
    cast.session.committee.opinion_blocks_reply = True
    cast.session.committee.save()
    reply = reply_drafted(cast, lead, actor=cast.liaison)
    with pytest.raises(TransitionNotAllowed) as refused:
        reply_services.reply_submit(actor=cast.liaison, reply=reply, on=WORKFLOW_REPLIED_ON)
    assert cast.co_agency.name in str(refused.value.message)
    opinion = reply_drafted(cast, co, actor=cast.co_liaison, body="同意主办单位意见")
    reply_services.reply_submit(actor=cast.co_liaison, reply=opinion, on=WORKFLOW_REPLIED_ON)
    reply_services.reply_submit(actor=cast.liaison, reply=reply, on=WORKFLOW_REPLIED_ON)
    assert Proposal.objects.get(pk=proposal.pk).status == P.REPLIED


def test_a_late_opinion_is_still_recorded_after_the_lead_replied(handling):
    """Before: once the lead had replied, the co-handler could never send its opinion."""
    cast, proposal, lead, co = handling
    reply_services.reply_submit(actor=cast.liaison, reply=reply_drafted(cast, lead, actor=cast.liaison),
                                on=WORKFLOW_REPLIED_ON)
    assert Proposal.objects.get(pk=proposal.pk).status == P.REPLIED
    late_on = co.due_on + datetime.timedelta(days=3)
    opinion = reply_drafted(cast, co, actor=cast.co_liaison, body="会办意见")
    reply_services.reply_submit(actor=cast.co_liaison, reply=opinion, on=late_on)
    co.refresh_from_db()
    assert (co.status, co.replied_on) == (A.REPLIED, late_on)
    assert Proposal.objects.get(pk=proposal.pk).status == P.REPLIED  # unchanged by the opinion
    assert Event.objects.get(reply_id=opinion.pk, action="reply_submit").data == {"late": True}
    [row] = co_opinions(proposal)
    assert (row["received"], row["received_on"], row["late"]) == (True, late_on, True)


@pytest.mark.parametrize("body", ["", "   ", "\u3000\u200b\n", "。。"])
def test_a_reply_without_text_is_not_sent(handling, body):
    cast, proposal, lead, co = handling
    reply = reply_drafted(cast, lead, actor=cast.liaison, body=body)
    with pytest.raises(InvalidInput) as refused:
        reply_services.reply_submit(actor=cast.liaison, reply=reply, on=WORKFLOW_REPLIED_ON)
    assert refused.value.field == "body"
    assert Proposal.objects.get(pk=proposal.pk).status == P.ASSIGNED
