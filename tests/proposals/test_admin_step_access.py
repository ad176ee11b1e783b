"""A step page opens only for a step the user may take now, the one whose button is offered
(Step.available): any other answers the admin's 403 page, in Chinese, with no form. What is posted
the service decides: no right is the same 403; a state that changed while the form was open is
refused on the form with the service's reason, in Chinese. Nothing changes either way."""
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


def offered(client, proposal) -> set[str] | None:
    """The names of the step buttons on the proposal's page; None when the user may not see it."""
    page = client.get(reverse("admin:proposals_proposal_change", args=[proposal.pk]))
    if page.status_code == 302:  # the admin's answer for a record one may not see: back to the index
        return None
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
    if buttons is None:
        assert set(answers.values()) == {404}  # not visible: not there at all
    else:
        assert answers == {name: 200 if name in buttons else 403 for name in answers}


def test_the_admin_403_page_is_chinese_for_other_refusals_too(client, cast):
    """The same page as any other admin refusal, e.g. a record change page a liaison may not write."""
    client.force_login(cast.liaison)
    response = client.get(reverse("admin:proposals_calendarday_add"))
    assert response.status_code == 403
    page = response.content.decode()
    assert "Forbidden" not in page and "政协提案办理系统" in page


def test_posting_an_incomplete_form_of_a_step_one_may_not_take_is_a_403_not_a_form_to_correct(client, cast):
    proposal = proposal_at(cast, S.SUBMITTED)
    client.force_login(cast.proposer_user)
    response = client.post(step_url(proposal, "reject"), {"reason": ""})
    assert response.status_code == 403 and 'name="reason"' not in response.content.decode()
    assert Proposal.objects.get(pk=proposal.pk).status == S.SUBMITTED


def test_a_form_opened_before_someone_else_acted_is_refused_with_the_reason(client, cast):
    from proposals import services

    proposal = proposal_at(cast, S.SUBMITTED)
    client.force_login(cast.staff)
    assert client.get(step_url(proposal, "file")).status_code == 200  # the form is open …
    services.proposal_reject(actor=cast.staff, proposal=proposal, reason="不属于提案范围")  # … a colleague rejects

    response = client.post(step_url(proposal, "file"), {"note": "符合立案标准"})

    assert response.status_code == 400
    page = response.content.decode()
    assert "当前状态“不予立案”不能变更为“已立案”" in page and "请更正以下错误。" in page
    assert "Please correct" not in page
    assert Proposal.objects.get(pk=proposal.pk).status == S.NOT_FILED
    assert not Event.objects.filter(proposal=proposal, action="file").exists()
