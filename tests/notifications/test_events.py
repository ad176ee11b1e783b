"""Each workflow step that asks someone to act writes notices to the people who must act, in the
step's transaction (issue 11): the whole life of a proposal gives exactly the expected list."""
from __future__ import annotations

import datetime

import pytest
from django.db import transaction

from notifications.models import Notification
from proposals import services
from proposals.models import Assignment, Event, Proposal
from replies import services as reply_services
from tests.factories import (
    WORKFLOW_ACKNOWLEDGED_ON,
    WORKFLOW_ASSIGNED_ON,
    WORKFLOW_FEEDBACK_ON,
    WORKFLOW_REPLIED_ON,
    lead_assignment,
    proposal_at,
    reply_drafted,
)
from tests.notifications.conftest import inbox, mails, mark

pytestmark = pytest.mark.django_db
K = Notification.Kind
S = Proposal.Status


def paper_proposal(cast, proposers=None):
    """A proposal of ``cast.proposer`` and ``cast.other_proposer``, entered by staff as a draft."""
    return services.proposal_create(actor=cast.staff, session=cast.session, title="关于改善城区交通的提案",
                                    proposers=proposers or [cast.proposer, cast.other_proposer], body="建议……")


def test_the_life_of_a_proposal_tells_exactly_the_people_who_must_act(world):
    cast = world
    staff, staff2 = cast.staff.username, cast.staff2.username
    proposer, other = cast.proposer_user.username, cast.other_proposer_user.username
    proposal = paper_proposal(cast)
    services.proposal_submit(actor=cast.proposer_user, proposal=proposal)
    services.proposal_file(actor=cast.staff, proposal=proposal)
    services.proposal_assign(actor=cast.staff, proposal=proposal, lead=cast.agency, co=[cast.co_agency],
                             assigned_on=WORKFLOW_ASSIGNED_ON)
    lead = lead_assignment(proposal)
    co = proposal.assignments.get(role=Assignment.Role.CO)
    services.assignment_acknowledge(actor=cast.liaison, assignment=lead, on=WORKFLOW_ACKNOWLEDGED_ON)
    services.assignment_acknowledge(actor=cast.co_liaison, assignment=co, on=WORKFLOW_ACKNOWLEDGED_ON)
    opinion = reply_drafted(cast, co, actor=cast.co_liaison)
    reply_services.reply_submit(actor=cast.co_liaison, reply=opinion, on=WORKFLOW_ACKNOWLEDGED_ON)
    reply = reply_drafted(cast, lead, actor=cast.liaison)
    reply_services.reply_submit(actor=cast.liaison, reply=reply, on=WORKFLOW_REPLIED_ON)
    reply_services.reply_publish(actor=cast.staff, reply=reply, on=WORKFLOW_REPLIED_ON)
    reply_services.feedback_give(actor=cast.proposer_user, reply=reply, rating="dissatisfied",
                                 comments="未解决实际问题", on=WORKFLOW_FEEDBACK_ON)
    assert inbox() == [
        (K.SUBMITTED, staff), (K.SUBMITTED, staff2),
        (K.PROPOSAL_FILED, proposer), (K.PROPOSAL_FILED, other),
        (K.ASSIGNMENT_NEW, cast.liaison.username), (K.ASSIGNMENT_NEW, cast.co_liaison.username),
        (K.CO_OPINION_ARRIVED, cast.liaison.username),
        (K.REPLY_SUBMITTED, staff), (K.REPLY_SUBMITTED, staff2),
        (K.REPLY_PUBLISHED, proposer), (K.REPLY_PUBLISHED, other),
        (K.REHANDLE, cast.liaison.username),
        (K.DISSATISFIED, staff), (K.DISSATISFIED, staff2),
        # The rater knows; the other proposer is told, without the rating's words.
        (K.REHANDLE_STARTED, other),
    ]
    # Everybody here has an address and the default preferences: each notice also goes by e-mail,
    # pending until `manage.py send_notifications` runs.
    assert [kind for kind, _address in mails()] == [kind for kind, _user in inbox()]
    assert set(Notification.objects.filter(channel="email").values_list("status", flat=True)) == {"pending"}
    assert set(Notification.objects.filter(channel="inbox").values_list("status", flat=True)) == {"sent"}
    assert not Notification.objects.filter(status=Notification.Status.UNDELIVERABLE).exists()


