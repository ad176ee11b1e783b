"""The whole life of a proposal through the REST API (issue 8, "Done when"), as the people
would act, each with their own login and today's date:

Proposal one: drafted by member A, who invites B (B accepts); filed; assigned to agency X as
lead with Z as co-handler; X objects and staff uphold it, sending it to Y; Y objects too and
staff send it back to X (an agency relieved earlier); X asks for an extension, staff approve
it; Z sends its opinion; X replies, staff publish; A is dissatisfied; X replies again; A is
satisfied, B never rates: when the window ends the proposal closes and B's 未表态 is recorded.

Proposal two: assigned separately (分办) to agencies P and Q; replied only once both have;
closed at the end of the window with nobody's rating.
"""
import datetime

import pytest
from django.core.management import call_command

from proposals.models import Assignment, Event, Proposal
from replies.models import Feedback, Reply
from tests.api_support import client_for
from tests.factories import AgencyFactory, ProposerFactory, SessionFactory, quick_staff_user, quick_user

P = Proposal.Status
A = Assignment.Status
pytestmark = pytest.mark.django_db


class People:
    def __init__(self):
        self.session = SessionFactory()
        committee = self.session.committee
        self.staff = quick_staff_user("e2e-staff")
        self.a_user, self.b_user = quick_user("e2e-a"), quick_user("e2e-b")
        self.a = ProposerFactory(committee=committee, user=self.a_user, name="甲委员")
        self.b = ProposerFactory(committee=committee, user=self.b_user, name="乙委员")
        self.agencies, self.liaisons = {}, {}
        for code in "XYZPQ":
            agency = AgencyFactory(name=f"{code}局")
            user = quick_user(f"e2e-{code.lower()}")
            agency.liaisons.add(user)
            self.agencies[code], self.liaisons[code] = agency, user


def call(user, path, data=None, expect=200):
    response = client_for(user).post(f"/api/{path}", data or {}, format="json")
    assert response.status_code == expect, (path, response.status_code, response.content.decode()[:500])
    return response.json()


def get(user, path, **params):
    response = client_for(user).get(f"/api/{path}", params)
    assert response.status_code == 200, (path, response.content.decode()[:300])
    return response.json()


def assignment_of(proposal_id, agency):
    return Assignment.objects.current().get(proposal_id=proposal_id, agency=agency)


