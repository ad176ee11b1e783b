"""Replies and feedback in the admin: who sees which, and the reply steps (draft, edit,
submit, publish, rate) going through replies.services."""
import pytest
from django.urls import reverse

from proposals import services
from proposals.models import Proposal
from proposals.selectors import today
from proposals.services.errors import InvalidInput
from replies import services as reply_services
from replies.models import Feedback, Reply
from tests.factories import admin_cast, lead_assignment, proposal_at, reply_drafted

S = Proposal.Status


@pytest.fixture
def cast(db):
    return admin_cast()


@pytest.fixture
def handling(cast):
    """A proposal assigned today to cast.agency, acknowledged: ready for a reply."""
    proposal = proposal_at(cast, S.FILED)
    services.proposal_assign(actor=cast.staff, proposal=proposal, lead=cast.agency, co=[cast.co_agency],
                             assigned_on=today())
    lead = lead_assignment(proposal)
    services.assignment_acknowledge(actor=cast.liaison, assignment=lead)
    return lead


def as_(client, cast, role):
    client.force_login(cast.actor(role))
    return client


def step(client, reply, name, data=None):
    return client.post(reverse("admin:replies_reply_step", args=[reply.pk, name]), data or {})


def listed(client, name):
    response = client.get(reverse(f"admin:replies_{name}_changelist"))
    assert response.status_code == 200
    return {obj.pk for obj in response.context["cl"].result_list}


def test_drafts_are_seen_by_their_agency_and_staff_only(client, cast, handling):
    draft = reply_drafted(cast, handling, actor=cast.liaison, internal_note="内部说明")
    assert listed(as_(client, cast, "staff"), "reply") == {draft.pk}
    assert listed(as_(client, cast, "liaison"), "reply") == {draft.pk}
    for role in ("proposer", "co_liaison", "other_liaison"):
        assert listed(as_(client, cast, role), "reply") == set(), role
    reply_services.reply_submit(actor=cast.liaison, reply=draft)
    assert listed(as_(client, cast, "proposer"), "reply") == {draft.pk}
    assert listed(as_(client, cast, "co_liaison"), "reply") == {draft.pk}
    assert listed(as_(client, cast, "other_liaison"), "reply") == set()


def test_the_internal_note_is_shown_to_staff_only(client, cast, handling):
    """内部备注 is the committee's own (issue 7): not the agency's, not the proposer's."""
    reply = reply_services.reply_submit(
        actor=cast.liaison, reply=reply_drafted(cast, handling, actor=cast.liaison, internal_note="仅供内部"))
    url = reverse("admin:replies_reply_change", args=[reply.pk])
    assert "仅供内部" in as_(client, cast, "staff").get(url).content.decode()
    for role in ("liaison", "proposer"):
        page = as_(client, cast, role).get(url)
        assert page.status_code == 200 and "仅供内部" not in page.content.decode(), role


def test_a_liaison_cannot_write_the_internal_note(client, cast, handling):
    with pytest.raises(InvalidInput) as refused:
        reply_services.reply_create(actor=cast.liaison, assignment=handling, body="正文", internal_note="单位自己写的")
    assert refused.value.field == "internal_note"
    draft = reply_drafted(cast, handling, actor=cast.liaison)
    step = reverse("admin:replies_reply_step", args=[draft.pk, "edit"])
    form = as_(client, cast, "liaison").get(step).context["form"]
    assert "internal_note" not in form.fields and "body" in form.fields
    assert "internal_note" in as_(client, cast, "staff").get(step).context["form"].fields


def test_a_submitted_reply_is_not_edited(client, cast, handling):
    reply = reply_services.reply_submit(actor=cast.liaison, reply=reply_drafted(cast, handling, actor=cast.liaison))
    response = step(as_(client, cast, "liaison"), reply, "edit", {"title": "改过的标题", "disclosure": "public"})
    assert response.status_code == 400 and "答复已提交,不能修改" in response.content.decode()
    assert Reply.objects.get(pk=reply.pk).title == "关于提案的答复"


