"""Who sees what (proposals.selectors, replies.selectors), for every role.

Staff see everything; a liaison sees its agency's proposals with their submitted replies and
co-handling opinions (never another agency's drafts); a proposer sees their own proposals
(and those they were merged into); anyone, even anonymous, sees only proposals answered by a
published, public reply, and only those replies.
"""
import datetime

import pytest

from proposals import services
from proposals.models import Assignment, Proposal
from proposals.selectors import (
    proposal_list,
    visible_assignments,
    visible_contacts,
    visible_events,
    visible_proposals,
    visible_proposers,
)
from replies import services as reply_services
from replies.selectors import reply_list, visible_feedback, visible_replies
from tests.factories import (
    WORKFLOW_ACKNOWLEDGED_ON,
    WORKFLOW_ASSIGNED_ON,
    WORKFLOW_FEEDBACK_ON,
    ProposerFactory,
    lead_assignment,
    make_cast,
    proposal_at,
    reply_drafted,
    reply_sent,
)

P = Proposal.Status
ROLES = ["staff", "liaison", "co_liaison", "other_liaison", "proposer", "other_proposer", "plain", "anonymous"]


class World:
    """Six proposals in the states that matter for visibility.

    - handled: the proposer's; lead = agency (draft reply, contact), co = co_agency (opinion submitted)
    - elsewhere: a third proposer's; lead = other_agency, which has only a draft
    - public: the third proposer's; answered by other_agency, published (主动公开), rated
    - confidential: the third proposer's; answered by other_agency, 不予公开, submitted
    - merged: the other proposer's, merged into confidential
    - draft: the proposer's draft
    """

    def __init__(self):
        self.cast = cast = make_cast()
        third = ProposerFactory(committee=cast.session.committee, name="民进某市委")
        self.third = third

        self.handled = proposal_at(cast, P.ASSIGNED, co=True)
        lead = lead_assignment(self.handled)
        co = self.handled.assignments.get(role=Assignment.Role.CO)
        for assignment in (lead, co):
            services.assignment_acknowledge(actor=cast.staff, assignment=assignment, on=WORKFLOW_ACKNOWLEDGED_ON)
        self.handled_draft = reply_drafted(cast, lead)
        self.opinion = reply_sent(cast, co, on=datetime.date(2024, 3, 20))
        self.contact = services.contact_record(actor=cast.liaison, assignment=lead, stage="before", form="phone",
                                               date=datetime.date(2024, 3, 6))

        self.elsewhere = self._assigned_to_other_agency(third)
        self.elsewhere_draft = reply_drafted(cast, lead_assignment(self.elsewhere))

        self.public = self._assigned_to_other_agency(third)
        self.public_reply = reply_sent(cast, lead_assignment(self.public))
        reply_services.reply_publish(actor=cast.staff, reply=self.public_reply)
        # Recorded by staff for the third proposer, 基本满意, which closes it.
        self.feedback = reply_services.feedback_give(actor=cast.staff, reply=self.public_reply, proposer=third,
                                                     rating="basically", on=WORKFLOW_FEEDBACK_ON)

        self.confidential = proposal_at(cast, P.FILED, proposers=[third])
        self.merged = proposal_at(cast, P.SUBMITTED, proposers=[cast.other_proposer])
        services.proposal_merge(actor=cast.staff, proposal=self.merged, into=self.confidential)
        services.proposal_assign(actor=cast.staff, proposal=self.confidential, lead=cast.other_agency,
                                 assigned_on=WORKFLOW_ASSIGNED_ON)
        confidential_lead = lead_assignment(self.confidential)
        services.assignment_acknowledge(actor=cast.staff, assignment=confidential_lead, on=WORKFLOW_ACKNOWLEDGED_ON)
        self.confidential_reply = reply_sent(cast, confidential_lead, disclosure="not_public",
                                             disclosure_reason="涉及个人隐私")

        self.draft = proposal_at(cast, P.DRAFT)

    def _assigned_to_other_agency(self, proposer):
        proposal = proposal_at(self.cast, P.FILED, proposers=[proposer])
        services.proposal_assign(actor=self.cast.staff, proposal=proposal, lead=self.cast.other_agency,
                                 assigned_on=WORKFLOW_ASSIGNED_ON)
        services.assignment_acknowledge(actor=self.cast.staff, assignment=lead_assignment(proposal),
                                        on=WORKFLOW_ACKNOWLEDGED_ON)
        return proposal

    def names(self, objects, kinds):
        """The world's names of ``objects`` among the attributes named in ``kinds``."""
        by_pk = {getattr(self, name).pk: name for name in kinds}
        return {by_pk.get(obj.pk, f"unexpected:{obj.pk}") for obj in objects}


