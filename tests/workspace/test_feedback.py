"""征询意见 from the workspace: the questions committees ask, 不满意 only with a reason, one rating
per proposer and reply within the window (replies.feedback decides, the form asks)."""
import datetime

import pytest
from django.urls import reverse

from proposals.models import Assignment, Proposal
from replies.models import Feedback
from tests.workspace.conftest import FEEDBACK, replied_today
from workspace import questionnaire

pytestmark = pytest.mark.django_db


def feedback_url(reply):
    return reverse("workspace:feedback", args=[reply.pk])


def test_the_form_asks_what_committees_ask_with_labels(cast, member):
    _proposal, reply = replied_today(cast)
    text = member.get(feedback_url(reply)).content.decode()
    for question in ("答复前,承办单位是否与您联系沟通?", "联系方式", "答复是否针对提案所提问题?",
                     "对承办单位办理态度的评价", "对办理结果的评价", "意见和建议"):
        assert question in text
    for rating in ("满意", "基本满意", "不满意"):
        assert f"<span>{rating}</span>" in text
    assert "未表态" not in text  # recorded by the tracker, never chosen
    assert text.count("<fieldset") == 5 and text.count("<legend>") == 5
    assert '<label for="id_reason">' in text


@pytest.mark.parametrize("reason", ["", "   "])
def test_dissatisfied_needs_a_reason(cast, member, reason):
    proposal, reply = replied_today(cast)
    response = member.post(feedback_url(reply), {**FEEDBACK, "rating": "dissatisfied", "reason": reason})
    assert response.status_code == 400
    text = response.content.decode()
    assert "请说明不满意的理由" in text and 'id="id_reason_error"' in text and 'aria-invalid="true"' in text
    assert not Feedback.objects.filter(reply=reply).exists()
    assert Proposal.objects.get(pk=proposal.pk).status == Proposal.Status.REPLIED


def test_dissatisfied_with_a_reason_sends_the_proposal_back(cast, member):
    proposal, reply = replied_today(cast)
    response = member.post(feedback_url(reply), {**FEEDBACK, "rating": "dissatisfied", "attitude": "basically",
                                                  "answers": "partly", "reason": "未回应经费保障问题"})
    assert response.status_code == 302
    feedback = Feedback.objects.get(reply=reply)
    assert feedback.rating == "dissatisfied"
    assert questionnaire.parse(feedback.comments) == {
        "reason": "未回应经费保障问题",
        "answers": {"contacted": "yes", "contact_forms": ["phone", "visit"], "answers": "partly",
                    "attitude": "basically"}}
    assert Proposal.objects.get(pk=proposal.pk).status == Proposal.Status.ASSIGNED
    assert proposal.assignments.get(role="lead").status == Assignment.Status.REHANDLING
    listed = member.get(reverse("workspace:proposals")).content.decode()
    assert f"{cast.agency.name}正在重新办理" in listed


def test_satisfied_needs_no_reason_and_the_answers_are_kept(cast, member):
    _proposal, reply = replied_today(cast)
    response = member.post(feedback_url(reply), {**FEEDBACK, "contacted": "no", "contact_forms": [], "reason": ""})
    assert response.status_code == 302
    comments = Feedback.objects.get(reply=reply).comments
    assert comments.startswith(questionnaire.MARKER)
    assert "答复前联系沟通:否" in comments and "办理态度:满意" in comments


def test_contacted_needs_the_way(cast, member):
    _proposal, reply = replied_today(cast)
    response = member.post(feedback_url(reply), {**FEEDBACK, "contact_forms": []})
    assert response.status_code == 400 and "请选择联系方式" in response.content.decode()


@pytest.mark.parametrize("missing", ["contacted", "answers", "attitude", "rating"])
def test_each_question_is_required(cast, member, missing):
    _proposal, reply = replied_today(cast)
    data = {k: v for k, v in FEEDBACK.items() if k != missing}
    assert member.post(feedback_url(reply), data).status_code == 400
    assert not Feedback.objects.filter(reply=reply).exists()


def test_not_rated_is_not_a_choice(cast, member):
    _proposal, reply = replied_today(cast)
    assert member.post(feedback_url(reply), {**FEEDBACK, "rating": "not_rated"}).status_code == 400


def test_a_reply_is_rated_once(cast, member):
    proposal, reply = replied_today(cast, co=False, proposers=[cast.proposer, cast.other_proposer])
    assert member.post(feedback_url(reply), FEEDBACK).status_code == 302
    again = member.get(feedback_url(reply), follow=True)
    assert [str(m) for m in again.context["messages"]][-1] == "已评价过该答复"
    assert member.post(feedback_url(reply), FEEDBACK).status_code == 302
    assert Feedback.objects.filter(reply=reply).count() == 1
    page = member.get(reverse("workspace:proposal", args=[proposal.pk])).content.decode()
    assert feedback_url(reply) not in page


def test_after_the_window_the_services_reason_is_shown(cast, member):
    _proposal, reply = replied_today(cast)
    type(reply).objects.filter(pk=reply.pk).update(feedback_due_on=datetime.date(2020, 1, 1))
    response = member.get(feedback_url(reply), follow=True)
    assert any("征询意见期已于2020-01-01结束" in str(m) for m in response.context["messages"])
    response = member.post(feedback_url(reply), FEEDBACK, follow=True)
    assert not Feedback.objects.filter(reply=reply).exists()


def test_questionnaire_round_trip_and_foreign_comments():
    comments = questionnaire.compose(reason="很好", contacted="yes", contact_forms=["meeting"], answers="no",
                                     attitude="dissatisfied")
    assert comments == "很好\n\n【征询意见表】\n答复前联系沟通:是(座谈)\n答复针对提案:否,未针对所提问题\n办理态度:不满意"
    assert questionnaire.parse(comments)["answers"] == {
        "contacted": "yes", "contact_forms": ["meeting"], "answers": "no", "attitude": "dissatisfied"}
    assert questionnaire.parse("在管理后台录入的意见") == {"reason": "在管理后台录入的意见", "answers": {}}
    assert questionnaire.describe({"contacted": "no", "attitude": "satisfied"}) == [
        ("答复前联系沟通", "否"), ("办理态度", "满意")]
