"""Life of a proposal (domain.md), steps 1–3: submission, review, assignment and objections.
Each step is taken through its service and must leave an Event naming the actor and the move.
Handling and key proposals are in test_flow_handling.py; replies, feedback and closing in
tests/replies/."""
import datetime

import pytest

from proposals import services
from proposals.models import Assignment, Event, Proposal
from proposals.selectors import today, visible_proposals
from proposals.services import ActionForbidden, InvalidInput, TransitionNotAllowed
from proposals.services.cosigning import cosign_accept
from tests.factories import (
    WORKFLOW_ACKNOWLEDGED_ON,
    WORKFLOW_ASSIGNED_ON,
    SessionFactory,
    assignment_at,
    lead_assignment,
    make_cast,
    proposal_at,
    reply_drafted,
    reply_sent,
)

P = Proposal.Status
A = Assignment.Status
pytestmark = pytest.mark.django_db



def last_event(obj, action):
    field = "assignment" if isinstance(obj, Assignment) else "proposal"
    return Event.objects.filter(**{field: obj, "action": action}).latest("id")


def assert_event(obj, action, actor, from_status, to_status):
    event = last_event(obj, action)
    assert (event.actor, event.from_status, event.to_status) == (actor, from_status, to_status)
    return event


# --- 1. Submission -----------------------------------------------------------------------------------

def test_proposer_drafts_and_submits_own_proposal(cast):
    proposal = services.proposal_create(actor=cast.proposer_user, session=cast.session, title=" 关于养老的提案 ",
                                        invite=[cast.other_proposer], number="0325")
    assert (proposal.status, proposal.title, proposal.number) == (P.DRAFT, "关于养老的提案", "0325")
    # Co-signing is an invitation (tests/proposals/test_cosigning.py): the co-signer signs on accepting.
    cosign_accept(actor=cast.other_proposer_user, proposal=proposal)
    assert [s.proposer for s in proposal.signatures.order_by("position")] == [cast.proposer, cast.other_proposer]
    assert proposal.signatures.get(position=0).is_lead
    assert_event(proposal, "create", cast.proposer_user, "", P.DRAFT)

    services.proposal_submit(actor=cast.proposer_user, proposal=proposal)
    proposal.refresh_from_db()
    assert (proposal.status, proposal.submitted_on) == (P.SUBMITTED, today())
    assert_event(proposal, "submit", cast.proposer_user, P.DRAFT, P.SUBMITTED)


def test_a_member_drafts_only_in_their_own_name(cast):
    with pytest.raises(ActionForbidden):
        services.proposal_create(actor=cast.proposer_user, session=cast.session, title="关于……的提案",
                                 proposers=[cast.other_proposer])
    assert not Proposal.objects.exists()


@pytest.mark.parametrize("kwargs, field", [
    ({"title": "  "}, "title"),
    ({"proposers": []}, "proposers"),
    ({"duplicate_proposer": True}, "proposers"),
    ({"foreign_proposer": True}, "proposers"),
    ({"number": "7"}, "number"),  # taken below
])
def test_create_refuses_bad_input_with_the_field(cast, kwargs, field):
    services.proposal_create(actor=cast.staff, session=cast.session, title="第7号", proposers=[cast.proposer],
                             number="7")
    args = {"title": "关于……的提案", "proposers": [cast.proposer]}
    if kwargs.pop("duplicate_proposer", False):
        args["proposers"] = [cast.proposer, cast.proposer]
    if kwargs.pop("foreign_proposer", False):
        args["proposers"] = [make_cast(SessionFactory()).proposer]
    args.update(kwargs)
    with pytest.raises(InvalidInput) as error:
        services.proposal_create(actor=cast.staff, session=cast.session, **args)
    assert error.value.field == field
    assert Proposal.objects.count() == 1


def test_numbers_continue_after_the_highest_plain_number(cast):
    for number in ("9", "10", "2025D048"):
        services.proposal_create(actor=cast.staff, session=cast.session, title="提案", proposers=[cast.proposer],
                                 number=number)
    proposal = services.proposal_create(actor=cast.staff, session=cast.session, title="提案",
                                        proposers=[cast.proposer])
    assert proposal.number == "11"


