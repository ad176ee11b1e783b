"""The workflow through the admin's step pages: each button posts to the service and changes
the state; a refused step shows the service's message and changes nothing."""
import datetime

import pytest
from django.urls import reverse

from proposals.models import Assignment, ContactLog, Event, Proposal, SupervisionLog
from proposals.selectors import today
from replies.models import Feedback, Reply
from tests.factories import WORKFLOW_ASSIGNED_ON, admin_cast, lead_assignment, proposal_at

S = Proposal.Status
A = Assignment.Status


@pytest.fixture
def cast(db):
    return admin_cast()


def as_(client, cast, role):
    client.force_login(cast.actor(role))
    return client


def step(client, model, obj, name, data=None):
    app = "replies" if model == "reply" else "proposals"
    return client.post(reverse(f"admin:{app}_{model}_step", args=[obj.pk, name]), data or {})


def buttons(client, proposal):
    page = client.get(reverse("admin:proposals_proposal_change", args=[proposal.pk]))
    assert page.status_code == 200
    return {b["name"] for b in page.context["workflow_buttons"]}, page


def fresh(obj):
    return type(obj).objects.get(pk=obj.pk)


def test_one_proposal_through_its_whole_life_in_the_admin(client, cast):
    # The proposer drafts (through services.proposal_create) and invites a co-signer, who accepts;
    # then the proposer submits.
    as_(client, cast, "proposer")
    response = client.post(reverse("admin:proposals_proposal_add"), {
        "session": cast.session.pk, "title": "关于建设社区食堂的提案", "body": "建议……",
        "invite": cast.other_proposer.name,
    })
    assert response.status_code == 302
    proposal = Proposal.objects.get(title="关于建设社区食堂的提案")
    assert [s.proposer for s in proposal.signatures.order_by("position")] == [cast.proposer]
    assert step(as_(client, cast, "other_proposer"), "proposal", proposal, "accept_invitation").status_code == 302
    assert [s.proposer for s in proposal.signatures.order_by("position")] == [cast.proposer, cast.other_proposer]
    as_(client, cast, "proposer")
    assert step(client, "proposal", proposal, "edit", {"title": "关于建设社区老年食堂的提案", "body": "建议……",
                                                         "topic": "民生"}).status_code == 302
    assert fresh(proposal).title == "关于建设社区老年食堂的提案"
    assert step(client, "proposal", proposal, "submit").status_code == 302
    assert fresh(proposal).status == S.SUBMITTED

    # Staff file and assign.
    as_(client, cast, "staff")
    assert {"file", "reject", "convert", "merge"} <= buttons(client, proposal)[0]
    assert step(client, "proposal", proposal, "file", {"note": "符合立案标准"}).status_code == 302
    assert step(client, "proposal", proposal, "assign", {"lead": cast.agency.pk, "co": [cast.co_agency.pk],
                                                         "assigned_on": today().isoformat()}).status_code == 302
    proposal = fresh(proposal)
    assert proposal.status == S.ASSIGNED and proposal.next_due_on is not None
    lead = proposal.assignments.get(role=Assignment.Role.LEAD)

    # The liaison acknowledges, records a contact, drafts, edits and submits the reply.
    as_(client, cast, "liaison")
    assert step(client, "assignment", lead, "acknowledge").status_code == 302
    assert fresh(lead).status == A.ACKNOWLEDGED
    assert step(client, "assignment", lead, "contact", {
        "stage": "before", "form": "visit", "date": today().isoformat(), "note": "上门走访"}).status_code == 302
    assert ContactLog.objects.get(assignment=lead).note == "上门走访"
    draft = {"title": "关于社区食堂提案的答复", "classification": "B", "disclosure": "public", "body": "已列入计划……",
             "cc": "市政协提案委、市民政局"}
    assert step(client, "assignment", lead, "reply_draft", draft).status_code == 302
    reply = Reply.objects.get(assignment=lead)
    assert reply.status == Reply.Status.DRAFT and reply.cc == ["市政协提案委", "市民政局"]
    assert step(client, "reply", reply, "edit", {**draft, "doc_number": "测政函〔2024〕1号"}).status_code == 302
    assert fresh(reply).doc_number == "测政函〔2024〕1号"
    assert step(client, "reply", reply, "submit").status_code == 302
    assert fresh(reply).status == Reply.Status.SUBMITTED and fresh(proposal).status == S.REPLIED

    # Staff publish; the proposer is dissatisfied and the proposal goes back to the agency.
    as_(client, cast, "staff")
    assert step(client, "reply", reply, "publish").status_code == 302
    assert fresh(reply).status == Reply.Status.PUBLISHED
    as_(client, cast, "proposer")
    assert step(client, "reply", reply, "feedback", {"rating": "dissatisfied", "comments": "未落实"}).status_code == 302
    assert fresh(lead).status == A.REHANDLING and fresh(proposal).status == S.ASSIGNED

    # Re-handled: a second-round reply; staff record the co-signer's rating on its behalf, then the
    # proposer rates too, which closes it (each proposer rates, issue 8).
    as_(client, cast, "liaison")
    assert step(client, "assignment", lead, "reply_draft", {**draft, "body": "已解决……"}).status_code == 302
    second = Reply.objects.get(assignment=lead, round=2)
    assert step(client, "reply", second, "submit").status_code == 302
    as_(client, cast, "staff")
    assert step(client, "reply", second, "feedback", {"proposer": cast.other_proposer.pk,
                                                      "rating": "satisfied"}).status_code == 302
    assert fresh(proposal).status == S.REPLIED
    as_(client, cast, "proposer")
    assert step(client, "reply", second, "feedback", {"rating": "basically", "comments": ""}).status_code == 302
    proposal = fresh(proposal)
    assert proposal.status == S.CLOSED
    assert Feedback.objects.get(reply=second, proposer=cast.other_proposer).recorded_by == cast.staff
    actions = list(Event.objects.filter(proposal=proposal).order_by("at", "id").values_list("action", flat=True))
    for expected in ("create", "edit", "submit", "file", "assigned", "acknowledge", "contact", "reply_draft",
                     "reply_submit", "publish", "feedback", "rehandle", "close"):
        assert expected in actions
    as_(client, cast, "staff")
    assert buttons(client, proposal)[0] == {"mark_key", "correct_number"}


