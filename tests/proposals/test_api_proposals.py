"""/api/proposals/: representations, the draft, every workflow action and the error codes."""
import datetime

import pytest

from proposals import services
from proposals.models import Assignment, Event, Proposal
from tests.api_support import client_for
from tests.factories import WORKFLOW_ASSIGNED_ON, AgencyFactory, proposal_at

P = Proposal.Status
pytestmark = pytest.mark.django_db



def post(user, path, data=None, **headers):
    return client_for(user).post(path, data or {}, format="json", **headers)


def test_list_carries_the_brief_representation(cast):
    proposal = proposal_at(cast, P.ASSIGNED, co=True)
    Proposal.objects.filter(pk=proposal.pk).update(next_due_on=datetime.date(2024, 1, 1))
    row = client_for(cast.staff).get("/api/proposals/").json()["results"][0]
    assert row["session"]["key"] == f"{cast.session.committee.name}/{cast.session.term}/{cast.session.number}"
    assert row["status"] == "assigned" and row["status_label"] == "办理中"
    assert row["lead_proposer"]["id"] == cast.proposer.pk
    assert row["lead_agency"] == {"id": cast.agency.pk, "name": cast.agency.name}
    assert row["next_due_on"] == "2024-01-01"
    assert row["overdue_days"] == (datetime.date.today() - datetime.date(2024, 1, 1)).days
    assert "body" not in row and "assignments" not in row


def test_detail_carries_everything_with_the_deadline_explanations(cast):
    proposal = proposal_at(cast, P.ASSIGNED, co=True)
    response = client_for(cast.staff).get(f"/api/proposals/{proposal.pk}/")
    body = response.json()
    assert response["ETag"] == f'"proposal-{proposal.pk}-v{Proposal.objects.get(pk=proposal.pk).version}"'
    assert body["body"] == "建议……"
    assert [p["proposer"]["name"] for p in body["proposers"]] == [cast.proposer.name]
    roles = {a["role"]: a for a in body["assignments"]}
    assert set(roles) == {"lead", "co"}
    lead = roles["lead"]
    assert lead["due_explanation"]["due"]["text"].startswith("答复期限:自交办日 2024-03-04起 3 个月")
    assert "个工作日" in lead["due_explanation"]["objection"]["text"]
    # 2024-04-04 is a 清明 holiday: since issue 8 the opinion is due on the next working day, the
    # make-up working Sunday 2024-04-07 (a period ending on a rest day moves).
    assert roles["co"]["due_on"] == "2024-04-07"


def test_proposer_drafts_a_proposal(cast):
    response = post(cast.proposer_user, "/api/proposals/", {
        "session": cast.session.pk, "title": "关于加强校园安全的提案", "body": "建议", "proposers": [cast.proposer.pk]})
    assert response.status_code == 201, response.content
    assert response.json()["status"] == "draft"
    assert Proposal.objects.get(pk=response.json()["id"]).search_text.startswith("1 第1号 关于加强校园安全")


@pytest.mark.parametrize("data,field", [
    ({"title": "", "proposers": "own"}, "title"),
    # A member's own draft needs no proposers listed (the drafter signs); the invitees must exist.
    ({"title": "关于……的提案", "proposers": [], "invite": [999999]}, "invite"),
    ({"title": "关于……的提案", "proposers": [999999]}, "proposers"),
    ({"title": "关于……的提案", "proposers": "own", "session": "x"}, "session"),
])
def test_drafting_with_bad_input_is_a_400_with_the_field(cast, data, field):
    data = {"session": cast.session.pk, **data}
    if data["proposers"] == "own":
        data["proposers"] = [cast.proposer.pk]
    response = post(cast.proposer_user, "/api/proposals/", data)
    assert response.status_code == 400
    assert field in response.json() and response.json()[field][0]


def test_drafting_in_another_members_name_is_a_403(cast):
    response = post(cast.other_proposer_user, "/api/proposals/", {
        "session": cast.session.pk, "title": "关于……的提案", "proposers": [cast.proposer.pk]})
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"