def test_texts_say_what_happened_what_to_do_by_when_and_where(world):
    cast = world
    proposal = proposal_at(cast, S.ASSIGNED)
    notice = Notification.objects.get(kind=K.ASSIGNMENT_NEW, channel="inbox")
    assert notice.recipient == cast.liaison and notice.agency == cast.agency
    assert notice.subject == f"【新交办】{cast.session}第{proposal.number}号提案“关于改善城区交通的提案”"
    due = lead_assignment(proposal).due_on.isoformat()
    assert f"已交由贵单位主办" in notice.body
    assert f"于 {due} 前答复提案人(答复期限:自交办日 2024-03-04起 3 个月,至 {due})" in notice.body
    assert "交办异议期限:自交办日 2024-03-04起 5 个工作日" in notice.body
    assert notice.link == f"/admin/proposals/proposal/{proposal.pk}/change/"
    assert f"办理页面:http://127.0.0.1:8000{notice.link}" in notice.body
    assert notice.event.action == "assign" and notice.proposal == proposal and notice.language == "zh-hans"


@pytest.mark.parametrize("status, kind, reason", [
    (S.NOT_FILED, K.PROPOSAL_REJECTED, "不属于提案范围"),
    (S.CONVERTED, K.PROPOSAL_CONVERTED, "转为社情民意"),
    (S.MERGED, K.PROPOSAL_MERGED, "内容相近"),
])
def test_each_proposer_is_told_of_the_review_with_the_reason(world, status, kind, reason):
    cast = world
    proposal = proposal_at(cast, status)
    notice = Notification.objects.get(kind=kind, channel="inbox", proposal=proposal)
    assert notice.recipient == cast.proposer_user
    assert f"理由:{reason}" in notice.body
    if status == S.MERGED:
        assert f"已并入{cast.session}第{proposal.merged_into.number}号提案" in notice.body


def test_objections_and_extensions_go_to_staff_and_their_decisions_to_the_agency(world):
    cast = world
    proposal = proposal_at(cast, S.ASSIGNED)
    lead = lead_assignment(proposal)
    start = mark()
    services.assignment_object(actor=cast.liaison, assignment=lead, reason="不属于本单位职责",
                               on=WORKFLOW_ACKNOWLEDGED_ON)
    services.assignment_decide_objection(actor=cast.staff, assignment=lead, uphold=True, new_agency=cast.other_agency,
                                         note="改由其他单位办理", on=WORKFLOW_ACKNOWLEDGED_ON)
    new = proposal.assignments.get(agency=cast.other_agency)
    first = services.extension_request(actor=cast.other_liaison, assignment=new, reason="需要调研",
                                       wanted_due_on=new.due_on + datetime.timedelta(days=20))
    services.extension_request_refuse(actor=cast.staff, extension_request=first, note="理由不充分")
    request = services.extension_request(actor=cast.other_liaison, assignment=new, reason="需要再次调研",
                                         wanted_due_on=new.due_on + datetime.timedelta(days=30))
    services.extension_request_approve(actor=cast.staff, extension_request=request)
    assert inbox(id__gt=start) == [
        (K.OBJECTION_FILED, cast.staff.username), (K.OBJECTION_FILED, cast.staff2.username),
        (K.ASSIGNMENT_NEW, cast.other_liaison.username),
        (K.OBJECTION_DECIDED, cast.liaison.username),
        (K.EXTENSION_REQUESTED, cast.staff.username), (K.EXTENSION_REQUESTED, cast.staff2.username),
        (K.EXTENSION_DECIDED, cast.other_liaison.username),
        (K.EXTENSION_REQUESTED, cast.staff.username), (K.EXTENSION_REQUESTED, cast.staff2.username),
        (K.EXTENSION_DECIDED, cast.other_liaison.username),
    ]
    objection = Notification.objects.filter(kind=K.OBJECTION_FILED).order_by("id").first()
    assert "理由:不属于本单位职责" in objection.body
    decided = Notification.objects.get(kind=K.OBJECTION_DECIDED, channel="inbox")
    assert "同意调整" in decided.body and f"改由{cast.other_agency.name}办理" in decided.body
    refused, granted = Notification.objects.filter(kind=K.EXTENSION_DECIDED, channel="inbox").order_by("id")
    assert refused.subject.startswith("【延期未批准】") and "理由:理由不充分" in refused.body
    new.refresh_from_db()
    assert granted.subject.startswith("【延期已批准】")
    assert f"延至 {new.due_on.isoformat()}" in granted.body and "经批准延期至" in granted.body
    asked = Notification.objects.filter(kind=K.EXTENSION_REQUESTED).order_by("id").first()
    assert asked.link == f"/admin/proposals/extensionrequest/{first.pk}/change/" and "理由:需要调研" in asked.body


