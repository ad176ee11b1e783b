"""Life of a proposal (domain.md), steps 7 and 8: the proposers' feedback and closing.

Each proposer rates (domain.md, "Rules decided"): 满意 / 基本满意 from every proposer closes
the proposal; one 不满意 (with its reason) sends it back for re-handling (default 1 month)
with a second-round reply and new feedback; once the feedback window (default 15 working
days after delivery) has passed, no rating is taken, the proposal closes and who did not rate
is recorded as 未表态.
"""
import datetime

import pytest

from proposals import services
from proposals.models import Assignment, Event, Proposal
from proposals.services import ActionForbidden, InvalidInput, TransitionNotAllowed
from replies import services as reply_services
from replies.models import Feedback, Reply
from tests.factories import (
    WORKFLOW_ACKNOWLEDGED_ON,
    WORKFLOW_ASSIGNED_ON,
    WORKFLOW_FEEDBACK_ON,
    assignment_at,
    lead_assignment,
    proposal_at,
    reply_drafted,
    reply_sent,
)

P = Proposal.Status
A = Assignment.Status
pytestmark = pytest.mark.django_db
FEEDBACK_DUE = datetime.date(2024, 5, 24)  # 15 working days after WORKFLOW_REPLIED_ON (2024-05-06)



def replied(cast, **kwargs):
    proposal = proposal_at(cast, P.REPLIED, **kwargs)
    return proposal, Reply.objects.get(assignment=lead_assignment(proposal), round=1)


@pytest.mark.parametrize("rating", ["satisfied", "basically"])
def test_a_satisfied_rating_closes_the_proposal(cast, rating):
    proposal, reply = replied(cast, co=True)
    feedback = reply_services.feedback_give(actor=cast.proposer_user, reply=reply, rating=rating,
                                            comments="答复认真", on=WORKFLOW_FEEDBACK_ON)

    assert (feedback.proposer, feedback.rating, feedback.given_on, feedback.recorded_by) == (
        cast.proposer, rating, WORKFLOW_FEEDBACK_ON, cast.proposer_user)
    proposal.refresh_from_db()
    assert (proposal.status, proposal.closed_on) == (P.CLOSED, WORKFLOW_FEEDBACK_ON)
    close = Event.objects.get(proposal=proposal, action="close", assignment__isnull=True)
    assert (close.actor, close.from_status, close.to_status) == (cast.proposer_user, P.REPLIED, P.CLOSED)
    assert Event.objects.filter(proposal=proposal, action="feedback", actor=cast.proposer_user).exists()
    # Nothing stays open on a closed proposal: the lead is closed, the silent co-handler let go,
    # each through its transition table with its own event (issue 8).
    assert dict(proposal.assignments.values_list("role", "status")) == {"lead": A.CLOSED, "co": A.CANCELLED}
    moves = {(e.assignment.role, e.action, e.from_status, e.to_status)
             for e in Event.objects.filter(proposal=proposal, assignment__isnull=False, action__in=["close", "cancel"])}
    assert moves == {("lead", "close", A.REPLIED, A.CLOSED), ("co", "cancel", A.ASSIGNED, A.CANCELLED)}


def test_dissatisfied_sends_the_proposal_back_for_a_second_round(cast):
    proposal, reply = replied(cast)
    lead = lead_assignment(proposal)
    reply_services.feedback_give(actor=cast.proposer_user, reply=reply, rating="dissatisfied",
                                 comments="未解决实际问题", on=WORKFLOW_FEEDBACK_ON)

    lead.refresh_from_db()
    proposal.refresh_from_db()
    assert (lead.status, lead.rehandle_count) == (A.REHANDLING, 1)
    assert lead.due_on == datetime.date(2024, 6, 7)  # 1 month after the rating
    assert lead.due_explanation["due"]["rule"] == "rehandle_months"
    assert lead.original_due_on == datetime.date(2024, 6, 4)  # the first deadline is kept for the record
    assert (proposal.status, proposal.next_due_on) == (P.ASSIGNED, datetime.date(2024, 6, 7))
    rehandle = Event.objects.get(assignment=lead, action="rehandle")
    assert (rehandle.from_status, rehandle.to_status, rehandle.actor) == (A.REPLIED, A.REHANDLING, cast.proposer_user)
    reopen = Event.objects.get(proposal=proposal, action="reopen")
    assert (reopen.from_status, reopen.to_status) == (P.REPLIED, P.ASSIGNED)

    # The first-round reply is not rated again; the second round is written, sent and rated.
    with pytest.raises(TransitionNotAllowed):
        reply_services.feedback_give(actor=cast.proposer_user, reply=reply, rating="satisfied",
                                     on=WORKFLOW_FEEDBACK_ON)
    second = reply_drafted(cast, lead, actor=cast.liaison, body="重新办理后答复如下……")
    assert second.round == 2
    reply_services.reply_submit(actor=cast.liaison, reply=second, on=datetime.date(2024, 6, 3))
    proposal.refresh_from_db()
    assert proposal.status == P.REPLIED
    with pytest.raises(TransitionNotAllowed):  # still the old round
        reply_services.feedback_give(actor=cast.proposer_user, reply=reply, rating="satisfied",
                                     on=datetime.date(2024, 6, 4))
    reply_services.feedback_give(actor=cast.proposer_user, reply=second, rating="basically",
                                 on=datetime.date(2024, 6, 4))
    assert Proposal.objects.get(pk=proposal.pk).status == P.CLOSED