@pytest.mark.parametrize("action,start,data,status", [
    ("submit", P.DRAFT, {}, P.SUBMITTED),
    ("withdraw", P.SUBMITTED, {"reason": "撤回"}, P.WITHDRAWN),
    ("file", P.SUBMITTED, {"note": "符合立案标准"}, P.FILED),
    ("reject", P.SUBMITTED, {"reason": "不属于提案范围"}, P.NOT_FILED),
    ("convert", P.SUBMITTED, {"reason": "转为社情民意"}, P.CONVERTED),
    ("assign", P.FILED, "agencies", P.ASSIGNED),
    ("close", P.REPLIED, {"note": "征询期已过"}, P.CLOSED),
])
def test_each_step_returns_the_new_state(cast, action, start, data, status):
    proposal = proposal_at(cast, start)
    if data == "agencies":
        data = {"lead": cast.agency.pk, "co": [cast.co_agency.pk]}
    if action == "close":  # the feedback window must be over
        from replies.models import Reply

        Reply.objects.filter(assignment__proposal=proposal).update(feedback_due_on=datetime.date(2024, 5, 8))
    response = post(cast.staff, f"/api/proposals/{proposal.pk}/{action}/", data)
    assert response.status_code == 200, response.content
    assert response.json()["status"] == status
    assert Proposal.objects.get(pk=proposal.pk).status == status
    assert Event.objects.filter(proposal=proposal, to_status=status).exists()


def test_merge_points_to_the_handled_proposal(cast):
    target = proposal_at(cast, P.FILED)
    proposal = proposal_at(cast, P.SUBMITTED)
    response = post(cast.staff, f"/api/proposals/{proposal.pk}/merge/", {"into": target.pk, "reason": "内容相近"})
    assert response.status_code == 200
    assert response.json()["merged_into"]["id"] == target.pk
    merged = client_for(cast.staff).get(f"/api/proposals/{target.pk}/").json()["merged_proposals"]
    assert [m["id"] for m in merged] == [proposal.pk]


def test_merge_into_itself_is_a_400_on_into(cast):
    proposal = proposal_at(cast, P.SUBMITTED)
    response = post(cast.staff, f"/api/proposals/{proposal.pk}/merge/", {"into": proposal.pk})
    assert response.status_code == 400 and "into" in response.json()


def test_mark_key_and_supervise(cast):
    proposal = proposal_at(cast, P.ASSIGNED)
    response = post(cast.staff, f"/api/proposals/{proposal.pk}/mark-key/", {"is_key": True, "leader": "王副主席"})
    assert response.status_code == 200 and response.json()["is_key"] is True
    response = post(cast.staff, f"/api/proposals/{proposal.pk}/supervise/", {"note": "实地督办", "date": "2024-04-01"})
    assert response.status_code == 200
    assert response.json()["supervision_logs"][0]["note"] == "实地督办"
    assert response.json()["supervising_leader"] == "王副主席"


def test_assigning_a_proposal_refreshes_its_search_text(cast):
    proposal = proposal_at(cast, P.FILED)
    agency = AgencyFactory(name="重庆市教育委员会")
    agency.aliases.create(name="市教委")
    post(cast.staff, f"/api/proposals/{proposal.pk}/assign/", {"lead": agency.pk})
    assert "市教委" in Proposal.objects.get(pk=proposal.pk).search_text
    found = client_for(cast.staff).get("/api/proposals/", {"q": "市教委"}).json()["results"]
    assert [row["id"] for row in found] == [proposal.pk]


def test_missing_reason_is_a_400_with_the_field(cast):
    proposal = proposal_at(cast, P.SUBMITTED)
    response = post(cast.staff, f"/api/proposals/{proposal.pk}/reject/", {"reason": ""})
    assert response.status_code == 400
    assert list(response.json()) == ["reason"]


def test_service_input_error_keeps_its_field(cast):
    proposal = proposal_at(cast, P.FILED)
    response = post(cast.staff, f"/api/proposals/{proposal.pk}/assign/", {"co": [cast.co_agency.pk]})
    assert response.status_code == 400
    assert response.json() == {"lead": ["请指定主办单位或分办单位"]}


def test_a_step_the_state_does_not_allow_is_a_400_with_a_reason(cast):
    proposal = proposal_at(cast, P.DRAFT)
    response = post(cast.staff, f"/api/proposals/{proposal.pk}/file/")
    assert response.status_code == 400
    assert response.json()["code"] == "transition_not_allowed"
    assert "草稿" in response.json()["detail"]


def test_a_step_the_user_may_not_take_is_a_403(cast):
    proposal = proposal_at(cast, P.SUBMITTED)
    response = post(cast.proposer_user, f"/api/proposals/{proposal.pk}/file/")
    assert response.status_code == 403
    assert Proposal.objects.get(pk=proposal.pk).status == P.SUBMITTED