def test_withdraw_before_handling_cancels_every_open_assignment(cast):
    proposal = proposal_at(cast, P.ASSIGNED, co=True)
    lead = lead_assignment(proposal)
    services.assignment_acknowledge(actor=cast.liaison, assignment=lead, on=WORKFLOW_ACKNOWLEDGED_ON)
    reply_drafted(cast, lead)  # a draft is not yet an answer

    services.proposal_withdraw(actor=cast.proposer_user, proposal=proposal, reason="问题已解决")

    proposal.refresh_from_db()
    assert (proposal.status, proposal.next_due_on) == (P.WITHDRAWN, None)
    assert_event(proposal, "withdraw", cast.proposer_user, P.ASSIGNED, P.WITHDRAWN)
    assignments = {a.role: a for a in proposal.assignments.all()}
    assert {a.status for a in assignments.values()} == {A.CANCELLED}
    assert_event(assignments["lead"], "cancel", cast.proposer_user, A.ACKNOWLEDGED, A.CANCELLED)
    assert_event(assignments["co"], "cancel", cast.proposer_user, A.ASSIGNED, A.CANCELLED)


def test_withdraw_is_refused_once_an_agency_has_replied(cast):
    proposal = proposal_at(cast, P.FILED)
    services.proposal_assign(actor=cast.staff, proposal=proposal, separate=[cast.agency, cast.other_agency],
                             assigned_on=WORKFLOW_ASSIGNED_ON)
    first = proposal.assignments.get(agency=cast.agency)
    services.assignment_acknowledge(actor=cast.liaison, assignment=first, on=WORKFLOW_ACKNOWLEDGED_ON)
    reply_sent(cast, first)
    proposal.refresh_from_db()
    assert proposal.status == P.ASSIGNED  # the other agency has not answered yet
    events = Event.objects.count()

    with pytest.raises(TransitionNotAllowed):
        services.proposal_withdraw(actor=cast.proposer_user, proposal=proposal)
    proposal.refresh_from_db()
    assert proposal.status == P.ASSIGNED
    assert proposal.assignments.get(agency=cast.other_agency).status == A.ASSIGNED
    assert Event.objects.count() == events


def test_another_proposer_cannot_withdraw(cast):
    proposal = proposal_at(cast, P.SUBMITTED)
    with pytest.raises(ActionForbidden):
        services.proposal_withdraw(actor=cast.other_proposer_user, proposal=proposal)
    assert Proposal.objects.get(pk=proposal.pk).status == P.SUBMITTED


# --- 2. Review -----------------------------------------------------------------------------------------

def test_file(cast):
    proposal = services.proposal_file(actor=cast.staff, proposal=proposal_at(cast, P.SUBMITTED), note="符合立案标准")
    proposal.refresh_from_db()
    assert (proposal.status, proposal.filed_on, proposal.review_reason) == (P.FILED, today(), "符合立案标准")
    assert_event(proposal, "file", cast.staff, P.SUBMITTED, P.FILED)


@pytest.mark.parametrize("step, status", [("proposal_reject", P.NOT_FILED), ("proposal_convert", P.CONVERTED)])
def test_not_filed_and_converted_need_the_reason_the_proposer_is_told(cast, step, status):
    proposal = proposal_at(cast, P.SUBMITTED)
    with pytest.raises(InvalidInput) as error:
        getattr(services, step)(actor=cast.staff, proposal=proposal, reason="   ")
    assert error.value.field == "reason"
    assert Proposal.objects.get(pk=proposal.pk).status == P.SUBMITTED

    getattr(services, step)(actor=cast.staff, proposal=proposal, reason="属于个人诉求,转有关部门参考")
    proposal.refresh_from_db()
    assert (proposal.status, proposal.review_reason) == (status, "属于个人诉求,转有关部门参考")
    assert proposal.reviewed_at is not None
    event = assert_event(proposal, step.removeprefix("proposal_"), cast.staff, P.SUBMITTED, status)
    assert event.note == "属于个人诉求,转有关部门参考"


def test_merge_points_to_the_handled_proposal_and_both_stay_visible(cast):
    target = proposal_at(cast, P.FILED)
    merged = proposal_at(cast, P.SUBMITTED, proposers=[cast.other_proposer])

    services.proposal_merge(actor=cast.staff, proposal=merged, into=target, reason="内容相近,并案办理")

    merged.refresh_from_db()
    assert (merged.status, merged.merged_into) == (P.MERGED, target)
    assert_event(merged, "merge", cast.staff, P.SUBMITTED, P.MERGED)
    assert Proposal.objects.get(pk=target.pk).status == P.FILED
    assert {merged, target} <= set(visible_proposals(cast.staff))
    # The merged proposal's proposer follows the proposal that answers them.
    assert set(visible_proposals(cast.other_proposer_user)) == {merged, target}