def test_feedback_after_the_window_is_refused(cast):
    proposal, reply = replied(cast)
    assert reply.feedback_due_on == FEEDBACK_DUE
    with pytest.raises(TransitionNotAllowed):
        reply_services.feedback_give(actor=cast.proposer_user, reply=reply, rating="dissatisfied",
                                     comments="未解决", on=FEEDBACK_DUE + datetime.timedelta(days=1))
    assert not Feedback.objects.exists()
    assert Proposal.objects.get(pk=proposal.pk).status == P.REPLIED


def test_feedback_on_the_last_day_of_the_window_is_taken(cast):
    _, reply = replied(cast)
    reply_services.feedback_give(actor=cast.proposer_user, reply=reply, rating="satisfied", on=FEEDBACK_DUE)
    assert Feedback.objects.count() == 1


def test_feedback_input_is_checked_with_the_field(cast):
    proposal, reply = replied(cast)
    with pytest.raises(InvalidInput) as error:
        reply_services.feedback_give(actor=cast.proposer_user, reply=reply, rating="great", on=WORKFLOW_FEEDBACK_ON)
    assert error.value.field == "rating"
    with pytest.raises(InvalidInput) as error:  # staff must say whose rating it is
        reply_services.feedback_give(actor=cast.staff, reply=reply, rating="satisfied", on=WORKFLOW_FEEDBACK_ON)
    assert error.value.field == "proposer"
    with pytest.raises(InvalidInput) as error:  # a proposer who did not sign this proposal
        reply_services.feedback_give(actor=cast.staff, reply=reply, rating="satisfied", proposer=cast.other_proposer,
                                     on=WORKFLOW_FEEDBACK_ON)
    assert error.value.field == "proposer"
    with pytest.raises(ActionForbidden):  # an anonymous visitor is nobody's proposer
        reply_services.feedback_give(actor=cast.anonymous, reply=reply, rating="satisfied", on=WORKFLOW_FEEDBACK_ON)
    assert not Feedback.objects.exists()


def test_each_proposer_rates_and_the_last_closes_it(cast):
    """Issue 8: the first 满意 used to close a co-signed proposal and refuse every other co-signer."""
    proposal, reply = replied(cast, proposers=[cast.proposer, cast.other_proposer])
    reply_services.feedback_give(actor=cast.other_proposer_user, reply=reply, rating="basically",
                                 on=WORKFLOW_FEEDBACK_ON)
    assert Proposal.objects.get(pk=proposal.pk).status == P.REPLIED
    reply_services.feedback_give(actor=cast.proposer_user, reply=reply, rating="satisfied",
                                 on=WORKFLOW_FEEDBACK_ON)
    assert Proposal.objects.get(pk=proposal.pk).status == P.CLOSED
    assert dict(Feedback.objects.values_list("proposer", "rating")) == {
        cast.other_proposer.pk: "basically", cast.proposer.pk: "satisfied"}


def test_a_co_signer_may_still_send_it_back(cast):
    proposal, reply = replied(cast, proposers=[cast.proposer, cast.other_proposer])
    reply_services.feedback_give(actor=cast.proposer_user, reply=reply, rating="satisfied", on=WORKFLOW_FEEDBACK_ON)
    reply_services.feedback_give(actor=cast.other_proposer_user, reply=reply, rating="dissatisfied",
                                 comments="问题没有解决", on=WORKFLOW_FEEDBACK_ON)
    assert Proposal.objects.get(pk=proposal.pk).status == P.ASSIGNED
    assert lead_assignment(proposal).status == A.REHANDLING


def test_dissatisfied_needs_a_reason(cast):
    proposal, reply = replied(cast)
    with pytest.raises(InvalidInput) as error:
        reply_services.feedback_give(actor=cast.proposer_user, reply=reply, rating="dissatisfied", comments="  ",
                                     on=WORKFLOW_FEEDBACK_ON)
    assert error.value.field == "comments"
    with pytest.raises(InvalidInput):  # 未表态 is recorded by the tracker, not given
        reply_services.feedback_give(actor=cast.proposer_user, reply=reply, rating="not_rated",
                                     on=WORKFLOW_FEEDBACK_ON)
    assert not Feedback.objects.exists()