def test_an_urge_reaches_the_agencys_liaisons_with_its_message(world):
    if getattr(Event.Action, "URGE", None) is None:
        pytest.skip("the urge step is not in this tree yet")
    cast = world
    lead = lead_assignment(proposal_at(cast, S.ASSIGNED))
    services.assignment_urge(actor=cast.staff, assignment=lead, message="请于本周内答复")
    notice = Notification.objects.get(kind=K.URGE, channel="inbox")
    assert notice.recipient == cast.liaison and "催办:请于本周内答复" in notice.body
    assert "已逾期" in notice.body  # assigned in 2024, long past due


def test_a_key_proposals_leader_is_told_of_its_progress_or_the_notice_is_kept_undeliverable(world):
    from notifications.models import LeaderContact

    cast = world
    proposal = proposal_at(cast, S.FILED)
    services.proposal_mark_key(actor=cast.staff, proposal=proposal, leader="王主席")
    kept = Notification.objects.get(kind=K.KEY_PROGRESS)
    assert (kept.status, kept.recipient, kept.addressee) == ("undeliverable", None, "王主席")
    LeaderContact.objects.create(committee=cast.session.committee, name="王主席", user=cast.plain)
    services.proposal_assign(actor=cast.staff, proposal=proposal, lead=cast.agency, assigned_on=WORKFLOW_ASSIGNED_ON)
    progress = Notification.objects.filter(kind=K.KEY_PROGRESS, recipient=cast.plain, channel="inbox").get()
    assert f"有新进展:已交办:{cast.agency.name}(主办)" in progress.body


def test_an_agency_without_liaisons_gets_an_undeliverable_notice_that_staff_see(world):
    cast = world
    cast.agency.liaisons.clear()
    proposal_at(cast, S.ASSIGNED)
    notice = Notification.objects.get(kind=K.ASSIGNMENT_NEW)
    assert (notice.status, notice.recipient, notice.address) == ("undeliverable", None, "")
    assert (notice.addressee, notice.agency) == (cast.agency.name, cast.agency)
    assert notice.subject.startswith("【新交办】")


def test_an_inactive_user_gets_nothing_and_an_agency_of_inactive_liaisons_none_either(world):
    cast = world
    cast.proposer_user.is_active = False
    cast.proposer_user.save(update_fields=["is_active"])
    cast.liaison.is_active = False
    cast.liaison.save(update_fields=["is_active"])
    proposal_at(cast, S.ASSIGNED)
    assert not Notification.objects.filter(recipient__in=[cast.proposer_user, cast.liaison]).exists()
    # Nobody left to read them: kept, undeliverable, for staff to follow up.
    assert set(Notification.objects.filter(kind__in=[K.PROPOSAL_FILED, K.ASSIGNMENT_NEW]).values_list(
        "kind", "status")) == {(K.PROPOSAL_FILED, "undeliverable"), (K.ASSIGNMENT_NEW, "undeliverable")}


def test_a_proposer_without_an_account_is_reached_at_the_address_on_record(world):
    cast = world
    cast.other_proposer.user = None
    cast.other_proposer.email = "member@example.org"
    cast.other_proposer.save()
    proposal = paper_proposal(cast)
    services.proposal_submit(actor=cast.staff, proposal=proposal)
    services.proposal_file(actor=cast.staff, proposal=proposal)
    assert mails(kind=K.PROPOSAL_FILED) == [(K.PROPOSAL_FILED, cast.proposer_user.email),
                                             (K.PROPOSAL_FILED, "member@example.org")]
    assert inbox(kind=K.PROPOSAL_FILED) == [(K.PROPOSAL_FILED, cast.proposer_user.username)]