def test_merge_refuses_an_impossible_target_with_the_field(cast):
    proposal = proposal_at(cast, P.SUBMITTED)
    draft = proposal_at(cast, P.DRAFT)
    withdrawn = proposal_at(cast, P.WITHDRAWN)
    elsewhere = proposal_at(make_cast(), P.FILED)
    for into in (proposal, draft, withdrawn, elsewhere):
        with pytest.raises(InvalidInput) as error:
            services.proposal_merge(actor=cast.staff, proposal=proposal, into=into)
        assert error.value.field == "into"
    assert Proposal.objects.get(pk=proposal.pk).status == P.SUBMITTED


# --- 3. Assignment -------------------------------------------------------------------------------------

def test_assign_to_a_lead_and_a_co_handler(cast):
    proposal = proposal_at(cast, P.FILED)
    services.proposal_assign(actor=cast.staff, proposal=proposal, lead=cast.agency, co=[cast.co_agency],
                             assigned_on=WORKFLOW_ASSIGNED_ON)

    proposal.refresh_from_db()
    assert proposal.status == P.ASSIGNED
    assert_event(proposal, "assigned", cast.staff, P.FILED, P.ASSIGNED)
    lead = proposal.assignments.get(role=Assignment.Role.LEAD)
    co = proposal.assignments.get(role=Assignment.Role.CO)
    assert (lead.agency, lead.status, lead.due_on) == (cast.agency, A.ASSIGNED, datetime.date(2024, 6, 4))
    # 2024-04-04 is a 清明 holiday: the period moves to the make-up working Sunday (issue 8).
    assert (co.agency, co.status, co.due_on) == (cast.co_agency, A.ASSIGNED, datetime.date(2024, 4, 7))
    assert lead.objection_due_on == datetime.date(2024, 3, 11)  # 5 working days
    assert lead.original_due_on == lead.due_on
    # The proposal's next deadline is the lead's reply, not the co-handler's opinion to the lead.
    assert proposal.next_due_on == lead.due_on
    for assignment in (lead, co):
        assert_event(assignment, "assign", cast.staff, "", A.ASSIGNED)


def test_assign_separately_gives_each_agency_its_own_reply_deadline(cast):
    proposal = proposal_at(cast, P.FILED)
    services.proposal_assign(actor=cast.staff, proposal=proposal, separate=[cast.agency, cast.other_agency],
                             assigned_on=WORKFLOW_ASSIGNED_ON)
    rows = proposal.assignments.order_by("id")
    assert [(a.agency, a.role, a.due_on) for a in rows] == [
        (cast.agency, Assignment.Role.SEPARATE, datetime.date(2024, 6, 4)),
        (cast.other_agency, Assignment.Role.SEPARATE, datetime.date(2024, 6, 4)),
    ]


@pytest.mark.parametrize("plan, field", [
    ({}, "lead"),
    ({"co": ["co_agency"]}, "lead"),
    ({"co": ["co_agency"], "separate": ["agency"]}, "co"),
    ({"lead": "agency", "separate": ["other_agency"]}, "separate"),
    ({"lead": "agency", "co": ["agency"]}, "co"),
    ({"separate": ["agency", "agency"]}, "separate"),
])
def test_assign_refuses_an_invalid_combination_with_the_field(cast, plan, field):
    proposal = proposal_at(cast, P.FILED)
    kwargs = {key: (getattr(cast, value) if isinstance(value, str) else [getattr(cast, v) for v in value])
              for key, value in plan.items()}
    events = Event.objects.count()
    with pytest.raises(InvalidInput) as error:
        services.proposal_assign(actor=cast.staff, proposal=proposal, assigned_on=WORKFLOW_ASSIGNED_ON, **kwargs)
    assert error.value.field == field
    assert Proposal.objects.get(pk=proposal.pk).status == P.FILED
    assert not Assignment.objects.exists()
    assert Event.objects.count() == events


def test_acknowledge(cast):
    assignment = assignment_at(cast, A.ASSIGNED)
    services.assignment_acknowledge(actor=cast.liaison, assignment=assignment, on=WORKFLOW_ACKNOWLEDGED_ON)
    assignment.refresh_from_db()
    assert (assignment.status, assignment.acknowledged_on) == (A.ACKNOWLEDGED, WORKFLOW_ACKNOWLEDGED_ON)
    assert_event(assignment, "acknowledge", cast.liaison, A.ASSIGNED, A.ACKNOWLEDGED)


@pytest.mark.parametrize("on", [WORKFLOW_ACKNOWLEDGED_ON, datetime.date(2024, 3, 11)], ids=["early", "last-day"])
def test_object_within_the_window(cast, on):
    assignment = assignment_at(cast, A.ASSIGNED)
    services.assignment_object(actor=cast.liaison, assignment=assignment, reason="属于市住建局职责", on=on)
    assignment.refresh_from_db()
    assert (assignment.status, assignment.objection_reason, assignment.objected_on) == (
        A.OBJECTED, "属于市住建局职责", on)
    event = assert_event(assignment, "object", cast.liaison, A.ASSIGNED, A.OBJECTED)
    assert event.note == "属于市住建局职责"