def test_buttons_follow_the_state_and_the_role(client, cast):
    submitted = proposal_at(cast, S.SUBMITTED)
    # A submitted proposal is not yet a key proposal candidate (only filed ones are, issue 8).
    assert buttons(as_(client, cast, "staff"), submitted)[0] == {
        "file", "reject", "convert", "merge", "withdraw", "correct_number"}
    assert buttons(as_(client, cast, "proposer"), submitted)[0] == {"withdraw"}
    draft = proposal_at(cast, S.DRAFT)
    assert buttons(as_(client, cast, "proposer"), draft)[0] == {"edit", "submit", "withdraw", "invite"}
    assigned = proposal_at(cast, S.ASSIGNED)
    names, page = buttons(as_(client, cast, "liaison"), assigned)
    assert names == set()
    (row,) = page.context["assignments"]
    # Window over: no objection; an extension may be asked for.
    assert {b["name"] for b in row.buttons} == {"acknowledge", "contact", "reply_draft", "request_extension"}
    names, page = buttons(as_(client, cast, "staff"), assigned)
    assert {b["name"] for b in page.context["assignments"][0].buttons} >= {"extend"}


def test_a_liaison_cannot_file_and_nothing_changes(client, cast):
    proposal = proposal_at(cast, S.SUBMITTED)
    response = step(as_(client, cast, "liaison"), "proposal", proposal, "file", {"note": "立案"})
    # The liaison cannot even see a proposal not assigned to its agency.
    assert response.status_code == 404
    assigned = proposal_at(cast, S.ASSIGNED)
    events = Event.objects.count()
    response = step(client, "proposal", assigned, "file", {"note": "立案"})
    assert response.status_code == 403
    assert "只有提案委员会工作人员可以执行此操作" in response.content.decode()
    assert [str(m) for m in response.context["messages"]] == ["只有提案委员会工作人员可以执行此操作"]
    assert fresh(assigned).status == S.ASSIGNED and Event.objects.count() == events


def test_an_objection_after_the_window_is_refused_and_changes_nothing(client, cast):
    proposal = proposal_at(cast, S.ASSIGNED)  # assigned in 2024: the 5-working-day window is long over
    lead = lead_assignment(proposal)
    assert lead.objection_due_on < today()
    events = Event.objects.count()
    response = step(as_(client, cast, "liaison"), "assignment", lead, "object", {"reason": "不属于本单位职责"})
    assert response.status_code == 400
    assert "已超过交办异议期限" in response.content.decode()
    assert fresh(lead).status == A.ASSIGNED and Event.objects.count() == events


def test_an_objection_in_time_is_decided_by_staff(client, cast):
    proposal = proposal_at(cast, S.FILED)
    as_(client, cast, "staff")
    step(client, "proposal", proposal, "assign", {"lead": cast.agency.pk, "assigned_on": today().isoformat()})
    lead = lead_assignment(fresh(proposal))
    as_(client, cast, "liaison")
    assert step(client, "assignment", lead, "object", {"reason": "不属于本单位职责"}).status_code == 302
    assert fresh(lead).status == A.OBJECTED
    as_(client, cast, "staff")
    response = step(client, "assignment", lead, "decide_objection", {"decision": "upheld", "note": "改办"})
    assert response.status_code == 400 and "请指定新的承办单位" in response.content.decode()
    assert fresh(lead).status == A.OBJECTED
    assert step(client, "assignment", lead, "decide_objection", {
        "decision": "upheld", "new_agency": cast.spare_agency.pk, "note": "改办"}).status_code == 302
    assert fresh(lead).status == A.REASSIGNED
    assert fresh(proposal).assignments.get(agency=cast.spare_agency).status == A.ASSIGNED


