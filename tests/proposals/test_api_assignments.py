"""/api/assignments/ with the agency's steps, /api/contacts/ and the read-only /api/events/."""
import datetime

import pytest

from proposals.models import Assignment, ContactLog, Proposal
from tests.api_support import client_for, ids
from tests.factories import assignment_at, proposal_at

A = Assignment.Status
pytestmark = pytest.mark.django_db



def post(user, path, data=None):
    return client_for(user).post(path, data or {}, format="json")


def test_liaison_acknowledges_its_assignment(cast):
    lead = assignment_at(cast, A.ASSIGNED)
    response = post(cast.liaison, f"/api/assignments/{lead.pk}/acknowledge/")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == A.ACKNOWLEDGED
    assert response.json()["acknowledged_on"] == datetime.date.today().isoformat()


def test_acknowledging_twice_is_a_400_with_the_reason(cast):
    lead = assignment_at(cast, A.ACKNOWLEDGED)
    response = post(cast.liaison, f"/api/assignments/{lead.pk}/acknowledge/")
    assert response.status_code == 400
    assert response.json()["code"] == "transition_not_allowed"


def test_objection_needs_a_reason(cast):
    lead = assignment_at(cast, A.ASSIGNED)
    response = post(cast.liaison, f"/api/assignments/{lead.pk}/object/", {"reason": " "})
    assert response.status_code == 400 and "reason" in response.json()


def test_objection_after_the_window_is_refused(cast):
    lead = assignment_at(cast, A.ASSIGNED)  # assigned 2024-03-04: the 5 working days are long over
    response = post(cast.liaison, f"/api/assignments/{lead.pk}/object/", {"reason": "不属于本单位职责"})
    assert response.status_code == 400
    assert "异议期限" in response.json()["detail"]


def test_objection_within_the_window_and_its_decision(cast):
    lead = assignment_at(cast, A.ASSIGNED)
    Assignment.objects.filter(pk=lead.pk).update(objection_due_on=datetime.date.today())
    response = post(cast.liaison, f"/api/assignments/{lead.pk}/object/", {"reason": "不属于本单位职责"})
    assert response.status_code == 200 and response.json()["status"] == A.OBJECTED
    assert post(cast.liaison, f"/api/assignments/{lead.pk}/decide-objection/",
                {"uphold": True, "new_agency": cast.spare_agency.pk}).status_code == 403
    missing_agency = post(cast.staff, f"/api/assignments/{lead.pk}/decide-objection/", {"uphold": True})
    assert missing_agency.status_code == 400 and "new_agency" in missing_agency.json()
    response = post(cast.staff, f"/api/assignments/{lead.pk}/decide-objection/",
                    {"uphold": True, "new_agency": cast.spare_agency.pk, "note": "改由其他单位办理"})
    assert response.status_code == 200
    assert response.json()["status"] == A.REASSIGNED
    assert Assignment.objects.filter(proposal=lead.proposal, agency=cast.spare_agency, role="lead").exists()


def test_extension_within_six_months(cast):
    lead = assignment_at(cast, A.ACKNOWLEDGED)
    too_late = post(cast.staff, f"/api/assignments/{lead.pk}/extend/", {"new_due_on": "2024-12-31", "reason": "复杂"})
    assert too_late.status_code == 400 and "new_due_on" in too_late.json()
    bad_date = post(cast.staff, f"/api/assignments/{lead.pk}/extend/", {"new_due_on": "下月", "reason": "复杂"})
    assert bad_date.status_code == 400 and "new_due_on" in bad_date.json()
    response = post(cast.staff, f"/api/assignments/{lead.pk}/extend/", {"new_due_on": "2024-08-01", "reason": "复杂"})
    assert response.status_code == 200
    assert response.json()["due_on"] == "2024-08-01"
    assert "经批准延期至 2024-08-01" in response.json()["due_explanation"]["due"]["text"]
    assert Proposal.objects.get(pk=lead.proposal_id).next_due_on == datetime.date(2024, 8, 1)


def test_assignment_list_and_detail(cast):
    lead = assignment_at(cast, A.ACKNOWLEDGED)
    row = client_for(cast.liaison).get("/api/assignments/").json()["results"][0]
    assert row["agency"]["name"] == cast.agency.name and row["role_label"] == "主办"
    assert "due_explanation" not in row
    detail = client_for(cast.liaison).get(f"/api/assignments/{lead.pk}/")
    assert detail["ETag"] and detail.json()["due_explanation"]["objection"]["text"]


def test_contacts_recorded_by_the_agency(cast):
    lead = assignment_at(cast, A.ACKNOWLEDGED)
    data = {"assignment": lead.pk, "stage": "during", "form": "visit", "date": "2024-04-01", "note": "走访"}
    response = post(cast.liaison, "/api/contacts/", data)
    assert response.status_code == 201, response.content
    assert response.json()["stage_label"] == "办中沟通"
    assert ContactLog.objects.filter(assignment=lead).count() == 1
    assert post(cast.co_liaison, "/api/contacts/", data).status_code == 400  # cannot see the assignment
    assert post(cast.proposer_user, "/api/contacts/", data).status_code == 403
    future = post(cast.liaison, "/api/contacts/", {**data, "date": "2999-01-01"})
    assert future.status_code == 400 and "date" in future.json()
    assert ids(client_for(cast.proposer_user).get("/api/contacts/")) == [response.json()["id"]]


def test_events_are_read_only(cast):
    proposal = proposal_at(cast, Proposal.Status.ASSIGNED)
    client = client_for(cast.staff)
    events = client.get("/api/events/", {"proposal_id": proposal.pk}).json()["results"]
    assert {e["action"] for e in events} >= {"create", "submit", "file", "assign", "assigned"}
    assert {e["action"]: e["action_label"] for e in events}["file"] == "立案"
    assert client.post("/api/events/", {}).status_code == 405
    assert client.delete(f"/api/events/{events[0]['id']}/").status_code == 405
    assert client.patch(f"/api/events/{events[0]['id']}/", {"note": "x"}).status_code == 405