def test_what_the_user_may_not_see_is_a_404(cast):
    proposal = proposal_at(cast, P.SUBMITTED)
    hidden = post(cast.other_liaison, f"/api/proposals/{proposal.pk}/file/")
    missing = post(cast.other_liaison, "/api/proposals/999999/file/")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == missing.json()


def test_a_stale_if_match_is_a_409_and_changes_nothing(cast):
    proposal = proposal_at(cast, P.FILED)
    etag = client_for(cast.staff).get(f"/api/proposals/{proposal.pk}/")["ETag"]
    services.proposal_mark_key(actor=cast.staff, proposal=proposal)  # a new version, as every step
    services.proposal_assign(actor=cast.staff, proposal=proposal, lead=cast.agency,
                             assigned_on=WORKFLOW_ASSIGNED_ON)
    response = post(cast.staff, f"/api/proposals/{proposal.pk}/withdraw/", HTTP_IF_MATCH=etag)
    assert response.status_code == 409
    assert response.json()["code"] == "concurrent_change"
    assert Proposal.objects.get(pk=proposal.pk).status == P.ASSIGNED


def test_a_current_if_match_lets_the_step_run(cast):
    proposal = proposal_at(cast, P.SUBMITTED)
    etag = client_for(cast.staff).get(f"/api/proposals/{proposal.pk}/")["ETag"]
    response = post(cast.staff, f"/api/proposals/{proposal.pk}/file/", HTTP_IF_MATCH=etag)
    assert response.status_code == 200
    assert response["ETag"] != etag


def test_a_concurrent_transition_is_a_409(cast, monkeypatch):
    """Another user files the proposal after this request has read it and before its service
    runs: the service refuses the move from the state it now finds, and the API says that the
    object changed under the request (409), not that the request was wrong (400)."""
    from proposals.api.proposal_views import ProposalViewSet

    proposal = proposal_at(cast, P.SUBMITTED)
    read_by_this_request = Proposal.objects.get(pk=proposal.pk)
    services.proposal_file(actor=cast.staff, proposal=proposal)  # the other user, committed first
    monkeypatch.setattr(ProposalViewSet, "get_object", lambda self: read_by_this_request)
    response = post(cast.staff, f"/api/proposals/{proposal.pk}/reject/", {"reason": "不属于提案范围"})
    assert response.status_code == 409, response.content
    assert Proposal.objects.get(pk=proposal.pk).status == P.FILED


def test_anonymous_writes_are_asked_to_authenticate(cast):
    proposal = proposal_at(cast, P.SUBMITTED)
    response = client_for(None).post(f"/api/proposals/{proposal.pk}/file/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert response.json()["code"] == "not_authenticated"
    assert client_for(None).post("/api/proposals/", {}).status_code == 401
    assert Proposal.objects.get(pk=proposal.pk).status == P.SUBMITTED


def test_anonymous_reads_of_public_data_still_work(cast):
    proposal = proposal_at(cast, P.SUBMITTED)
    assert client_for(None).get("/api/proposals/").status_code == 200
    assert client_for(None).get("/api/committees/").status_code == 200
    assert client_for(None).get(f"/api/proposals/{proposal.pk}/").status_code == 404


def test_a_logged_in_user_who_may_see_but_not_act_gets_a_403_not_a_401(cast):
    proposal = proposal_at(cast, P.SUBMITTED)
    response = post(cast.proposer_user, f"/api/proposals/{proposal.pk}/file/")
    assert response.status_code == 403 and response.json()["code"] == "permission_denied"
    assert "WWW-Authenticate" not in response


def test_status_is_not_writable(cast):
    response = post(cast.proposer_user, "/api/proposals/", {
        "session": cast.session.pk, "title": "关于……的提案", "proposers": [cast.proposer.pk], "status": "closed"})
    assert response.status_code == 201
    assert response.json()["status"] == "draft"
    assert client_for(cast.staff).patch(f"/api/proposals/{response.json()['id']}/", {"status": "closed"},
                                        format="json").status_code == 405


def test_withdrawal_cancels_the_open_assignments(cast):
    proposal = proposal_at(cast, P.ASSIGNED)
    response = post(cast.proposer_user, f"/api/proposals/{proposal.pk}/withdraw/", {"reason": "问题已解决"})
    assert response.status_code == 200
    assert {a["status"] for a in response.json()["assignments"]} == {Assignment.Status.CANCELLED}