@pytest.fixture
def world(db):
    return World()


PROPOSALS = ["handled", "elsewhere", "public", "confidential", "merged", "draft"]
REPLIES = ["handled_draft", "opinion", "elsewhere_draft", "public_reply", "confidential_reply"]
ALL = object()

EXPECTED_PROPOSALS = {
    "staff": set(PROPOSALS),
    "liaison": {"handled", "public"},
    "co_liaison": {"handled", "public"},
    "other_liaison": {"elsewhere", "public", "confidential"},
    "proposer": {"handled", "draft", "public"},
    "other_proposer": {"merged", "confidential", "public"},
    "plain": {"public"},
    "anonymous": {"public"},
}
EXPECTED_REPLIES = {
    "staff": set(REPLIES),
    # its own draft, the co-handler's submitted opinion, and what is public; not another agency's draft
    "liaison": {"handled_draft", "opinion", "public_reply"},
    "co_liaison": {"opinion", "public_reply"},
    "other_liaison": {"elsewhere_draft", "public_reply", "confidential_reply"},
    "proposer": {"public_reply"},  # the handled proposal has no submitted reply yet; opinions go to the lead
    "other_proposer": {"public_reply", "confidential_reply"},  # the reply to the proposal theirs was merged into
    "plain": {"public_reply"},
    "anonymous": {"public_reply"},
}


EXPECTED_CONTACTS = {"staff": True, "liaison": True, "proposer": True}
EXPECTED_EVENTS = {
    "staff": set(PROPOSALS),
    "liaison": {"handled"},
    "co_liaison": {"handled"},
    "other_liaison": {"elsewhere", "public", "confidential"},
    "proposer": {"handled", "draft"},
    "other_proposer": {"merged", "confidential"},
    "plain": set(),
    "anonymous": set(),
}


def _seen(world, role):
    """What each selector shows ``role``, next to what it should show."""
    cast, user = world.cast, world.cast.actor(role)
    visible = EXPECTED_PROPOSALS[role]
    signers = {"handled": {cast.proposer}, "draft": {cast.proposer}, "merged": {cast.other_proposer},
               "elsewhere": {world.third}, "public": {world.third}, "confidential": {world.third}}
    return {
        "visible_proposals": (world.names(visible_proposals(user), PROPOSALS), visible),
        "proposal_list": (world.names(proposal_list(user=user), PROPOSALS), visible),
        "visible_replies": (world.names(visible_replies(user), REPLIES), EXPECTED_REPLIES[role]),
        "reply_list": (world.names(reply_list(user=user), REPLIES), EXPECTED_REPLIES[role]),
        # assignments follow the proposals (a lead sees its co-handlers)
        "visible_assignments": (set(visible_assignments(user)),
                                set(Assignment.objects.filter(proposal__in=[getattr(world, n) for n in visible]))),
        "visible_contacts": (list(visible_contacts(user)), [world.contact] if EXPECTED_CONTACTS.get(role) else []),
        "visible_events": (world.names(Proposal.objects.filter(events__in=visible_events(user)).distinct(),
                                       PROPOSALS), EXPECTED_EVENTS[role]),
        # names of the proposers who sign what the user sees; staff see every proposer
        "visible_proposers": (set(visible_proposers(user)),
                              set(type(cast.proposer).objects.all()) if role == "staff"
                              else set().union(*(signers[name] for name in visible))),
        # a rating is seen by staff and the agency rated (the third proposer has no login)
        "visible_feedback": (list(visible_feedback(user)),
                             [world.feedback] if role in ("staff", "other_liaison") else []),
    }


@pytest.mark.parametrize("role", ROLES)
def test_what_each_role_sees(world, role):
    wrong = {selector: {"seen": seen, "expected": expected}
             for selector, (seen, expected) in _seen(world, role).items() if seen != expected}
    assert wrong == {}


def test_anonymous_never_sees_a_draft(world):
    anonymous = world.cast.anonymous
    assert not visible_proposals(anonymous).filter(status=P.DRAFT).exists()
    assert not visible_replies(anonymous).filter(status="draft").exists()
    assert not visible_replies(anonymous).exclude(status="published").exists()