def test_the_window_closes_with_who_did_not_rate_recorded_as_not_rated(cast):
    from django.core.management import call_command

    proposal, reply = replied(cast, proposers=[cast.proposer, cast.other_proposer])
    reply_services.feedback_give(actor=cast.proposer_user, reply=reply, rating="satisfied", on=WORKFLOW_FEEDBACK_ON)
    call_command("close_feedback_windows", on=FEEDBACK_DUE.isoformat(), stdout=None)
    assert Proposal.objects.get(pk=proposal.pk).status == P.REPLIED  # the last day still counts
    call_command("close_feedback_windows", on=(FEEDBACK_DUE + datetime.timedelta(days=1)).isoformat())
    proposal.refresh_from_db()
    assert (proposal.status, proposal.closed_on) == (P.CLOSED, FEEDBACK_DUE + datetime.timedelta(days=1))
    silent = Feedback.objects.get(proposer=cast.other_proposer)
    assert (silent.rating, silent.given_on, silent.recorded_by) == ("not_rated", FEEDBACK_DUE, None)
    event = Event.objects.get(proposal=proposal, action="feedback_closed")
    assert event.data["not_rated"] == [cast.other_proposer.pk]


def test_a_draft_cannot_be_rated(cast):
    lead = assignment_at(cast, A.ACKNOWLEDGED)
    draft = reply_drafted(cast, lead)
    with pytest.raises(TransitionNotAllowed):
        reply_services.feedback_give(actor=cast.proposer_user, reply=draft, rating="satisfied",
                                     on=WORKFLOW_FEEDBACK_ON)


# --- 8. Closing ---------------------------------------------------------------------------------------

def test_close_is_refused_while_the_feedback_window_is_open(cast):
    proposal, _ = replied(cast)
    events = Event.objects.count()
    with pytest.raises(TransitionNotAllowed):
        reply_services.proposal_close(actor=cast.staff, proposal=proposal, on=FEEDBACK_DUE)
    assert Proposal.objects.get(pk=proposal.pk).status == P.REPLIED
    assert Event.objects.count() == events


def test_close_once_the_feedback_window_has_passed(cast):
    proposal, _ = replied(cast)
    after = FEEDBACK_DUE + datetime.timedelta(days=1)
    reply_services.proposal_close(actor=cast.staff, proposal=proposal, on=after)
    proposal.refresh_from_db()
    assert (proposal.status, proposal.closed_on) == (P.CLOSED, after)
    event = Event.objects.get(proposal=proposal, action="close", assignment__isnull=True)
    assert (event.actor, event.from_status, event.to_status) == (cast.staff, P.REPLIED, P.CLOSED)
    assert lead_assignment(proposal).status == A.CLOSED
    assert Feedback.objects.get(proposer=cast.proposer).rating == "not_rated"


def test_close_is_refused_before_every_agency_replied(cast):
    proposal = proposal_at(cast, P.FILED)
    services.proposal_assign(actor=cast.staff, proposal=proposal, separate=[cast.agency, cast.other_agency],
                             assigned_on=WORKFLOW_ASSIGNED_ON)
    first = proposal.assignments.get(agency=cast.agency)
    services.assignment_acknowledge(actor=cast.staff, assignment=first, on=WORKFLOW_ACKNOWLEDGED_ON)
    reply_sent(cast, first)
    with pytest.raises(TransitionNotAllowed):
        reply_services.proposal_close(actor=cast.staff, proposal=proposal, on=datetime.date(2024, 12, 31))


def test_separate_replies_each_need_a_rating_or_an_expired_window(cast):
    proposal = proposal_at(cast, P.FILED)
    services.proposal_assign(actor=cast.staff, proposal=proposal, separate=[cast.agency, cast.other_agency],
                             assigned_on=WORKFLOW_ASSIGNED_ON)
    first, second = proposal.assignments.order_by("id")
    for assignment in (first, second):
        services.assignment_acknowledge(actor=cast.staff, assignment=assignment, on=WORKFLOW_ACKNOWLEDGED_ON)
    early = reply_sent(cast, first, on=datetime.date(2024, 4, 1))  # window ends 2024-04-23
    late = reply_sent(cast, second, on=datetime.date(2024, 5, 6))  # window ends 2024-05-24

    reply_services.feedback_give(actor=cast.proposer_user, reply=late, rating="satisfied",
                                 on=datetime.date(2024, 5, 7))
    # The first reply's window has passed without a rating, the second is rated 满意: closed.
    assert Proposal.objects.get(pk=proposal.pk).status == P.CLOSED
    assert Feedback.objects.get(reply=early).rating == "not_rated"


def test_a_satisfied_rating_of_one_separate_reply_waits_for_the_other(cast):
    proposal = proposal_at(cast, P.FILED)
    services.proposal_assign(actor=cast.staff, proposal=proposal, separate=[cast.agency, cast.other_agency],
                             assigned_on=WORKFLOW_ASSIGNED_ON)
    first, second = proposal.assignments.order_by("id")
    for assignment in (first, second):
        services.assignment_acknowledge(actor=cast.staff, assignment=assignment, on=WORKFLOW_ACKNOWLEDGED_ON)
    reply_one = reply_sent(cast, first)
    reply_sent(cast, second)
    reply_services.feedback_give(actor=cast.proposer_user, reply=reply_one, rating="satisfied",
                                 on=WORKFLOW_FEEDBACK_ON)
    assert Proposal.objects.get(pk=proposal.pk).status == P.REPLIED
