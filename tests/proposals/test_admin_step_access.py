"""A step page opens only for a step the user may take now: the one whose button is offered
(Step.available). Any other step answers the admin's 403 page, in Chinese, on GET and on POST,
and changes nothing; the service still refuses on its own behind it."""
import pytest
from django.urls import reverse

from proposals.admin.steps import proposal_steps
from proposals.models import Event, Proposal
from tests.factories import admin_cast, proposal_at

S = Proposal.Status


@pytest.fixture
def cast(db):
    return admin_cast()


def step_url(proposal, name):
    return reverse("admin:proposals_proposal_step", args=[proposal.pk, name])


def offered(client, proposal) -> set[str]:
    page = client.get(reverse("admin:proposals_proposal_change", args=[proposal.pk]))
    assert page.status_code == 200
    return {button["name"] for button in page.context["workflow_buttons"]}


def test_a_proposer_may_not_open_the_filing_form_and_staff_may(client, cast):
    proposal = proposal_at(cast, S.SUBMITTED)
    client.force_login(cast.proposer_user)

    refused = client.get(step_url(proposal, "file"))

    assert refused.status_code == 403
    page = refused.content.decode()
    assert "403" in page and "Forbidden" not in page
    assert "立案" in page and "政协提案办理系统" in page
    assert 'name="note"' not in page  # no form to fill in
    client.force_login(cast.staff)
    assert client.get(step_url(proposal, "file")).status_code == 200


def test_posting_a_step_one_may_not_take_is_the_same_403_and_changes_nothing(client, cast):
    proposal = proposal_at(cast, S.SUBMITTED)
    events = Event.objects.count()
    client.force_login(cast.proposer_user)

    response = client.post(step_url(proposal, "file"), {"note": "自己立案"})

    assert response.status_code == 403
    assert "Please correct" not in response.content.decode()
    proposal.refresh_from_db()
    assert proposal.status == S.SUBMITTED and Event.objects.count() == events


@pytest.mark.parametrize("role", ["staff", "proposer", "other_proposer"])
@pytest.mark.parametrize("status", [S.DRAFT, S.SUBMITTED, S.FILED])
def test_a_step_page_opens_exactly_when_its_button_is_offered(client, cast, role, status):
    proposal = proposal_at(cast, status)
    client.force_login(cast.actor(role))
    buttons = offered(client, proposal)
    answers = {step.name: client.get(step_url(proposal, step.name)).status_code for step in proposal_steps()}
    assert answers == {name: 200 if name in buttons else 403 for name in answers}


def test_the_admin_403_page_is_chinese_for_other_refusals_too(client, cast):
    """The same page as any other admin refusal, e.g. a record change page a liaison may not write."""
    client.force_login(cast.liaison)
    response = client.get(reverse("admin:proposals_calendarday_add"))
    assert response.status_code == 403
    page = response.content.decode()
    assert "Forbidden" not in page and "政协提案办理系统" in page
