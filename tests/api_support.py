"""What the API tests share: a client per role and one small world of proposals in every
state that visibility tells apart, built through the services (tests/factories.py)."""
from __future__ import annotations

import dataclasses
import datetime

from rest_framework.test import APIClient

from proposals import services
from proposals.models import Assignment, ContactLog, Proposal
from replies import services as reply_services
from replies.models import Reply
from tests.factories import (
    WORKFLOW_ACKNOWLEDGED_ON,
    WORKFLOW_FEEDBACK_ON,
    WORKFLOW_REPLIED_ON,
    Cast,
    lead_assignment,
    make_cast,
    proposal_at,
    reply_drafted,
)

P = Proposal.Status
ROLES = ["anonymous", "plain", "proposer", "other_proposer", "liaison", "co_liaison", "other_liaison", "staff"]


def client_for(user=None) -> APIClient:
    client = APIClient()
    if user is not None and user.is_authenticated:
        client.force_authenticate(user)
    return client


def results(response) -> list[dict]:
    assert response.status_code == 200, response.content
    return response.json()["results"]


def ids(response) -> list[int]:
    return [row["id"] for row in results(response)]


@dataclasses.dataclass
class World:
    """One session with a proposal in each state that someone may or may not see."""

    cast: Cast
    draft: Proposal  # the proposer's draft
    submitted: Proposal  # submitted, not yet reviewed
    assigned: Proposal  # assigned to cast.agency (lead) and cast.co_agency (co); lead drafting a reply
    public: Proposal  # replied, reply published with 主动公开, rated 满意 -> closed
    private: Proposal  # replied, reply 不予公开 (submitted, never published)
    lead: Assignment  # of ``assigned``
    co: Assignment  # of ``assigned``
    draft_reply: Reply  # the lead's draft on ``assigned``
    public_reply: Reply
    private_reply: Reply
    contact: ContactLog  # the lead agency's contact on ``assigned``
    public_feedback: object  # the proposer's 满意 on ``public_reply``

    def user(self, role: str):
        return self.cast.actor(role)


def build_world(cast: Cast | None = None) -> World:
    cast = cast or make_cast()
    cast.proposer.phone = "13800000000"
    cast.proposer.email = "member@example.org"
    cast.proposer.save()
    staff = cast.staff
    draft = proposal_at(cast, P.DRAFT)
    submitted = proposal_at(cast, P.SUBMITTED)
    assigned = proposal_at(cast, P.ASSIGNED, co=True)
    lead = lead_assignment(assigned)
    co = assigned.assignments.get(role=Assignment.Role.CO)
    services.assignment_acknowledge(actor=cast.liaison, assignment=lead, on=WORKFLOW_ACKNOWLEDGED_ON)
    draft_reply = reply_drafted(cast, lead, actor=cast.liaison, internal_note="内部备注:领导批示")
    contact = services.contact_record(actor=cast.liaison, assignment=lead, stage="before", form="phone",
                                      date=datetime.date(2024, 3, 6), note="电话沟通")

    public = proposal_at(cast, P.REPLIED)
    public_reply = Reply.objects.get(assignment__proposal=public)
    reply_services.reply_publish(actor=staff, reply=public_reply, on=WORKFLOW_REPLIED_ON)
    public_feedback = reply_services.feedback_give(actor=staff, reply=public_reply, proposer=cast.proposer,
                                                   rating="satisfied", on=WORKFLOW_FEEDBACK_ON)

    private = proposal_at(cast, P.ASSIGNED)
    private_lead = lead_assignment(private)
    services.assignment_acknowledge(actor=cast.liaison, assignment=private_lead, on=WORKFLOW_ACKNOWLEDGED_ON)
    private_reply = reply_drafted(cast, private_lead, disclosure="not_public", disclosure_reason="涉及个人信息")
    reply_services.reply_submit(actor=staff, reply=private_reply, on=WORKFLOW_REPLIED_ON)

    fresh = {name: Proposal.objects.get(pk=p.pk) for name, p in
             dict(draft=draft, submitted=submitted, assigned=assigned, public=public, private=private).items()}
    return World(cast=cast, lead=Assignment.objects.get(pk=lead.pk), co=co,
                 draft_reply=Reply.objects.get(pk=draft_reply.pk), public_reply=Reply.objects.get(pk=public_reply.pk),
                 private_reply=Reply.objects.get(pk=private_reply.pk), contact=contact,
                 public_feedback=public_feedback, **fresh)


def bulk_proposals(n: int, cast: Cast | None = None) -> Cast:
    """``n`` assigned proposals written in bulk (for query counts): two proposers, a lead and a
    co-handler, a submitted reply with feedback, a contact and an event each."""
    from django.utils import timezone

    from proposals.models import Event, ProposalProposer
    from proposals.naturalsort import natural_sort_key
    from replies.models import Feedback

    cast = cast or make_cast()
    session, day = cast.session, datetime.date(2024, 3, 4)
    proposals = Proposal.objects.bulk_create([
        Proposal(session=session, number=str(1000 + i), number_sort=natural_sort_key(str(1000 + i)),
                 title=f"关于第{i}项工作的提案", status=P.REPLIED, submitted_on=day, search_text=f"第{i}项",
                 answered_publicly=True)
        for i in range(n)])
    ProposalProposer.objects.bulk_create(
        [ProposalProposer(proposal=p, proposer=cast.proposer, position=0) for p in proposals]
        + [ProposalProposer(proposal=p, proposer=cast.other_proposer, position=1) for p in proposals])
    leads = Assignment.objects.bulk_create([
        Assignment(proposal=p, agency=cast.agency, role="lead", status="replied", assigned_on=day, due_on=day,
                   replied_on=day, due_explanation={}) for p in proposals])
    Assignment.objects.bulk_create([
        Assignment(proposal=p, agency=cast.co_agency, role="co", status="replied", assigned_on=day, due_on=day,
                   due_explanation={}) for p in proposals])
    replies = Reply.objects.bulk_create([
        Reply(assignment=a, kind="reply", status="published", title="答复", body="正文", classification="A",
              disclosure="public") for a in leads])
    Feedback.objects.bulk_create([
        Feedback(reply=r, proposer=cast.proposer, rating="satisfied", given_on=day) for r in replies])
    ContactLog.objects.bulk_create([
        ContactLog(assignment=a, stage="before", form="phone", date=day, recorded_by=cast.liaison) for a in leads])
    Event.objects.bulk_create([
        Event(proposal=p, action="create", actor=cast.staff, at=timezone.now()) for p in proposals])
    return cast
