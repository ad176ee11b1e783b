"""Who co-signs is public with the proposal; who was invited and declined is not (proposals.
visibility.invitation_visible): staff, the proposal's proposers and the invitee read the
invitations; a withdrawn draft's open invitations end."""
import pytest

from proposals import services
from proposals.models import CoSignInvitation, Proposal
from proposals.services import cosigning
from tests.api_support import client_for
from tests.factories import ProposerFactory, make_cast, quick_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def declined():
    cast = make_cast()
    drafter = cast.proposer
    guest_user = quick_user("guest")
    guest = ProposerFactory(committee=cast.session.committee, user=guest_user, name="拒绝者")
    proposal = services.proposal_create(actor=cast.proposer_user, session=cast.session, title="关于停车的提案",
                                        proposers=[drafter], invite=[guest, cast.other_proposer])
    cosigning.cosign_decline(actor=guest_user, proposal=proposal)
    cosigning.cosign_accept(actor=cast.other_proposer_user, proposal=proposal)
    return cast, proposal, guest_user


def _names(user, proposal):
    response = client_for(user).get(f"/api/proposals/{proposal.pk}/")
    if response.status_code != 200:
        return None
    return {row["proposer"]["name"]: row["status"] for row in response.json()["invitations"]}


def test_who_declined_is_not_told_to_everyone(declined):
    cast, proposal, guest_user = declined
    assert _names(cast.staff, proposal) == {"拒绝者": "declined", cast.other_proposer.name: "accepted"}
    assert _names(cast.proposer_user, proposal)["拒绝者"] == "declined"
    assert _names(cast.other_proposer_user, proposal)["拒绝者"] == "declined"  # a co-signer now
    # Published later: anyone sees the proposal and its proposers, not the invitations.
    Proposal.objects.filter(pk=proposal.pk).update(answered_publicly=True)
    assert _names(None, proposal) == {}
    assert _names(cast.liaison, proposal) == {}


def test_withdrawing_a_draft_ends_its_open_invitations():
    cast = make_cast()
    proposal = services.proposal_create(actor=cast.proposer_user, session=cast.session, title="关于停车的提案",
                                        proposers=[cast.proposer], invite=[cast.other_proposer])
    services.proposal_withdraw(actor=cast.proposer_user, proposal=proposal, reason="不再提交")
    assert CoSignInvitation.objects.get(proposal=proposal).status == CoSignInvitation.Status.EXPIRED
