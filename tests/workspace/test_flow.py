"""The member's whole road through the Django test client: draft, invite, the co-signer's answer,
submit, and later (staff and the agency through the services) the reply and its rating. Each step
is the service's: a refusal reaches the member as a form error or a message, never a 500."""
import datetime
import re

import pytest
from django.urls import reverse

from proposals import services
from proposals.models import CoSignInvitation, Event, Proposal
from proposals.selectors import today
from replies import services as reply_services
from replies.models import Feedback
from tests.factories import lead_assignment, reply_drafted
from tests.workspace.conftest import FEEDBACK, client_of, draft_of

pytestmark = pytest.mark.django_db
P = Proposal.Status


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


def test_the_whole_road_from_draft_to_rating(cast, member, other_member):
    # Draft, inviting the other member.
    response = member.post(reverse("workspace:draft"), {
        "session": cast.session.pk, "title": "关于建设社区食堂的提案", "topic": "民生",
        "body": "一、问题\n二、建议", "invitees": [cast.other_proposer.pk]})
    assert response.status_code == 302
    proposal = Proposal.objects.get(title="关于建设社区食堂的提案")
    assert response["Location"] == reverse("workspace:proposal", args=[proposal.pk])
    assert proposal.status == P.DRAFT and proposal.topic == "民生"
    invitation = CoSignInvitation.objects.get(proposal=proposal)
    assert invitation.proposer == cast.other_proposer and invitation.status == "invited"

    # The draft's page shows the invitation with its window, and why it cannot be submitted yet.
    page = member.get(reverse("workspace:proposal", args=[proposal.pk])).content.decode()
    assert cast.other_proposer.name in page and invitation.due_on.isoformat() in page and "待确认" in page
    assert "暂不能提交" in page and "联名邀请尚待答复" in page
    refused = member.post(reverse("workspace:submit", args=[proposal.pk]), follow=True)
    assert refused.status_code == 200 and any("联名邀请尚待答复" in m for m in messages_of(refused))
    assert Proposal.objects.get(pk=proposal.pk).status == P.DRAFT

    # Edit the draft.
    response = member.post(reverse("workspace:edit", args=[proposal.pk]), {
        "title": "关于建设社区老年食堂的提案", "topic": "民生", "body": "一、问题\n二、建议\n三、保障"})
    assert response.status_code == 302
    assert Proposal.objects.get(pk=proposal.pk).title == "关于建设社区老年食堂的提案"

    # The co-signer sees the invitation and accepts it.
    invitations = other_member.get(reverse("workspace:invitations")).content.decode()
    assert "关于建设社区老年食堂的提案" in invitations and reverse("workspace:accept", args=[proposal.pk]) in invitations
    assert other_member.get(reverse("workspace:proposal", args=[proposal.pk])).status_code == 200
    response = other_member.post(reverse("workspace:accept", args=[proposal.pk]))
    assert response.status_code == 302
    assert list(proposal.signatures.order_by("position").values_list("proposer_id", flat=True)) == [
        cast.proposer.pk, cast.other_proposer.pk]

    # Submit.
    response = member.post(reverse("workspace:submit", args=[proposal.pk]), follow=True)
    assert any("已提交" in m for m in messages_of(response))
    assert Proposal.objects.get(pk=proposal.pk).status == P.SUBMITTED
    assert "等待提案委员会审查" in member.get(reverse("workspace:proposals")).content.decode()

    # The committee files and assigns it; the agency replies; staff publish the reply.
    proposal = Proposal.objects.get(pk=proposal.pk)
    services.proposal_file(actor=cast.staff, proposal=proposal)
    services.proposal_assign(actor=cast.staff, proposal=proposal, lead=cast.agency,
                             assigned_on=today() - datetime.timedelta(days=3))
    listed = member.get(reverse("workspace:proposals")).content.decode()
    due = lead_assignment(proposal).due_on.isoformat()
    assert f"已交由{cast.agency.name}主办,答复期限 {due}" in listed
    lead = lead_assignment(proposal)
    services.assignment_acknowledge(actor=cast.liaison, assignment=lead)
    services.contact_record(actor=cast.liaison, assignment=lead, stage="before", form="phone", date=today())
    reply = reply_drafted(cast, lead, actor=cast.liaison, title="关于建设社区老年食堂提案的答复",
                          internal_note="仅内部可见的备注")
    reply = reply_services.reply_submit(actor=cast.liaison, reply=reply)
    reply_services.reply_publish(actor=cast.staff, reply=reply)

    # The member reads the reply (never the committee's internal note) and rates it.
    page = member.get(reverse("workspace:proposal", args=[proposal.pk])).content.decode()
    assert "关于建设社区老年食堂提案的答复" in page and "经研究,答复如下" in page
    assert "仅内部可见的备注" not in page
    assert reverse("workspace:feedback", args=[reply.pk]) in page
    form = member.get(reverse("workspace:feedback", args=[reply.pk]))
    assert form.status_code == 200 and "办前沟通" in form.content.decode()
    response = member.post(reverse("workspace:feedback", args=[reply.pk]), FEEDBACK)
    assert response.status_code == 302
    assert response["Location"].endswith(f"#reply-{reply.pk}")
    feedback = Feedback.objects.get(reply=reply, proposer=cast.proposer)
    assert feedback.rating == "satisfied" and feedback.recorded_by == cast.proposer_user
    assert feedback.comments.startswith("答复具体,措施可行。")
    assert "答复前联系沟通:是(电话、走访)" in feedback.comments
    page = member.get(reverse("workspace:proposal", args=[proposal.pk])).content.decode()
    assert "您的评价" in page and "满意" in page and "电话、走访" in page

    # The co-signer rates too; the proposal closes (every proposer satisfied).
    client_of(cast.other_proposer_user).post(reverse("workspace:feedback", args=[reply.pk]),
                                             {**FEEDBACK, "rating": "basically", "reason": ""})
    assert Proposal.objects.get(pk=proposal.pk).status == P.CLOSED
    assert "办结" in member.get(reverse("workspace:proposals")).content.decode()
    # Each proposer's rating stays theirs (domain.md, "Rules decided").
    page = other_member.get(reverse("workspace:proposal", args=[proposal.pk])).content.decode()
    assert "答复具体,措施可行。" not in page