def test_a_reply_needs_a_classification_before_it_is_submitted(client, cast, handling):
    as_(client, cast, "liaison")
    url = reverse("admin:proposals_assignment_step", args=[handling.pk, "reply_draft"])
    assert client.get(url).status_code == 200
    assert client.post(url, {"title": "答复", "body": "正文", "disclosure": "public"}).status_code == 302
    reply = Reply.objects.get(assignment=handling)
    response = step(client, reply, "submit")
    assert response.status_code == 400 and "请选择办理结果分类" in response.content.decode()
    assert Reply.objects.get(pk=reply.pk).status == Reply.Status.DRAFT


def test_not_public_replies_are_not_offered_for_publication(client, cast, handling):
    reply = reply_drafted(cast, handling, actor=cast.liaison, disclosure="not_public", disclosure_reason="涉及隐私")
    reply = reply_services.reply_submit(actor=cast.liaison, reply=reply)
    as_(client, cast, "staff")
    page = client.get(reverse("admin:replies_reply_change", args=[reply.pk]))
    assert "publish" not in {b["name"] for b in page.context["workflow_buttons"]}
    response = step(client, reply, "publish")
    assert response.status_code == 400 and "不能主动公开" in response.content.decode()
    assert Reply.objects.get(pk=reply.pk).status == Reply.Status.SUBMITTED


def test_a_liaison_publishes_nothing_and_drafts_nothing_for_other_agencies(client, cast, handling):
    reply = reply_services.reply_submit(actor=cast.liaison, reply=reply_drafted(cast, handling, actor=cast.liaison))
    response = step(as_(client, cast, "liaison"), reply, "publish")
    assert response.status_code == 403
    assert Reply.objects.get(pk=reply.pk).status == Reply.Status.SUBMITTED
    url = reverse("admin:proposals_assignment_step", args=[handling.pk, "reply_draft"])
    assert as_(client, cast, "other_liaison").post(url, {"title": "x", "disclosure": "public"}).status_code == 404


def test_a_co_handler_drafts_an_opinion_on_its_own_assignment(client, cast, handling):
    co = handling.proposal.assignments.get(agency=cast.co_agency)
    url = reverse("admin:proposals_assignment_step", args=[co.pk, "reply_draft"])
    response = as_(client, cast, "co_liaison").post(url, {"title": "会办意见", "body": "同意", "disclosure": "public"})
    assert response.status_code == 302
    assert Reply.objects.get(assignment=co).kind == Reply.Kind.OPINION


def test_feedback_is_seen_by_staff_the_agency_and_the_rating_proposer(client, cast, handling):
    reply = reply_services.reply_submit(actor=cast.liaison, reply=reply_drafted(cast, handling, actor=cast.liaison))
    response = step(as_(client, cast, "proposer"), reply, "feedback", {"rating": "basically", "comments": "基本解决"})
    assert response.status_code == 302
    feedback = Feedback.objects.get(reply=reply)
    assert feedback.proposer == cast.proposer and feedback.recorded_by == cast.proposer_user
    for role in ("staff", "liaison", "proposer"):
        assert listed(as_(client, cast, role), "feedback") == {feedback.pk}, role
    for role in ("other_liaison", "other_proposer"):
        assert listed(as_(client, cast, role), "feedback") == set(), role


def test_staff_must_name_the_proposer_they_rate_for(client, cast, handling):
    reply = reply_services.reply_submit(actor=cast.liaison, reply=reply_drafted(cast, handling, actor=cast.liaison))
    as_(client, cast, "staff")
    assert client.get(reverse("admin:replies_reply_step", args=[reply.pk, "feedback"])).status_code == 200
    response = step(client, reply, "feedback", {"rating": "satisfied"})
    assert response.status_code == 400 and not Feedback.objects.exists()
    response = step(client, reply, "feedback", {"rating": "satisfied", "proposer": cast.other_proposer.pk})
    assert response.status_code == 400  # not a proposer of this proposal: not offered
    assert not Feedback.objects.exists()


def test_a_proposer_cannot_rate_someone_elses_reply(client, cast, handling):
    reply = reply_services.reply_submit(actor=cast.liaison, reply=reply_drafted(cast, handling, actor=cast.liaison))
    response = step(as_(client, cast, "other_proposer"), reply, "feedback", {"rating": "dissatisfied"})
    assert response.status_code == 404
    assert not Feedback.objects.exists()