def test_a_co_signed_proposal_through_objections_an_extension_and_re_handling():
    people = People()
    X, Y, Z = (people.agencies[c] for c in "XYZ")
    lx, ly, lz = (people.liaisons[c] for c in "XYZ")
    today = datetime.date.today()

    # Submission: A drafts and invites B, B accepts, A submits.
    draft = call(people.a_user, "proposals/", {"session": people.session.pk, "title": "关于社区养老服务的提案",
                                               "body": "建议……", "invite": [people.b.pk]}, expect=201)
    pid = draft["id"]
    call(people.b_user, f"proposals/{pid}/accept-invitation/")
    call(people.a_user, f"proposals/{pid}/submit/")
    detail = get(people.a_user, f"proposals/{pid}/")
    assert [p["proposer"]["name"] for p in detail["proposers"]] == ["甲委员", "乙委员"]

    # Review and assignment: X leads, Z co-handles.
    call(people.staff, f"proposals/{pid}/file/", {"note": "符合立案标准"})
    call(people.staff, f"proposals/{pid}/assign/", {"lead": X.pk, "co": [Z.pk], "assigned_on": today.isoformat()})

    # X objects; staff uphold and send it to Y; Y objects; staff send it back to X.
    first_x = assignment_of(pid, X)
    call(lx, f"assignments/{first_x.pk}/object/", {"reason": "不属于本单位职责"})
    call(people.staff, f"assignments/{first_x.pk}/decide-objection/",
         {"uphold": True, "new_agency": Y.pk, "note": "改由Y局办理"})
    y = assignment_of(pid, Y)
    call(ly, f"assignments/{y.pk}/object/", {"reason": "应由X局牵头"})
    call(people.staff, f"assignments/{y.pk}/decide-objection/",
         {"uphold": True, "new_agency": X.pk, "note": "经协调仍由X局主办"})
    x = assignment_of(pid, X)
    assert x.pk != first_x.pk and x.role == Assignment.Role.LEAD
    assert Assignment.objects.get(pk=first_x.pk).status == A.REASSIGNED
    # The relieved Y no longer follows the proposal; X (assigned again) does.
    assert client_for(ly).get(f"/api/proposals/{pid}/").status_code == 404
    call(lx, f"assignments/{x.pk}/acknowledge/")
    z = assignment_of(pid, Z)
    call(lz, f"assignments/{z.pk}/acknowledge/")

    # X asks for an extension; staff approve it.
    wanted = x.due_on + datetime.timedelta(days=30)
    request = call(lx, f"assignments/{x.pk}/request-extension/", {"wanted_due_on": wanted.isoformat(),
                                                                  "reason": "需要实地调研"}, expect=201)
    call(people.staff, f"extension-requests/{request['id']}/approve/", {"note": "同意"})
    assert Assignment.objects.get(pk=x.pk).due_on == wanted

    # Z sends its opinion; X replies; staff publish.
    opinion = call(lz, "replies/", {"assignment": z.pk, "title": "会办意见", "body": "同意主办单位意见"}, expect=201)
    call(lz, f"replies/{opinion['id']}/submit/")
    reply = call(lx, "replies/", {"assignment": x.pk, "title": "答复", "body": "已列入计划。", "classification": "B",
                                  "disclosure": "public"}, expect=201)
    assert call(lx, f"replies/{reply['id']}/submit/")["co_opinions"][0]["received"] is True
    call(people.staff, f"replies/{reply['id']}/publish/")
    assert Proposal.objects.get(pk=pid).status == P.REPLIED

    # A is dissatisfied: re-handling; X replies again.
    call(people.a_user, "feedback/", {"reply": reply["id"], "rating": "dissatisfied", "comments": "未落实具体措施"},
         expect=201)
    assert Proposal.objects.get(pk=pid).status == P.ASSIGNED
    second = call(lx, "replies/", {"assignment": x.pk, "title": "再次答复", "body": "已落实三项措施。",
                                   "classification": "A"}, expect=201)
    assert second["round"] == 2
    call(lx, f"replies/{second['id']}/submit/")

    # A is satisfied; B never rates: the proposal waits for B, then closes when the window ends.
    call(people.a_user, "feedback/", {"reply": second["id"], "rating": "satisfied", "comments": "满意"}, expect=201)
    assert Proposal.objects.get(pk=pid).status == P.REPLIED
    window_end = Reply.objects.get(pk=second["id"]).feedback_due_on
    call_command("close_feedback_windows", on=(window_end + datetime.timedelta(days=1)).isoformat())
    proposal = Proposal.objects.get(pk=pid)
    assert proposal.status == P.CLOSED
    assert Feedback.objects.get(reply_id=second["id"], proposer=people.b).rating == Feedback.Rating.NOT_RATED

    # The timeline tells it all, and the figures count B's silence apart.
    actions = [e["action"] for e in reversed(get(people.staff, "events/", proposal_id=pid, page_size=200)["results"])]
    for expected in ("create", "invite", "cosign_accept", "submit", "file", "assign", "object", "decide_objection",
                     "acknowledge", "extension_request", "extend", "reply_submit", "publish", "feedback", "rehandle",
                     "feedback_closed", "close"):
        assert expected in actions, expected
    figures = get(people.staff, "stats/", q=detail["number"], committee=people.session.committee.name)["total"]
    assert figures["satisfaction"]["not_rated"] == 1 and figures["satisfaction"]["dissatisfied"] == 1
    # A co-signer does not read A's ratings; A does not read the objections' reasons.
    events_for_b = get(people.b_user, "events/", proposal_id=pid, page_size=200)["results"]
    assert not any("未落实具体措施" in e["note"] for e in events_for_b)
    events_for_a = get(people.a_user, "events/", proposal_id=pid, page_size=200)["results"]
    assert not any("不属于本单位职责" in e["note"] for e in events_for_a)


