"""Life of a proposal (domain.md), steps 5, 6 and 10: co-handling opinions, replies, disclosure."""
import datetime

import pytest

from proposals import services
from proposals.models import Assignment, Event, Proposal
from proposals.services import ActionForbidden, InvalidInput, TransitionNotAllowed
from replies import services as reply_services
from replies.models import Reply
from tests.factories import (
    WORKFLOW_ACKNOWLEDGED_ON,
    WORKFLOW_ASSIGNED_ON,
    WORKFLOW_REPLIED_ON,
    assignment_at,
    lead_assignment,
    proposal_at,
    reply_drafted,
    reply_sent,
)

P = Proposal.Status
A = Assignment.Status
R = Reply.Status
pytestmark = pytest.mark.django_db



def acknowledged(cast, assignment):
    return services.assignment_acknowledge(actor=cast.staff, assignment=assignment, on=WORKFLOW_ACKNOWLEDGED_ON)


# --- 5. Co-handling opinions ---------------------------------------------------------------------------

def test_co_handler_sends_its_opinion_to_the_lead(cast):
    proposal = proposal_at(cast, P.ASSIGNED, co=True)
    co = acknowledged(cast, proposal.assignments.get(role=Assignment.Role.CO))
    opinion = reply_services.reply_create(actor=cast.co_liaison, assignment=co, body="建议主办单位统筹考虑……")
    assert (opinion.kind, opinion.round, opinion.status) == (Reply.Kind.OPINION, 1, R.DRAFT)

    reply_services.reply_submit(actor=cast.co_liaison, reply=opinion, on=datetime.date(2024, 3, 25))

    opinion.refresh_from_db()
    co.refresh_from_db()
    assert (opinion.status, opinion.delivered_on, opinion.feedback_due_on) == (
        R.SUBMITTED, datetime.date(2024, 3, 25), None)  # proposers rate replies, not opinions
    assert (co.status, co.replied_on) == (A.REPLIED, datetime.date(2024, 3, 25))
    event = Event.objects.filter(assignment=co, action="reply_submit").get()
    assert (event.actor, event.from_status, event.to_status, event.reply_id) == (
        cast.co_liaison, A.ACKNOWLEDGED, A.REPLIED, opinion.pk)
    # The lead has not answered: the proposal is still being handled.
    assert Proposal.objects.get(pk=proposal.pk).status == P.ASSIGNED


def test_an_opinion_is_never_published(cast):
    proposal = proposal_at(cast, P.ASSIGNED, co=True)
    co = acknowledged(cast, proposal.assignments.get(role=Assignment.Role.CO))
    opinion = reply_sent(cast, co)
    with pytest.raises(TransitionNotAllowed):
        reply_services.reply_publish(actor=cast.staff, reply=opinion)
    assert Reply.objects.get(pk=opinion.pk).status == R.SUBMITTED


# --- 6. Replies -------------------------------------------------------------------------------------------

def test_lead_reply_answers_the_proposal_and_opens_the_feedback_window(cast):
    proposal = proposal_at(cast, P.ASSIGNED, co=True)
    lead = acknowledged(cast, lead_assignment(proposal))
    reply = reply_services.reply_create(actor=cast.liaison, assignment=lead, title="关于第1号提案的答复",
                                        body="现答复如下……", classification="B", doc_number="曲政函〔2024〕257号")
    reply_services.reply_submit(actor=cast.liaison, reply=reply, on=WORKFLOW_REPLIED_ON)

    reply.refresh_from_db()
    assert (reply.status, reply.kind, reply.delivered_on) == (R.SUBMITTED, Reply.Kind.REPLY, WORKFLOW_REPLIED_ON)
    assert reply.submitted_at is not None
    # 15 working days after 2024-05-06; 2024-05-11 (Saturday) is a make-up working day.
    assert reply.feedback_due_on == datetime.date(2024, 5, 24)
    assert reply.feedback_due_explanation["rule"] == "feedback_working_days"
    proposal.refresh_from_db()
    assert (proposal.status, proposal.next_due_on) == (P.REPLIED, None)
    event = Event.objects.filter(proposal=proposal, action="replied").get()
    assert (event.actor, event.from_status, event.to_status) == (cast.liaison, P.ASSIGNED, P.REPLIED)


def test_separately_assigned_proposal_is_replied_only_when_every_agency_has_replied(cast):
    proposal = proposal_at(cast, P.FILED)
    services.proposal_assign(actor=cast.staff, proposal=proposal, separate=[cast.agency, cast.other_agency],
                             assigned_on=WORKFLOW_ASSIGNED_ON)
    first, second = (acknowledged(cast, a) for a in proposal.assignments.order_by("id"))

    reply_sent(cast, first)
    proposal.refresh_from_db()
    assert proposal.status == P.ASSIGNED
    assert proposal.next_due_on == second.due_on

    reply_sent(cast, second, on=datetime.date(2024, 5, 8))
    proposal.refresh_from_db()
    assert proposal.status == P.REPLIED


def test_a_reassigned_lead_does_not_hold_the_proposal_back(cast):
    old = assignment_at(cast, A.REASSIGNED)
    new = old.proposal.assignments.get(agency=cast.spare_agency)
    reply_sent(cast, acknowledged(cast, new))
    assert Proposal.objects.get(pk=old.proposal_id).status == P.REPLIED