def test_a_draft_is_created_without_invitations_and_the_drafter_is_the_lead(cast, member):
    response = member.post(reverse("workspace:draft"), {"session": cast.session.pk, "title": "关于A的提案"})
    proposal = Proposal.objects.get(title="关于A的提案")
    assert response.status_code == 302
    assert [s.proposer_id for s in proposal.signatures.all()] == [cast.proposer.pk]
    assert Event.objects.filter(proposal=proposal, action="create", actor=cast.proposer_user).exists()


def test_the_draft_form_refuses_a_blank_title_and_a_session_of_another_committee(cast, member):
    from tests.factories import SessionFactory

    response = member.post(reverse("workspace:draft"), {"session": cast.session.pk, "title": ""})
    assert response.status_code == 400 and "id_title_error" in response.content.decode()
    elsewhere = SessionFactory()
    response = member.post(reverse("workspace:draft"), {"session": elsewhere.pk, "title": "关于B的提案"})
    assert response.status_code == 400 and not Proposal.objects.filter(title="关于B的提案").exists()


def test_a_body_too_long_is_the_services_refusal_on_the_field(cast, member):
    response = member.post(reverse("workspace:draft"), {
        "session": cast.session.pk, "title": "关于C的提案", "body": "字" * 50_001})
    assert response.status_code == 400
    text = response.content.decode()
    assert "过长" in text and "id_body_error" in text
    assert not Proposal.objects.filter(title="关于C的提案").exists()


