"""The workspace's people and proposals: tests.factories.make_cast (one user per role around one
session), proposals brought to a state through the real services, and a client per role."""
import datetime

import pytest
from django.test import Client

from proposals import services
from proposals.selectors import today
from tests.factories import lead_assignment, make_cast, reply_sent


@pytest.fixture
def cast(db):
    return make_cast()


def client_of(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def member(cast):
    """The client of cast.proposer, who signs every proposal of the helpers below."""
    return client_of(cast.proposer_user)


@pytest.fixture
def other_member(cast):
    """The client of cast.other_proposer: a member of the same committee who signs nothing."""
    return client_of(cast.other_proposer_user)


def draft_of(cast, **fields):
    """A draft in cast.proposer's own name, as the member writes it (no co-signer yet)."""
    fields = {"title": "关于完善社区养老服务的提案", "body": "建议……", **fields}
    return services.proposal_create(actor=cast.proposer_user, session=cast.session, **fields)


def assigned_recently(cast, *, days_ago=10, co=False, proposers=None):
    """A proposal of cast.proposer assigned ``days_ago`` to cast.agency (and cast.co_agency),
    acknowledged: windows computed from recent dates, so that today's checks pass."""
    proposal = services.proposal_create(actor=cast.staff, session=cast.session, title="关于改善城区交通的提案",
                                        body="建议……", proposers=proposers or [cast.proposer])
    services.proposal_submit(actor=cast.staff, proposal=proposal)
    services.proposal_file(actor=cast.staff, proposal=proposal)
    services.proposal_assign(actor=cast.staff, proposal=proposal, lead=cast.agency,
                             co=[cast.co_agency] if co else [],
                             assigned_on=today() - datetime.timedelta(days=days_ago))
    services.assignment_acknowledge(actor=cast.liaison, assignment=lead_assignment(proposal))
    return type(proposal).objects.get(pk=proposal.pk)


def replied_today(cast, **kwargs):
    """(proposal, reply): the lead's reply sent today, its feedback window open."""
    proposal = assigned_recently(cast, **kwargs)
    reply = reply_sent(cast, lead_assignment(proposal), on=today())
    return type(proposal).objects.get(pk=proposal.pk), reply


FEEDBACK = {"contacted": "yes", "contact_forms": ["phone", "visit"], "answers": "yes", "attitude": "satisfied",
            "rating": "satisfied", "reason": "答复具体,措施可行。"}
