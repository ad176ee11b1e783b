"""Review and key proposals at their edges (issue 8): only a proposal that is handled can be a
key proposal; 并案 only into a proposal that will be handled, never in chains, and a proposal
with proposals merged into it stays on the road to an answer."""
import pytest

from proposals import services
from proposals.models import Event, Proposal
from proposals.services import InvalidInput, TransitionNotAllowed
from tests.factories import make_cast, proposal_at

P = Proposal.Status
pytestmark = pytest.mark.django_db


@pytest.fixture
def cast():
    return make_cast()


@pytest.mark.parametrize("status", [P.DRAFT, P.SUBMITTED, P.WITHDRAWN, P.NOT_FILED, P.CONVERTED, P.MERGED])
def test_only_a_handled_proposal_can_be_a_key_proposal(cast, status):
    proposal = proposal_at(cast, status)
    with pytest.raises(TransitionNotAllowed):
        services.proposal_mark_key(actor=cast.staff, proposal=proposal, leader="王主席")
    assert not Proposal.objects.get(pk=proposal.pk).is_key
    assert not Event.objects.filter(proposal=proposal, action="mark_key").exists()


@pytest.mark.parametrize("status", [P.FILED, P.ASSIGNED, P.REPLIED, P.CLOSED])
def test_a_filed_proposal_can_be_marked_and_unmarked(cast, status):
    proposal = proposal_at(cast, status)
    services.proposal_mark_key(actor=cast.staff, proposal=proposal, leader="王主席")
    assert Proposal.objects.get(pk=proposal.pk).is_key
    services.proposal_mark_key(actor=cast.staff, proposal=proposal, is_key=False)
    assert not Proposal.objects.get(pk=proposal.pk).is_key


@pytest.mark.parametrize("target_status", [P.SUBMITTED, P.DRAFT, P.WITHDRAWN, P.NOT_FILED, P.CONVERTED, P.MERGED])
def test_merge_only_into_a_proposal_that_will_be_handled(cast, target_status):
    proposal = proposal_at(cast, P.SUBMITTED)
    target = proposal_at(cast, target_status)
    with pytest.raises(InvalidInput) as refused:
        services.proposal_merge(actor=cast.staff, proposal=proposal, into=target)
    assert refused.value.field == "into"
    assert Proposal.objects.get(pk=proposal.pk).status == P.SUBMITTED


def test_no_chains_and_a_target_stays_on_the_road(cast):
    target = proposal_at(cast, P.FILED)
    merged = proposal_at(cast, P.SUBMITTED)
    services.proposal_merge(actor=cast.staff, proposal=merged, into=target, reason="内容相近")
    elsewhere = proposal_at(cast, P.FILED)
    # The target cannot itself be merged away (a chain), refused, converted or withdrawn.
    with pytest.raises(TransitionNotAllowed):
        services.proposal_merge(actor=cast.staff, proposal=target, into=elsewhere)
    with pytest.raises(TransitionNotAllowed):
        services.proposal_withdraw(actor=cast.staff, proposal=target, reason="撤回")
    submitted_target = proposal_at(cast, P.FILED)
    services.proposal_merge(actor=cast.staff, proposal=proposal_at(cast, P.SUBMITTED), into=submitted_target)
    assert Proposal.objects.get(pk=target.pk).status == P.FILED
    # A merged proposal is not a target either.
    with pytest.raises(InvalidInput):
        services.proposal_merge(actor=cast.staff, proposal=proposal_at(cast, P.SUBMITTED), into=merged)