def test_a_proposal_assigned_separately_to_two_agencies():
    people = People()
    P_agency, Q_agency = people.agencies["P"], people.agencies["Q"]
    lp, lq = people.liaisons["P"], people.liaisons["Q"]
    draft = call(people.staff, "proposals/", {"session": people.session.pk, "title": "关于河道治理的提案",
                                              "proposers": [people.a.pk]}, expect=201)
    pid = draft["id"]
    for step in ("submit", "file"):
        call(people.staff, f"proposals/{pid}/{step}/")
    call(people.staff, f"proposals/{pid}/assign/", {"separate": [P_agency.pk, Q_agency.pk]})
    replies = {}
    for agency, liaison in ((P_agency, lp), (Q_agency, lq)):
        assignment = assignment_of(pid, agency)
        call(liaison, f"assignments/{assignment.pk}/acknowledge/")
        replies[agency.pk] = call(liaison, "replies/", {"assignment": assignment.pk, "title": "答复", "body": "答复如下。",
                                                        "classification": "A"}, expect=201)
        call(liaison, f"replies/{replies[agency.pk]['id']}/submit/")
        # Replied only when both have.
        expected = P.REPLIED if agency == Q_agency else P.ASSIGNED
        assert Proposal.objects.get(pk=pid).status == expected
    last_window = max(Reply.objects.filter(assignment__proposal_id=pid).values_list("feedback_due_on", flat=True))
    call_command("close_feedback_windows", on=(last_window + datetime.timedelta(days=1)).isoformat())
    assert Proposal.objects.get(pk=pid).status == P.CLOSED
    assert set(Feedback.objects.filter(reply__assignment__proposal_id=pid).values_list("rating", flat=True)) == {
        Feedback.Rating.NOT_RATED}
    assert Event.objects.filter(proposal_id=pid, action="feedback_closed").count() == 2


# --- the same life through the admin, as the people click it --------------------------------------------

def _admin_people():
    from django.contrib.auth.models import Group

    from replies.demo import LIAISON_GROUP, PROPOSER_GROUP, ensure_groups

    ensure_groups()
    people = People()
    for user in people.liaisons.values():
        user.groups.add(Group.objects.get(name=LIAISON_GROUP))
    for user in (people.a_user, people.b_user):
        user.groups.add(Group.objects.get(name=PROPOSER_GROUP))
    return people


def click(client, user, model, obj, step, data=None, expect=302):
    from django.urls import reverse

    client.force_login(user)
    app = "replies" if model == "reply" else "proposals"
    response = client.post(reverse(f"admin:{app}_{model}_step", args=[obj.pk, step]), data or {})
    assert response.status_code == expect, (model, step, response.status_code, response.content.decode()[-1500:])
    return response