def test_inviting_later_and_the_invitees_window(cast, member, other_member):
    draft = draft_of(cast)
    form = member.get(reverse("workspace:invite", args=[draft.pk])).content.decode()
    assert cast.other_proposer.name in form and cast.proposer.name not in re.sub(r"<nav.*?</nav>", "", form, flags=re.S)
    response = member.post(reverse("workspace:invite", args=[draft.pk]), {"invitees": [cast.other_proposer.pk]})
    assert response.status_code == 302 and response["Location"].endswith("#cosigners")
    # Invited already: not offered again; a second post of the same name is the service's refusal.
    assert cast.other_proposer.name not in member.get(reverse("workspace:invite", args=[draft.pk])).content.decode()
    again = member.post(reverse("workspace:invite", args=[draft.pk]), {"invitees": [cast.other_proposer.pk]})
    assert again.status_code == 400
    # The invitee may decline; the draft leaves their sight.
    response = other_member.post(reverse("workspace:decline", args=[draft.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("workspace:invitations")
    assert other_member.get(reverse("workspace:proposal", args=[draft.pk])).status_code == 404
    assert "已拒绝" in other_member.get(reverse("workspace:invitations")).content.decode()


def test_a_late_answer_is_refused_with_the_services_reason(cast, member, other_member):
    draft = draft_of(cast)
    services.cosign_invite(actor=cast.proposer_user, proposal=draft, invitees=[cast.other_proposer],
                           on=today() - datetime.timedelta(days=30))
    listed = other_member.get(reverse("workspace:invitations")).content.decode()
    assert "逾期未确认" in listed and reverse("workspace:accept", args=[draft.pk]) not in listed
    response = other_member.post(reverse("workspace:accept", args=[draft.pk]), follow=True)
    assert response.status_code == 200
    assert any("截止,不能再答复" in m for m in messages_of(response))
    assert CoSignInvitation.objects.get(proposal=draft).status == "expired"
    # An expired invitation no longer holds the draft up.
    assert member.post(reverse("workspace:submit", args=[draft.pk])).status_code == 302
    assert Proposal.objects.get(pk=draft.pk).status == P.SUBMITTED


def test_only_the_drafter_invites(cast, member, other_member):
    draft = draft_of(cast)
    services.cosign_invite(actor=cast.proposer_user, proposal=draft, invitees=[cast.other_proposer])
    services.cosign_accept(actor=cast.other_proposer_user, proposal=draft)
    response = other_member.get(reverse("workspace:invite", args=[draft.pk]), follow=True)
    assert any("只有提案起草人可以邀请联名" in m for m in messages_of(response))
    page = other_member.get(reverse("workspace:proposal", args=[draft.pk])).content.decode()
    assert reverse("workspace:invite", args=[draft.pk]) not in page
    assert reverse("workspace:edit", args=[draft.pk]) in page  # a co-signer edits the text


def test_withdraw_with_a_reason(cast, member):
    draft = draft_of(cast)
    services.proposal_submit(actor=cast.proposer_user, proposal=draft)
    response = member.post(reverse("workspace:withdraw", args=[draft.pk]), {"reason": "与另一提案重复"})
    assert response.status_code == 302
    assert Proposal.objects.get(pk=draft.pk).status == P.WITHDRAWN
    assert Event.objects.get(proposal=draft, action="withdraw").note == "与另一提案重复"
    page = member.get(reverse("workspace:proposal", args=[draft.pk])).content.decode()
    assert reverse("workspace:withdraw", args=[draft.pk]) not in page


def test_a_replied_proposal_cannot_be_withdrawn_nor_edited(cast, member):
    from tests.workspace.conftest import replied_today

    proposal, _reply = replied_today(cast)
    response = member.get(reverse("workspace:withdraw", args=[proposal.pk]), follow=True)
    assert any("不能撤案" in m for m in messages_of(response))
    response = member.post(reverse("workspace:withdraw", args=[proposal.pk]), {"reason": "x"}, follow=True)
    assert Proposal.objects.get(pk=proposal.pk).status == P.REPLIED
    response = member.post(reverse("workspace:edit", args=[proposal.pk]), {"title": "新标题"}, follow=True)
    assert any("不能修改" in m for m in messages_of(response))
    assert Proposal.objects.get(pk=proposal.pk).title != "新标题"


def test_submitting_twice_is_a_message_not_an_error(cast, member):
    draft = draft_of(cast)
    assert member.post(reverse("workspace:submit", args=[draft.pk])).status_code == 302
    response = member.post(reverse("workspace:submit", args=[draft.pk]), follow=True)
    assert response.status_code == 200 and any("不能变更" in m for m in messages_of(response))


def test_an_invitee_cannot_submit_the_draft(cast, other_member):
    draft = draft_of(cast)
    services.cosign_invite(actor=cast.proposer_user, proposal=draft, invitees=[cast.other_proposer])
    response = other_member.post(reverse("workspace:submit", args=[draft.pk]), follow=True)
    assert response.status_code == 200 and any("只能提交本人的提案" in m for m in messages_of(response))
    assert Proposal.objects.get(pk=draft.pk).status == P.DRAFT


def test_every_form_needs_the_csrf_token(cast):
    from django.test import Client

    draft = draft_of(cast)
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.proposer_user)
    posts = {
        reverse("workspace:draft"): {"session": cast.session.pk, "title": "关于D的提案"},
        reverse("workspace:edit", args=[draft.pk]): {"title": "改"},
        reverse("workspace:invite", args=[draft.pk]): {"invitees": [cast.other_proposer.pk]},
        reverse("workspace:submit", args=[draft.pk]): {},
        reverse("workspace:withdraw", args=[draft.pk]): {},
        reverse("workspace:logout"): {},
    }
    for url, data in posts.items():
        assert client.post(url, data).status_code == 403, url
    assert Proposal.objects.get(pk=draft.pk).status == P.DRAFT
    assert not Proposal.objects.filter(title="关于D的提案").exists()
    # With the token the same post goes through.
    page = client.get(reverse("workspace:draft")).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    response = client.post(reverse("workspace:draft"), {"session": cast.session.pk, "title": "关于D的提案",
                                                        "csrfmiddlewaretoken": token})
    assert response.status_code == 302


def test_every_form_on_every_page_carries_the_csrf_token(cast, member):
    from tests.workspace.conftest import replied_today

    draft = draft_of(cast)
    _proposal, reply = replied_today(cast)
    for url in (reverse("workspace:proposal", args=[draft.pk]), reverse("workspace:draft"),
                reverse("workspace:feedback", args=[reply.pk]), reverse("workspace:withdraw", args=[draft.pk])):
        text = member.get(url).content.decode()
        posts = re.findall(r'<form[^>]*method="post"[^>]*>(.*?)</form>', text, flags=re.S)
        assert posts, url
        assert all("csrfmiddlewaretoken" in body for body in posts), url