def test_a_reply_from_an_agency_that_is_not_assigned_is_refused(cast):
    lead = assignment_at(cast, A.ACKNOWLEDGED)
    with pytest.raises(ActionForbidden):
        reply_services.reply_create(actor=cast.other_liaison, assignment=lead, body="……", classification="A")
    draft = reply_drafted(cast, lead)
    with pytest.raises(ActionForbidden):
        reply_services.reply_submit(actor=cast.other_liaison, reply=draft, on=WORKFLOW_REPLIED_ON)
    assert Reply.objects.get(pk=draft.pk).status == R.DRAFT
    assert Assignment.objects.get(pk=lead.pk).status == A.ACKNOWLEDGED


def test_a_reply_is_submitted_only_after_receipt(cast):
    lead = assignment_at(cast, A.ASSIGNED)
    draft = reply_drafted(cast, lead)
    with pytest.raises(TransitionNotAllowed):
        reply_services.reply_submit(actor=cast.liaison, reply=draft, on=WORKFLOW_REPLIED_ON)


@pytest.mark.parametrize("fields, field", [({"body": "  "}, "body"), ({"classification": ""}, "classification")])
def test_a_reply_needs_a_body_and_a_classification(cast, fields, field):
    draft = reply_drafted(cast, assignment_at(cast, A.ACKNOWLEDGED), **fields)
    with pytest.raises(InvalidInput) as error:
        reply_services.reply_submit(actor=cast.liaison, reply=draft, on=WORKFLOW_REPLIED_ON)
    assert error.value.field == field
    assert Reply.objects.get(pk=draft.pk).status == R.DRAFT


@pytest.mark.parametrize("fields, field", [
    ({"classification": "E"}, "classification"),
    ({"disclosure": "secret"}, "disclosure"),
    ({"cc": "市政协提案委"}, "cc"),
    ({"status": "published"}, "status"),  # the status moves only through the services
])
def test_reply_drafts_refuse_bad_fields(cast, fields, field):
    with pytest.raises(InvalidInput) as error:
        reply_drafted(cast, assignment_at(cast, A.ACKNOWLEDGED), **fields)
    assert error.value.field == field
    assert not Reply.objects.exists()


def test_only_one_draft_per_round(cast):
    lead = assignment_at(cast, A.ACKNOWLEDGED)
    reply_drafted(cast, lead)
    with pytest.raises(InvalidInput):
        reply_drafted(cast, lead)


def test_a_submitted_reply_stays_as_sent(cast):
    reply = reply_sent(cast, assignment_at(cast, A.ACKNOWLEDGED))
    with pytest.raises(TransitionNotAllowed):
        reply_services.reply_update(actor=cast.liaison, reply=reply, body="改写")
    assert Reply.objects.get(pk=reply.pk).body == reply.body


def test_editing_a_draft_is_recorded(cast):
    draft = reply_drafted(cast, assignment_at(cast, A.ACKNOWLEDGED))
    reply_services.reply_update(actor=cast.liaison, reply=draft, body="第二稿", signer="张三")
    assert Reply.objects.values_list("body", "signer").get(pk=draft.pk) == ("第二稿", "张三")
    event = Event.objects.filter(reply_id=draft.pk, action="reply_update").get()
    assert (event.actor, event.data["fields"]) == (cast.liaison, ["body", "signer"])


# --- 10. Disclosure ---------------------------------------------------------------------------------------

def test_publish_a_public_reply(cast):
    reply = reply_sent(cast, assignment_at(cast, A.ACKNOWLEDGED))
    reply_services.reply_publish(actor=cast.staff, reply=reply, on=datetime.date(2024, 5, 9))
    reply.refresh_from_db()
    assert (reply.status, reply.published_on, reply.is_public) == (R.PUBLISHED, datetime.date(2024, 5, 9), True)
    event = Event.objects.filter(reply_id=reply.pk, action="publish").get()
    assert (event.actor, event.from_status, event.to_status) == (cast.staff, R.SUBMITTED, R.PUBLISHED)


@pytest.mark.parametrize("disclosure", [Reply.Disclosure.ON_REQUEST, Reply.Disclosure.NOT_PUBLIC])
def test_only_public_disclosure_is_published(cast, disclosure):
    reply = reply_sent(cast, assignment_at(cast, A.ACKNOWLEDGED), disclosure=disclosure,
                       disclosure_reason="涉及个人隐私")
    with pytest.raises(TransitionNotAllowed):
        reply_services.reply_publish(actor=cast.staff, reply=reply)
    assert Reply.objects.get(pk=reply.pk).status == R.SUBMITTED


def test_not_public_needs_a_reason_on_create_and_on_update(cast):
    lead = assignment_at(cast, A.ACKNOWLEDGED)
    with pytest.raises(InvalidInput) as error:
        reply_drafted(cast, lead, disclosure=Reply.Disclosure.NOT_PUBLIC)
    assert error.value.field == "disclosure_reason"
    assert not Reply.objects.exists()

    draft = reply_drafted(cast, lead)
    with pytest.raises(InvalidInput) as error:
        reply_services.reply_update(actor=cast.liaison, reply=draft, disclosure=Reply.Disclosure.NOT_PUBLIC,
                                    disclosure_reason=" ")
    assert error.value.field == "disclosure_reason"
    assert Reply.objects.get(pk=draft.pk).disclosure == Reply.Disclosure.PUBLIC

    reply_services.reply_update(actor=cast.liaison, reply=draft, disclosure=Reply.Disclosure.NOT_PUBLIC,
                                disclosure_reason="涉及国家秘密")
    assert Reply.objects.get(pk=draft.pk).disclosure == Reply.Disclosure.NOT_PUBLIC
