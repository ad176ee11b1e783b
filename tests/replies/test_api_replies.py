"""/api/replies/ (答复 and 会办意见), /api/feedback/ and /api/reference-documents/."""
import datetime

import pytest

from proposals.models import Assignment, Proposal
from replies.models import Feedback, ReferenceDocument, Reply, SourceDocument
from tests.api_support import client_for, ids
from tests.factories import assignment_at, lead_assignment, proposal_at

A = Assignment.Status
pytestmark = pytest.mark.django_db



def post(user, path, data=None):
    return client_for(user).post(path, data or {}, format="json")


def draft(cast, assignment, **fields):
    data = {"assignment": assignment.pk, "title": "关于提案的答复", "body": "经研究,答复如下", "classification": "A",
            **fields}
    return post(cast.liaison, "/api/replies/", data)


def test_agency_drafts_edits_and_submits_a_reply(cast):
    lead = assignment_at(cast, A.ACKNOWLEDGED)
    response = draft(cast, lead)
    assert response.status_code == 201, response.content
    reply_id = response.json()["id"]
    assert response.json()["status"] == "draft" and response.json()["kind"] == "reply"
    edited = client_for(cast.liaison).patch(f"/api/replies/{reply_id}/", {"doc_number": "渝教提函〔2024〕93号",
                                                                          "status": "published"}, format="json")
    assert edited.status_code == 200
    assert edited.json()["doc_number"] == "渝教提函〔2024〕93号" and edited.json()["status"] == "draft"
    submitted = post(cast.liaison, f"/api/replies/{reply_id}/submit/")
    assert submitted.status_code == 200
    assert submitted.json()["status"] == "submitted" and submitted.json()["feedback_due_on"]
    assert "个工作日" in submitted.json()["feedback_due_explanation"]["text"]
    assert Proposal.objects.get(pk=lead.proposal_id).status == Proposal.Status.REPLIED
    again = client_for(cast.liaison).patch(f"/api/replies/{reply_id}/", {"title": "改"}, format="json")
    assert again.status_code == 400 and again.json()["code"] == "transition_not_allowed"


def test_co_handler_writes_an_opinion(cast):
    proposal = proposal_at(cast, Proposal.Status.ASSIGNED, co=True)
    co = proposal.assignments.get(role="co")
    response = post(cast.co_liaison, "/api/replies/", {"assignment": co.pk, "body": "会办意见:同意"})
    assert response.status_code == 201 and response.json()["kind"] == "opinion"
    assert client_for(cast.co_liaison).get("/api/replies/", {"kind": "opinion"}).json()["count"] == 1


def test_draft_with_bad_input(cast):
    lead = assignment_at(cast, A.ACKNOWLEDGED)
    assert "classification" in draft(cast, lead, classification="Z").json()
    no_reason = draft(cast, lead, disclosure="not_public")
    assert no_reason.status_code == 400 and "disclosure_reason" in no_reason.json()
    assert "assignment" in post(cast.liaison, "/api/replies/", {"body": "x"}).json()


def test_another_agency_cannot_draft(cast):
    proposal = proposal_at(cast, Proposal.Status.ASSIGNED, co=True)
    lead = lead_assignment(proposal)
    response = post(cast.co_liaison, "/api/replies/", {"assignment": lead.pk, "body": "x", "classification": "A"})
    assert response.status_code == 403  # sees the lead assignment, may not answer for it


def test_submitting_before_acknowledging_is_refused(cast):
    lead = assignment_at(cast, A.ASSIGNED)
    reply_id = draft(cast, lead).json()["id"]
    response = post(cast.liaison, f"/api/replies/{reply_id}/submit/")
    assert response.status_code == 400 and "签收" in response.json()["detail"]


def test_staff_publishes_a_public_reply(cast):
    lead = assignment_at(cast, A.REPLIED)
    reply = Reply.objects.get(assignment=lead)
    assert post(cast.liaison, f"/api/replies/{reply.pk}/publish/").status_code == 403
    response = post(cast.staff, f"/api/replies/{reply.pk}/publish/")
    assert response.status_code == 200 and response.json()["status"] == "published"
    assert ids(client_for(None).get("/api/replies/")) == [reply.pk]
    assert client_for(None).get(f"/api/proposals/{lead.proposal_id}/").status_code == 200


def test_proposer_rates_a_reply(cast):
    lead = assignment_at(cast, A.REPLIED)
    reply = Reply.objects.get(assignment=lead)
    Reply.objects.filter(pk=reply.pk).update(feedback_due_on=datetime.date.today())
    bad = post(cast.proposer_user, "/api/feedback/", {"reply": reply.pk, "rating": "great"})
    assert bad.status_code == 400 and "rating" in bad.json()
    response = post(cast.proposer_user, "/api/feedback/", {"reply": reply.pk, "rating": "basically",
                                                            "comments": "基本解决"})
    assert response.status_code == 201, response.content
    assert response.json()["rating_label"] == "基本满意"
    assert Proposal.objects.get(pk=lead.proposal_id).status == Proposal.Status.CLOSED
    twice = post(cast.proposer_user, "/api/feedback/", {"reply": reply.pk, "rating": "satisfied"})
    assert twice.status_code == 400
    assert ids(client_for(cast.liaison).get("/api/feedback/")) == [response.json()["id"]]
    assert client_for(cast.other_liaison).get("/api/feedback/").json()["count"] == 0


def test_dissatisfied_sends_the_proposal_back(cast):
    lead = assignment_at(cast, A.REPLIED)
    reply = Reply.objects.get(assignment=lead)
    Reply.objects.filter(pk=reply.pk).update(feedback_due_on=datetime.date.today())
    without_reason = post(cast.staff, "/api/feedback/", {"reply": reply.pk, "rating": "dissatisfied",
                                                         "proposer": cast.proposer.pk})
    assert without_reason.status_code == 400 and "comments" in without_reason.json()
    response = post(cast.staff, "/api/feedback/", {"reply": reply.pk, "rating": "dissatisfied",
                                                   "proposer": cast.proposer.pk, "comments": "未落实"})
    assert response.status_code == 201
    assert Assignment.objects.get(pk=lead.pk).status == A.REHANDLING


def test_feedback_on_an_invisible_reply_is_a_400(cast):
    lead = assignment_at(cast, A.REPLIED)
    reply = Reply.objects.get(assignment=lead)
    response = post(cast.other_proposer_user, "/api/feedback/", {"reply": reply.pk, "rating": "satisfied"})
    assert response.status_code == 400 and "reply" in response.json()
    assert Feedback.objects.count() == 0


def test_reference_documents_are_public(cast):
    source = SourceDocument.objects.create(file_name="年度工作总结.txt", sha256="a" * 64, text="总结", kind="other",
                                           imported_at=datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC))
    document = ReferenceDocument.objects.create(source=source, title="2023年提案工作总结", issuing_body="市政协",
                                                body="全文", document_date=datetime.date(2024, 1, 5))
    rows = client_for(None).get("/api/reference-documents/", {"q": "工作总结"}).json()["results"]
    assert [r["id"] for r in rows] == [document.pk] and "body" not in rows[0]
    detail = client_for(None).get(f"/api/reference-documents/{document.pk}/").json()
    assert detail["body"] == "全文" and detail["file_name"] == "年度工作总结.txt"
    assert client_for(cast.staff).post("/api/reference-documents/", {}).status_code == 405