def test_staff_review_steps(client, cast):
    as_(client, cast, "staff")
    rejected, converted, merged = (proposal_at(cast, S.SUBMITTED) for _ in range(3))
    target = proposal_at(cast, S.FILED)  # a merge goes into a proposal that is handled (issue 8)
    response = step(client, "proposal", rejected, "reject", {"reason": ""})
    assert response.status_code == 400 and fresh(rejected).status == S.SUBMITTED
    assert step(client, "proposal", rejected, "reject", {"reason": "不属于提案范围"}).status_code == 302
    assert fresh(rejected).status == S.NOT_FILED and fresh(rejected).review_reason == "不属于提案范围"
    assert step(client, "proposal", converted, "convert", {"reason": "转社情民意"}).status_code == 302
    assert fresh(converted).status == S.CONVERTED
    assert step(client, "proposal", merged, "merge", {"into": target.pk, "reason": "内容相近"}).status_code == 302
    assert fresh(merged).status == S.MERGED and fresh(merged).merged_into == target
    withdrawn = proposal_at(cast, S.SUBMITTED)
    assert step(client, "proposal", withdrawn, "withdraw", {"reason": "撤回"}).status_code == 302
    assert fresh(withdrawn).status == S.WITHDRAWN


def test_key_proposal_supervision_extension_and_close(client, cast):
    as_(client, cast, "staff")
    proposal = proposal_at(cast, S.ASSIGNED)
    response = step(client, "proposal", proposal, "supervise", {"note": "督办"})
    assert response.status_code == 400 and "只有重点提案可以记录督办" in response.content.decode()
    assert step(client, "proposal", proposal, "mark_key", {"leader": "王主席"}).status_code == 302
    assert fresh(proposal).is_key and fresh(proposal).supervising_leader == "王主席"
    assert step(client, "proposal", proposal, "supervise", {"note": "实地督办"}).status_code == 302
    assert SupervisionLog.objects.get(proposal=proposal).leader == "王主席"
    lead = lead_assignment(proposal)
    too_late = WORKFLOW_ASSIGNED_ON + datetime.timedelta(days=200)
    response = step(client, "assignment", lead, "extend", {"new_due_on": too_late.isoformat(), "reason": "复杂"})
    assert response.status_code == 400 and fresh(lead).due_on == lead.due_on
    new_due = lead.due_on + datetime.timedelta(days=30)
    assert step(client, "assignment", lead, "extend", {"new_due_on": new_due.isoformat(),
                                                       "reason": "涉及多部门"}).status_code == 302
    assert fresh(lead).due_on == new_due and "涉及多部门" in fresh(lead).due_explanation["due"]["text"]
    response = step(client, "proposal", proposal, "close", {"note": ""})
    assert response.status_code == 400 and fresh(proposal).status == S.ASSIGNED
    assert step(client, "proposal", proposal, "unmark_key").status_code == 302
    assert not fresh(proposal).is_key


def test_a_member_drafts_only_in_their_own_name(client, cast):
    as_(client, cast, "proposer")
    response = client.post(reverse("admin:proposals_proposal_add"), {
        "session": cast.session.pk, "title": "冒名的提案", "lead_proposer": cast.other_proposer.pk})
    assert response.status_code == 302  # the drafter is the lead proposer, whatever is posted
    assert [s.proposer for s in Proposal.objects.get(title="冒名的提案").signatures.all()] == [cast.proposer]
    response = client.post(reverse("admin:proposals_proposal_add"), {
        "session": cast.session.pk, "title": "联名的提案", "invite": "查无此人"})
    assert response.status_code == 400 and "查无此人" in response.content.decode()
    assert not Proposal.objects.filter(title="联名的提案").exists()
    as_(client, cast, "liaison")
    assert client.get(reverse("admin:proposals_proposal_add")).status_code == 403


def test_a_submitted_proposal_is_not_edited(client, cast):
    proposal = proposal_at(cast, S.SUBMITTED)
    response = step(as_(client, cast, "proposer"), "proposal", proposal, "edit", {"title": "改标题"})
    assert response.status_code == 400 and "提案已提交,不能修改" in response.content.decode()
    assert fresh(proposal).title != "改标题"


def test_step_pages_render_their_forms(client, cast):
    proposal = proposal_at(cast, S.SUBMITTED)
    as_(client, cast, "staff")
    for name in ("file", "reject", "convert", "merge", "withdraw", "correct_number"):
        response = client.get(reverse("admin:proposals_proposal_step", args=[proposal.pk, name]))
        assert response.status_code == 200, name
    # A step the state does not allow answers 403, like a step the role does not allow (issue 8).
    for name in ("assign", "mark_key", "edit", "close"):
        response = client.get(reverse("admin:proposals_proposal_step", args=[proposal.pk, name]))
        assert response.status_code == 403, name
    filed = proposal_at(cast, S.FILED)
    for name in ("assign", "mark_key"):
        assert client.get(reverse("admin:proposals_proposal_step", args=[filed.pk, name])).status_code == 200, name
    assert client.get(reverse("admin:proposals_proposal_step", args=[proposal.pk, "nonsense"])).status_code == 404
    assert client.get(reverse("admin:proposals_proposal_add")).status_code == 200