def test_a_rolled_back_step_leaves_no_notice(world):
    cast = world
    proposal = proposal_at(cast, S.FILED)
    before = Notification.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        services.proposal_assign(actor=cast.staff, proposal=proposal, lead=cast.agency,
                                 assigned_on=WORKFLOW_ASSIGNED_ON)
        assert Notification.objects.filter(kind=K.ASSIGNMENT_NEW).exists()  # written with the step
        raise RuntimeError("the caller fails after the step")
    assert Notification.objects.count() == before
    assert not Event.objects.filter(proposal=proposal, action="assign").exists()


def test_a_refused_step_leaves_no_notice(world):
    cast = world
    proposal = proposal_at(cast, S.FILED)
    before = Notification.objects.count()
    with pytest.raises(services.InvalidInput):
        services.proposal_assign(actor=cast.staff, proposal=proposal, lead=cast.agency, co=[cast.agency],
                                 assigned_on=WORKFLOW_ASSIGNED_ON)
    assert Notification.objects.count() == before


def test_the_rating_reaches_staff_and_the_agency_but_not_the_other_proposers(world):
    cast = world
    proposal = paper_proposal(cast)
    services.proposal_submit(actor=cast.staff, proposal=proposal)
    services.proposal_file(actor=cast.staff, proposal=proposal)
    services.proposal_assign(actor=cast.staff, proposal=proposal, lead=cast.agency, assigned_on=WORKFLOW_ASSIGNED_ON)
    lead = lead_assignment(proposal)
    services.assignment_acknowledge(actor=cast.liaison, assignment=lead, on=WORKFLOW_ACKNOWLEDGED_ON)
    reply = reply_services.reply_submit(actor=cast.liaison, reply=reply_drafted(cast, lead, actor=cast.liaison),
                                        on=WORKFLOW_REPLIED_ON)
    reply_services.feedback_give(actor=cast.proposer_user, reply=reply, rating="dissatisfied",
                                 comments="机密意见文字", on=WORKFLOW_FEEDBACK_ON)
    by_kind = {n.kind: n for n in Notification.objects.filter(channel="inbox")}
    assert "机密意见文字" in by_kind[K.REHANDLE].body and "机密意见文字" in by_kind[K.DISSATISFIED].body
    assert by_kind[K.REHANDLE_STARTED].recipient == cast.other_proposer_user
    assert "机密意见文字" not in by_kind[K.REHANDLE_STARTED].body
    assert "重新办理期限" in by_kind[K.REHANDLE_STARTED].body


def test_a_reply_never_published_reaches_the_proposers_on_delivery(world):
    cast = world
    lead = lead_assignment(proposal_at(cast, S.ASSIGNED))
    services.assignment_acknowledge(actor=cast.liaison, assignment=lead, on=WORKFLOW_ACKNOWLEDGED_ON)
    reply = reply_drafted(cast, lead, actor=cast.liaison, disclosure="on_request")
    reply_services.reply_submit(actor=cast.liaison, reply=reply, on=WORKFLOW_REPLIED_ON)
    assert inbox(kind=K.REPLY_PUBLISHED) == [(K.REPLY_PUBLISHED, cast.proposer_user.username)]
    staff_notice = Notification.objects.filter(kind=K.REPLY_SUBMITTED).order_by("id").first()
    assert "不主动公开,无需公开" in staff_notice.body
    told = Notification.objects.get(kind=K.REPLY_PUBLISHED, channel="inbox")
    reply.refresh_from_db()
    assert f"于 {reply.feedback_due_on.isoformat()} 前评价" in told.body and "征询意见期限" in told.body


def test_a_member_invited_to_co_sign_is_asked_to_answer_by_the_deadline(world):
    cast = world
    proposal = services.proposal_create(actor=cast.proposer_user, session=cast.session, title="关于改善城区交通的提案",
                                        invite=[cast.other_proposer], body="建议……")
    notice = Notification.objects.get(kind=K.COSIGN_INVITED, channel="inbox")
    invitation = proposal.invitations.get()
    assert notice.recipient == cast.other_proposer_user
    assert f"{cast.proposer.name}邀请您联名提出" in notice.body
    assert f"请于 {invitation.due_on.isoformat()} 前同意或拒绝联名(联名确认期限:自邀请日" in notice.body