def test_object_after_the_window_is_refused(cast):
    assignment = assignment_at(cast, A.ACKNOWLEDGED)
    with pytest.raises(TransitionNotAllowed):
        services.assignment_object(actor=cast.liaison, assignment=assignment, reason="不属于本单位职责",
                                   on=datetime.date(2024, 3, 12))
    assert Assignment.objects.get(pk=assignment.pk).status == A.ACKNOWLEDGED


def test_object_needs_a_reason(cast):
    assignment = assignment_at(cast, A.ASSIGNED)
    with pytest.raises(InvalidInput) as error:
        services.assignment_object(actor=cast.liaison, assignment=assignment, reason=" ", on=WORKFLOW_ACKNOWLEDGED_ON)
    assert error.value.field == "reason"


def test_upheld_objection_reassigns_to_the_new_agency_with_fresh_deadlines(cast):
    old = assignment_at(cast, A.OBJECTED)
    decided_on = datetime.date(2024, 3, 8)
    services.assignment_decide_objection(actor=cast.staff, assignment=old, uphold=True, new_agency=cast.spare_agency,
                                         note="改由市住建局主办", on=decided_on)

    old.refresh_from_db()
    assert (old.status, old.objection_decision) == (A.REASSIGNED, Assignment.ObjectionDecision.UPHELD)
    event = assert_event(old, "decide_objection", cast.staff, A.OBJECTED, A.REASSIGNED)
    new = old.proposal.assignments.get(agency=cast.spare_agency)
    assert event.data["new_assignment"] == new.pk
    assert (new.role, new.status, new.assigned_on) == (Assignment.Role.LEAD, A.ASSIGNED, decided_on)
    # 3 months from the decision, not from the first assignment: Saturday 2024-06-08, moved past the
    # weekend and the 端午 holiday (06-10) to the next working day (issue 8).
    assert new.due_on == datetime.date(2024, 6, 11)
    assert new.objection_due_on == datetime.date(2024, 3, 15)
    proposal = Proposal.objects.get(pk=old.proposal_id)
    assert (proposal.status, proposal.next_due_on) == (P.ASSIGNED, new.due_on)


def test_upheld_objection_needs_a_new_agency_not_already_on_the_proposal(cast):
    proposal = proposal_at(cast, P.ASSIGNED, co=True)
    lead = lead_assignment(proposal)
    services.assignment_object(actor=cast.liaison, assignment=lead, reason="不属于本单位", on=WORKFLOW_ACKNOWLEDGED_ON)
    with pytest.raises(InvalidInput) as error:
        services.assignment_decide_objection(actor=cast.staff, assignment=lead, uphold=True)
    assert error.value.field == "new_agency"
    with pytest.raises(InvalidInput) as error:
        services.assignment_decide_objection(actor=cast.staff, assignment=lead, uphold=True, new_agency=cast.co_agency,
                                             note="改由会办单位主办")
    assert error.value.field == "new_agency"  # the input the client sent (issue 8)
    assert Assignment.objects.get(pk=lead.pk).status == A.OBJECTED
    assert proposal.assignments.count() == 2


def test_rejected_objection_sends_the_assignment_back_to_handling(cast):
    assignment = assignment_at(cast, A.OBJECTED)
    services.assignment_decide_objection(actor=cast.staff, assignment=assignment, uphold=False, note="职责明确,维持交办",
                                         on=datetime.date(2024, 3, 7))
    assignment.refresh_from_db()
    assert (assignment.status, assignment.objection_decision, assignment.objection_decision_note) == (
        A.ACKNOWLEDGED, Assignment.ObjectionDecision.REJECTED, "职责明确,维持交办")
    assert assignment.acknowledged_on == datetime.date(2024, 3, 7)
    assert_event(assignment, "decide_objection", cast.staff, A.OBJECTED, A.ACKNOWLEDGED)
    # The decision stands: the agency does not object a second time within the window.
    with pytest.raises(TransitionNotAllowed):
        services.assignment_object(actor=cast.liaison, assignment=assignment, reason="再次申请",
                                   on=datetime.date(2024, 3, 8))


def test_an_unknown_event_action_is_a_programming_error(db):
    from proposals.services.base import record_event
    from tests.factories import ProposalFactory

    with pytest.raises(ValueError):
        record_event(proposal=ProposalFactory(), action="no_such_action")
