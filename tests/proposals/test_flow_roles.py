"""Who may take each step (proposals.roles): every step × every role.

Roles: the proposal committee's staff, the liaison of the agency the proposal is assigned to,
another agency's liaison, the proposal's proposer, another proposer, a logged-in user with no
role, and an anonymous visitor. A refused step raises ActionForbidden and changes nothing.
"""
import datetime

import pytest

from proposals import services
from proposals.models import Assignment, ContactLog, Event, Proposal, SupervisionLog
from proposals.services import ActionForbidden
from replies import services as reply_services
from replies.models import Feedback, Reply
from tests.factories import (
    WORKFLOW_ACKNOWLEDGED_ON,
    WORKFLOW_AFTER_FEEDBACK_WINDOW,
    WORKFLOW_FEEDBACK_ON,
    assignment_at,
    lead_assignment,
    make_cast,
    proposal_at,
    reply_drafted,
    reply_sent,
)

P = Proposal.Status
A = Assignment.Status
ROLES = ["staff", "liaison", "other_liaison", "proposer", "other_proposer", "plain", "anonymous"]

STAFF = {"staff"}
AGENCY = {"staff", "liaison"}
PROPOSER = {"staff", "proposer"}

# step -> the roles that may take it (domain.md: the proposal committee reviews, assigns,
# decides, extends, publishes and closes; the agency answers; the proposer writes and rates).
ALLOWED = {
    "proposal_create": PROPOSER,
    "proposal_update": PROPOSER,
    "proposal_submit": PROPOSER,
    "proposal_withdraw": PROPOSER,
    "proposal_file": STAFF,
    "proposal_reject": STAFF,
    "proposal_convert": STAFF,
    "proposal_merge": STAFF,
    "proposal_assign": STAFF,
    "proposal_mark_key": STAFF,
    "supervision_record": STAFF,
    "proposal_close": STAFF,
    "assignment_acknowledge": AGENCY,
    "assignment_object": AGENCY,
    "assignment_decide_objection": STAFF,
    "assignment_extend": STAFF,
    "contact_record": AGENCY,
    "reply_create": AGENCY,
    "reply_update": AGENCY,
    "reply_submit": AGENCY,
    "reply_publish": STAFF,
    "feedback_give": PROPOSER,
    # Issue 8: the committee changes who handles what; the agency asks for time, staff decide.
    "assignment_swap_with_lead": STAFF,
    "assignment_add_co": STAFF,
    "assignment_drop_co": STAFF,
    "extension_request": AGENCY,
    "extension_request_approve": STAFF,
    "extension_request_refuse": STAFF,
    # Corrections of what a person typed wrong: staff only.
    "assignment_correct_date": STAFF,
    "assignment_correct_agency": STAFF,
    "assignment_recompute_deadline": STAFF,
    "proposal_correct_number": STAFF,
    # Co-signing: the drafter (or staff) invites; only the invited member answers.
    "cosign_invite": PROPOSER,
    "cosign_accept": {"other_proposer"},
    "cosign_decline": {"other_proposer"},
    # Issue 11: 催办 is the committee's.
    "assignment_urge": STAFF,
    "assignment_urge_many": STAFF,
}