def test_the_same_life_through_the_admin(client):
    from django.urls import reverse

    people = _admin_people()
    X, Y, Z = (people.agencies[c] for c in "XYZ")
    lx, ly, lz = (people.liaisons[c] for c in "XYZ")
    today = datetime.date.today().isoformat()

    # A drafts on the add page, inviting B; B accepts on the proposal's page; A submits.
    client.force_login(people.a_user)
    response = client.post(reverse("admin:proposals_proposal_add"), {
        "session": people.session.pk, "title": "关于社区养老服务的提案", "body": "建议……", "invite": "乙委员"})
    assert response.status_code == 302, response.content.decode()[-1500:]
    proposal = Proposal.objects.get(title="关于社区养老服务的提案")
    click(client, people.b_user, "proposal", proposal, "accept_invitation")
    click(client, people.a_user, "proposal", proposal, "submit")

    # Staff file and assign; X objects, upheld to Y; Y objects, upheld back to X.
    click(client, people.staff, "proposal", proposal, "file", {"note": "符合立案标准"})
    click(client, people.staff, "proposal", proposal, "assign", {"lead": X.pk, "co": [Z.pk], "assigned_on": today})
    first_x = assignment_of(proposal.pk, X)
    click(client, lx, "assignment", first_x, "object", {"reason": "不属于本单位职责"})
    page = client.get(reverse("admin:proposals_assignment_step", args=[first_x.pk, "decide_objection"]))
    assert page.status_code == 403  # the liaison does not decide
    client.force_login(people.staff)
    page = client.get(reverse("admin:proposals_assignment_step", args=[first_x.pk, "decide_objection"]))
    assert "不属于本单位职责" in page.content.decode()  # the objection is shown to who decides
    click(client, people.staff, "assignment", first_x, "decide_objection",
          {"decision": "upheld", "new_agency": Y.pk, "note": "改由Y局办理"})
    y = assignment_of(proposal.pk, Y)
    click(client, ly, "assignment", y, "object", {"reason": "应由X局牵头"})
    click(client, people.staff, "assignment", y, "decide_objection",
          {"decision": "upheld", "new_agency": X.pk, "note": "经协调仍由X局主办"})
    x, z = assignment_of(proposal.pk, X), assignment_of(proposal.pk, Z)
    click(client, lx, "assignment", x, "acknowledge")
    click(client, lz, "assignment", z, "acknowledge")

    # X asks for an extension; staff approve.
    wanted = (x.due_on + datetime.timedelta(days=30)).isoformat()
    click(client, lx, "assignment", x, "request_extension", {"wanted_due_on": wanted, "reason": "需要实地调研"})
    click(client, people.staff, "assignment", x, "approve_extension", {"note": "同意"})
    assert Assignment.objects.get(pk=x.pk).due_on.isoformat() == wanted

    # Z's opinion, X's reply, published.
    click(client, lz, "assignment", z, "reply_draft", {"title": "会办意见", "body": "同意主办单位意见", "disclosure": "public"})
    click(client, lz, "reply", Reply.objects.get(assignment=z), "submit")
    reply_fields = {"title": "答复", "body": "已列入计划。", "classification": "B", "disclosure": "public"}
    click(client, lx, "assignment", x, "reply_draft", reply_fields)
    first = Reply.objects.get(assignment=x, round=1)
    client.force_login(lx)
    lead_page = client.get(reverse("admin:replies_reply_change", args=[first.pk])).content.decode()
    assert f"{Z.name}:已收到" in lead_page  # the lead sees which co-handling opinions are in
    click(client, lx, "reply", first, "submit")
    click(client, people.staff, "reply", first, "publish")

    # A is dissatisfied (with the reason); X replies again; A satisfied; B never rates.
    click(client, people.a_user, "reply", first, "feedback", {"rating": "dissatisfied", "comments": ""}, expect=400)
    click(client, people.a_user, "reply", first, "feedback", {"rating": "dissatisfied", "comments": "未落实具体措施"})
    assert Proposal.objects.get(pk=proposal.pk).status == P.ASSIGNED
    click(client, lx, "assignment", x, "reply_draft", {**reply_fields, "body": "已落实三项措施。", "classification": "A"})
    second = Reply.objects.get(assignment=x, round=2)
    click(client, lx, "reply", second, "submit")
    click(client, people.a_user, "reply", second, "feedback", {"rating": "satisfied", "comments": "满意"})
    assert Proposal.objects.get(pk=proposal.pk).status == P.REPLIED
    second.refresh_from_db()
    call_command("close_feedback_windows", on=(second.feedback_due_on + datetime.timedelta(days=1)).isoformat())
    assert Proposal.objects.get(pk=proposal.pk).status == P.CLOSED

    # The page tells it to staff, and keeps the agencies' reasons and A's rating from B.
    client.force_login(people.staff)
    staff_page = client.get(reverse("admin:proposals_proposal_change", args=[proposal.pk])).content.decode()
    assert "应由X局牵头" in staff_page and "未落实具体措施" in staff_page and "未表态" in staff_page
    client.force_login(people.b_user)
    b_page = client.get(reverse("admin:proposals_proposal_change", args=[proposal.pk])).content.decode()
    assert "应由X局牵头" not in b_page and "未落实具体措施" not in b_page
