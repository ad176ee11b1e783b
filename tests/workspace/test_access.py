"""Who reaches which workspace page: members their own, anonymous visitors the login page,
logged-in users without a proposer a plain explanation; nobody another member's draft."""
import pytest
from django.test import Client
from django.urls import reverse

from proposals.models import Proposal
from tests.factories import quick_user
from tests.workspace.conftest import client_of, draft_of, replied_today

pytestmark = pytest.mark.django_db


def pages(proposal, reply):
    """Every workspace page that needs a login, with what its URL names."""
    return [
        reverse("workspace:proposals"),
        reverse("workspace:draft"),
        reverse("workspace:invitations"),
        reverse("workspace:proposal", args=[proposal.pk]),
        reverse("workspace:edit", args=[proposal.pk]),
        reverse("workspace:invite", args=[proposal.pk]),
        reverse("workspace:withdraw", args=[proposal.pk]),
        reverse("workspace:feedback", args=[reply.pk]),
    ]


@pytest.fixture
def things(cast):
    return draft_of(cast), replied_today(cast)[1]


def test_an_anonymous_visitor_is_sent_to_the_workspace_login(things):
    for url in pages(*things):
        response = Client().get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("workspace:login") + "?next="), url


@pytest.mark.parametrize("role", ["staff", "liaison", "plain"])
def test_a_user_who_is_not_a_proposer_gets_a_plain_explanation(cast, things, role):
    client = client_of(cast.actor(role))
    for url in pages(*things):
        response = client.get(url)
        assert response.status_code == 403, url
        text = response.content.decode()
        assert "委员工作台仅供提案人使用" in text, url
        assert "没有关联提案人" in text
    staff_page = client_of(cast.staff).get(reverse("workspace:proposals")).content.decode()
    assert "提案委员会工作人员" in staff_page and reverse("admin:index") in staff_page


def test_a_liaison_is_told_where_it_works(cast):
    text = client_of(cast.liaison).get(reverse("workspace:proposals")).content.decode()
    assert "承办单位联络员" in text


def test_the_member_reaches_every_page_of_their_own(member, things):
    draft, reply = things
    for url in pages(draft, reply):
        response = member.get(url)
        assert response.status_code == 200, url
        assert response["Content-Type"].startswith("text/html")


def test_another_member_cannot_see_my_draft(cast, other_member):
    draft = draft_of(cast)
    for name in ("proposal", "edit", "invite", "withdraw"):
        assert other_member.get(reverse(f"workspace:{name}", args=[draft.pk])).status_code == 404, name
    for name in ("submit", "withdraw"):
        assert other_member.post(reverse(f"workspace:{name}", args=[draft.pk])).status_code == 404, name
    assert draft.title not in other_member.get(reverse("workspace:proposals")).content.decode()
    assert Proposal.objects.get(pk=draft.pk).status == Proposal.Status.DRAFT


def test_another_member_cannot_rate_my_reply(cast, other_member):
    proposal, reply = replied_today(cast)
    assert other_member.get(reverse("workspace:feedback", args=[reply.pk])).status_code == 404
    assert other_member.post(reverse("workspace:feedback", args=[reply.pk]), {"rating": "satisfied"}).status_code == 404


def test_a_member_may_not_answer_an_invitation_they_did_not_get(cast, other_member):
    draft = draft_of(cast)
    assert other_member.post(reverse("workspace:accept", args=[draft.pk])).status_code == 404
    assert other_member.post(reverse("workspace:decline", args=[draft.pk])).status_code == 404


def test_steps_are_posts(member, cast):
    draft = draft_of(cast)
    for name in ("submit", "accept", "decline"):
        assert member.get(reverse(f"workspace:{name}", args=[draft.pk])).status_code == 405, name
    assert member.get(reverse("workspace:logout")).status_code == 405


def test_a_missing_proposal_or_reply_is_404(member):
    assert member.get(reverse("workspace:proposal", args=[999999])).status_code == 404
    assert member.get(reverse("workspace:feedback", args=[999999])).status_code == 404


def test_a_user_without_any_role_cannot_use_the_workspace_even_with_a_proposer_name(cast):
    """The role comes from the link between the user and the proposer, not from a name."""
    lookalike = quick_user(cast.proposer.name)
    assert client_of(lookalike).get(reverse("workspace:proposals")).status_code == 403