def _prepare(step, cast):
    """The object the step acts on, in a state where the step is allowed for the right role.
    Returns (run(actor), what to re-read to prove nothing changed)."""
    if step == "proposal_create":
        def run(actor):
            services.proposal_create(actor=actor, session=cast.session, title="关于加强社区养老服务的提案",
                                     proposers=[cast.proposer])
        return run, lambda: list(Proposal.objects.values_list("pk", flat=True))
    if step == "proposal_update":
        proposal = proposal_at(cast, P.DRAFT)
        return (lambda actor: services.proposal_update(actor=actor, proposal=proposal, title="关于加强养老服务的提案")), (
            lambda: Proposal.objects.values_list("title", flat=True).get(pk=proposal.pk))
    if step == "proposal_submit":
        proposal = proposal_at(cast, P.DRAFT)
        return (lambda actor: services.proposal_submit(actor=actor, proposal=proposal)), _status(proposal)
    if step == "proposal_withdraw":
        proposal = proposal_at(cast, P.SUBMITTED)
        return (lambda actor: services.proposal_withdraw(actor=actor, proposal=proposal)), _status(proposal)
    if step in ("proposal_file", "proposal_reject", "proposal_convert"):
        proposal = proposal_at(cast, P.SUBMITTED)
        fn = getattr(services, step)
        kwargs = {} if step == "proposal_file" else {"reason": "理由"}
        return (lambda actor: fn(actor=actor, proposal=proposal, **kwargs)), _status(proposal)
    if step == "proposal_merge":
        proposal, target = proposal_at(cast, P.SUBMITTED), proposal_at(cast, P.FILED)
        return (lambda actor: services.proposal_merge(actor=actor, proposal=proposal, into=target)), _status(proposal)
    if step == "proposal_assign":
        proposal = proposal_at(cast, P.FILED)
        return (lambda actor: services.proposal_assign(actor=actor, proposal=proposal, lead=cast.agency,
                                                       assigned_on=datetime.date(2024, 3, 4))), _status(proposal)
    if step == "proposal_mark_key":
        proposal = proposal_at(cast, P.FILED)
        return (lambda actor: services.proposal_mark_key(actor=actor, proposal=proposal, leader="王副主席")), (
            lambda: Proposal.objects.values_list("is_key", "supervising_leader").get(pk=proposal.pk))
    if step == "supervision_record":
        proposal = proposal_at(cast, P.ASSIGNED)
        proposal = services.proposal_mark_key(actor=cast.staff, proposal=proposal, leader="王副主席")
        return (lambda actor: services.supervision_record(actor=actor, proposal=proposal, note="实地督办")), (
            lambda: SupervisionLog.objects.count())
    if step == "proposal_close":
        proposal = proposal_at(cast, P.REPLIED)
        return (lambda actor: reply_services.proposal_close(actor=actor, proposal=proposal,
                                                      on=WORKFLOW_AFTER_FEEDBACK_WINDOW)), _status(proposal)
    if step in ("assignment_acknowledge", "assignment_object", "assignment_extend"):
        assignment = assignment_at(cast, A.ASSIGNED)
        kwargs = {
            "assignment_acknowledge": {"on": WORKFLOW_ACKNOWLEDGED_ON},
            "assignment_object": {"reason": "不属于本单位职责", "on": WORKFLOW_ACKNOWLEDGED_ON},
            "assignment_extend": {"new_due_on": datetime.date(2024, 8, 1), "reason": "情况复杂"},
        }[step]
        fn = getattr(services, step)
        return (lambda actor: fn(actor=actor, assignment=assignment, **kwargs)), _row(assignment)
    if step == "assignment_decide_objection":
        assignment = assignment_at(cast, A.OBJECTED)
        return (lambda actor: services.assignment_decide_objection(
            actor=actor, assignment=assignment, uphold=False, note="维持交办")), _row(assignment)
    if step == "contact_record":
        assignment = assignment_at(cast, A.ACKNOWLEDGED)
        return (lambda actor: services.contact_record(actor=actor, assignment=assignment, stage="before",
                                                      form="phone", date=datetime.date(2024, 3, 6))), (
            lambda: ContactLog.objects.count())
    if step == "reply_create":
        assignment = assignment_at(cast, A.ACKNOWLEDGED)
        return (lambda actor: reply_drafted(cast, assignment, actor=actor)), lambda: Reply.objects.count()
    if step == "reply_update":
        reply = reply_drafted(cast, assignment_at(cast, A.ACKNOWLEDGED))
        return (lambda actor: reply_services.reply_update(actor=actor, reply=reply, body="修改后的答复")), (
            lambda: Reply.objects.values_list("body", flat=True).get(pk=reply.pk))
    if step == "reply_submit":
        reply = reply_drafted(cast, assignment_at(cast, A.ACKNOWLEDGED))
        return (lambda actor: reply_services.reply_submit(actor=actor, reply=reply, on=datetime.date(2024, 5, 6))), (
            lambda: Reply.objects.values_list("status", flat=True).get(pk=reply.pk))
    if step == "reply_publish":
        reply = reply_sent(cast, assignment_at(cast, A.ACKNOWLEDGED))
        return (lambda actor: reply_services.reply_publish(actor=actor, reply=reply)), (
            lambda: Reply.objects.values_list("status", flat=True).get(pk=reply.pk))
    if step == "feedback_give":
        proposal = proposal_at(cast, P.REPLIED)
        reply = Reply.objects.get(assignment=lead_assignment(proposal))

        def run(actor):
            # The proposer rates as themselves; anyone else names the proposer (as staff recording it would).
            proposer = None if actor == cast.proposer_user else cast.proposer
            reply_services.feedback_give(actor=actor, reply=reply, rating="satisfied", proposer=proposer,
                                         on=WORKFLOW_FEEDBACK_ON)
        return run, lambda: Feedback.objects.count()
    if step in ("assignment_swap_with_lead", "assignment_add_co", "assignment_drop_co"):
        proposal = proposal_at(cast, P.ASSIGNED, co=True)
        lead, co = lead_assignment(proposal), proposal.assignments.get(role=Assignment.Role.CO)
        if step == "assignment_add_co":
            return (lambda actor: services.assignment_add_co(actor=actor, assignment=lead, agency=cast.spare_agency,
                                                             reason="涉及财政资金")), (
                lambda: list(proposal.assignments.values_list("pk", flat=True)))
        fn = getattr(services, step)
        return (lambda actor: fn(actor=actor, assignment=co, reason="调整")), _row(co)
    if step.startswith("extension_request"):
        assignment = assignment_at(cast, A.ACKNOWLEDGED)
        if step == "extension_request":
            return (lambda actor: services.extension_request(
                actor=actor, assignment=assignment, wanted_due_on=datetime.date(2024, 8, 1), reason="情况复杂")), (
                lambda: list(assignment.extension_requests.values()))
        request = services.extension_request(actor=cast.liaison, assignment=assignment,
                                             wanted_due_on=datetime.date(2024, 8, 1), reason="情况复杂")
        kwargs = {"note": "可按期完成"} if step == "extension_request_refuse" else {}
        fn = getattr(services, step)
        return (lambda actor: fn(actor=actor, extension_request=request, **kwargs)), (
            lambda: list(assignment.extension_requests.values()))
    if step.startswith("assignment_correct") or step == "assignment_recompute_deadline":
        assignment = assignment_at(cast, A.ACKNOWLEDGED)
        kwargs = {"assignment_correct_date": {"assigned_on": datetime.date(2024, 3, 11)},
                  "assignment_correct_agency": {"agency": cast.spare_agency}}.get(step, {})
        fn = getattr(services, step)
        return (lambda actor: fn(actor=actor, assignment=assignment, reason="录入错误", **kwargs)), _row(assignment)
    if step == "proposal_correct_number":
        proposal = proposal_at(cast, P.SUBMITTED)
        return (lambda actor: services.proposal_correct_number(actor=actor, proposal=proposal, number="9090",
                                                               reason="号码录错")), (
            lambda: Proposal.objects.values_list("number", flat=True).get(pk=proposal.pk))
    if step.startswith("cosign_"):
        proposal = services.proposal_create(actor=cast.proposer_user, session=cast.session, title="关于停车的提案",
                                            proposers=[cast.proposer],
                                            invite=[] if step == "cosign_invite" else [cast.other_proposer])
        if step == "cosign_invite":
            return (lambda actor: services.cosign_invite(actor=actor, proposal=proposal,
                                                         invitees=[cast.other_proposer])), (
                lambda: list(proposal.invitations.values_list("proposer", "status")))
        fn = getattr(services, step)
        return (lambda actor: fn(actor=actor, proposal=proposal)), (
            lambda: list(proposal.invitations.values_list("proposer", "status")))
    if step in ("assignment_urge", "assignment_urge_many"):
        assignment = assignment_at(cast, A.ACKNOWLEDGED)

        def run(actor):
            if step == "assignment_urge":
                services.assignment_urge(actor=actor, assignment=assignment, message="请抓紧办理")
            else:
                services.assignment_urge_many(actor=actor, assignments=[assignment], message="请抓紧办理")
        return run, lambda: list(assignment.events.filter(action="urge").values_list("pk", flat=True))
    raise AssertionError(step)  # pragma: no cover


def _status(proposal):
    return lambda: Proposal.objects.values_list("status", flat=True).get(pk=proposal.pk)


def _row(assignment):
    return lambda: Assignment.objects.values().get(pk=assignment.pk)


def test_every_service_has_a_role_expectation():
    from replies import services as replies_services_module

    steps = {name for name in services.__all__ if name[0].islower()} | {
        name for name in ("reply_create", "reply_update", "reply_submit", "reply_publish", "feedback_give")
        if hasattr(replies_services_module, name)}
    assert steps <= set(ALLOWED)


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("step", list(ALLOWED))
def test_who_may_take_each_step(step, role):
    cast = make_cast()
    run, snapshot = _prepare(step, cast)
    before, events = snapshot(), Event.objects.count()
    actor = cast.actor(role)

    if role in ALLOWED[step]:
        run(actor)
        assert snapshot() != before
        assert Event.objects.count() > events
    else:
        with pytest.raises(ActionForbidden):
            run(actor)
        assert snapshot() == before
        assert Event.objects.count() == events
