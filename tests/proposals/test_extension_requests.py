"""延期申请 (issue 8; domain.md, "Rules decided"): a liaison asks for more time (reason, wanted
date) on an open assignment of its agency, one pending request at a time; staff approve it
(through assignment_extend, with its "extend" event and its 6-month cap) or refuse it with a
note. Each step leaves an event whose reason only staff and the agency read."""
import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from proposals import services
from proposals.models import Assignment, Event, ExtensionRequest, Proposal
from proposals.services import ActionForbidden, InvalidInput, TransitionNotAllowed
from proposals.visibility import Audience
from tests.api_support import client_for, ids
from tests.factories import (
    WORKFLOW_ACKNOWLEDGED_ON,
    admin_cast,
    assignment_at,
    lead_assignment,
    proposal_at,
)

P = Proposal.Status
A = Assignment.Status
X = ExtensionRequest.Status
pytestmark = pytest.mark.django_db

ASKED_ON = datetime.date(2024, 5, 20)
WANTED = datetime.date(2024, 8, 1)  # the reply was due 2024-06-04; the cap is 2024-09-04


def fresh(obj):
    return type(obj).objects.get(pk=obj.pk)


def ask(cast, assignment, wanted=WANTED, reason="需协调多个部门", actor=None):
    return services.extension_request(actor=actor or cast.liaison, assignment=assignment, wanted_due_on=wanted,
                                      reason=reason, on=ASKED_ON)


# --- the liaison asks --------------------------------------------------------------------------------

def test_a_liaison_requests_an_extension_and_nothing_else_changes_yet(cast):
    lead = assignment_at(cast, A.ACKNOWLEDGED)
    request = ask(cast, lead)
    assert (request.status, request.wanted_due_on, request.requested_on) == (X.PENDING, WANTED, ASKED_ON)
    assert request.requested_by == cast.liaison
    assert fresh(lead).due_on == datetime.date(2024, 6, 4)
    event = Event.objects.get(action="extension_request")
    assert (event.assignment_id, event.note, event.note_audience) == (lead.pk, "需协调多个部门", Audience.HANDLERS)
    assert event.data["wanted_due_on"] == "2024-08-01" and event.data["extension_request"] == request.pk


def test_one_pending_request_per_assignment(cast):
    lead = assignment_at(cast, A.ACKNOWLEDGED)
    first = ask(cast, lead)
    with pytest.raises(TransitionNotAllowed):
        ask(cast, lead, reason="再次申请")
    services.extension_request_refuse(actor=cast.staff, extension_request=first, note="理由不充分")
    assert ask(cast, lead, reason="补充说明").status == X.PENDING
    assert ExtensionRequest.objects.filter(assignment=lead).count() == 2


def test_who_may_ask_and_what(cast):
    lead = assignment_at(cast, A.ACKNOWLEDGED)
    for actor in (cast.other_liaison, cast.co_liaison, cast.proposer_user, cast.plain):
        with pytest.raises(ActionForbidden):
            ask(cast, lead, actor=actor)
    with pytest.raises(InvalidInput) as error:
        ask(cast, lead, reason="  ")
    assert error.value.field == "reason"
    with pytest.raises(InvalidInput) as error:
        ask(cast, lead, wanted=datetime.date(2024, 6, 4))  # not later than the current deadline
    assert error.value.field == "wanted_due_on"
    closed = assignment_at(cast, A.CLOSED)
    with pytest.raises(TransitionNotAllowed):
        ask(cast, closed)
    assert not ExtensionRequest.objects.exists()


# --- staff decide ---------------------------------------------------------------------------------

def test_approval_grants_the_extension_through_assignment_extend(cast):
    lead = assignment_at(cast, A.ACKNOWLEDGED)
    request = ask(cast, lead)
    services.extension_request_approve(actor=cast.staff, extension_request=request, note="同意")
    request, lead = fresh(request), fresh(lead)
    assert (request.status, request.decided_by, request.decision_note) == (X.APPROVED, cast.staff, "同意")
    assert request.decided_on is not None
    assert (lead.due_on, lead.extension_reason, lead.extension_approved_by) == (WANTED, "需协调多个部门", cast.staff)
    assert lead.due_explanation["due"]["extension"]["due_on"] == "2024-08-01"
    extend = Event.objects.get(action="extend")
    assert extend.data == {"from": "2024-06-04", "to": "2024-08-01"}
    with pytest.raises(TransitionNotAllowed):  # decided once
        services.extension_request_refuse(actor=cast.staff, extension_request=request, note="改为不同意")


def test_staff_may_approve_a_shorter_date_but_never_past_the_cap(cast):
    lead = assignment_at(cast, A.ACKNOWLEDGED)
    request = ask(cast, lead, wanted=datetime.date(2024, 10, 8))  # beyond 6 months from the assignment
    with pytest.raises(InvalidInput) as error:
        services.extension_request_approve(actor=cast.staff, extension_request=request)
    assert error.value.field == "new_due_on"
    assert fresh(request).status == X.PENDING and fresh(lead).due_on == datetime.date(2024, 6, 4)
    services.extension_request_approve(actor=cast.staff, extension_request=request,
                                       new_due_on=datetime.date(2024, 9, 4))
    assert fresh(lead).due_on == datetime.date(2024, 9, 4) and fresh(request).status == X.APPROVED


def test_refusal_needs_a_note_and_staff(cast):
    lead = assignment_at(cast, A.ACKNOWLEDGED)
    request = ask(cast, lead)
    with pytest.raises(InvalidInput) as error:
        services.extension_request_refuse(actor=cast.staff, extension_request=request, note=" ")
    assert error.value.field == "note"
    for actor in (cast.liaison, cast.proposer_user):
        with pytest.raises(ActionForbidden):
            services.extension_request_refuse(actor=actor, extension_request=request, note="不同意")
        with pytest.raises(ActionForbidden):
            services.extension_request_approve(actor=actor, extension_request=request)
    services.extension_request_refuse(actor=cast.staff, extension_request=request, note="可按期完成")
    request = fresh(request)
    assert (request.status, request.decision_note, request.decided_by) == (X.REFUSED, "可按期完成", cast.staff)
    event = Event.objects.get(action="extension_refuse")
    assert (event.assignment_id, event.note, event.note_audience) == (lead.pk, "可按期完成", Audience.HANDLERS)
    assert fresh(lead).due_on == datetime.date(2024, 6, 4) and not Event.objects.filter(action="extend").exists()


# --- the API ---------------------------------------------------------------------------------------

def post(user, path, data=None):
    return client_for(user).post(path, data or {}, format="json")


def test_the_api_request_and_approval(cast):
    lead = assignment_at(cast, A.ACKNOWLEDGED)
    url = f"/api/assignments/{lead.pk}/request-extension/"
    assert post(cast.other_liaison, url, {"wanted_due_on": "2024-08-01", "reason": "复杂"}).status_code == 404
    bad = post(cast.liaison, url, {"wanted_due_on": "2024-05-01", "reason": "复杂"})
    assert bad.status_code == 400 and "wanted_due_on" in bad.json()
    created = post(cast.liaison, url, {"wanted_due_on": "2024-08-01", "reason": "需协调多个部门"})
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["status"], body["wanted_due_on"], body["assignment"]) == (X.PENDING, "2024-08-01", lead.pk)
    assert body["status_label"] == "待审批"
    again = post(cast.liaison, url, {"wanted_due_on": "2024-08-01", "reason": "再次"})
    assert again.status_code == 400 and again.json()["code"] == "transition_not_allowed"

    decide = f"/api/extension-requests/{body['id']}/approve/"
    assert post(cast.liaison, decide).status_code == 403
    approved = post(cast.staff, decide, {"note": "同意"})
    assert approved.status_code == 200, approved.content
    assert approved.json()["status"] == X.APPROVED
    assert client_for(cast.staff).get(f"/api/assignments/{lead.pk}/").json()["due_on"] == "2024-08-01"


def test_the_api_refusal_needs_a_note(cast):
    request = ask(cast, assignment_at(cast, A.ACKNOWLEDGED))
    url = f"/api/extension-requests/{request.pk}/refuse/"
    missing = post(cast.staff, url, {})
    assert missing.status_code == 400 and "note" in missing.json()
    refused = post(cast.staff, url, {"note": "可按期完成"})
    assert refused.status_code == 200 and refused.json()["status"] == X.REFUSED


def test_requests_are_read_by_staff_and_the_requesting_agency_only(cast):
    proposal = proposal_at(cast, P.ASSIGNED, co=True)
    lead = lead_assignment(proposal)
    services.assignment_acknowledge(actor=cast.liaison, assignment=lead, on=WORKFLOW_ACKNOWLEDGED_ON)
    request = ask(cast, lead)
    for role, sees in [("staff", True), ("liaison", True), ("co_liaison", False), ("other_liaison", False),
                       ("proposer", False), ("anonymous", False)]:
        client = client_for(cast.actor(role))
        listed = client.get("/api/extension-requests/")
        assert listed.status_code == 200
        assert (request.pk in ids(listed)) is sees, role
        assert client.get(f"/api/extension-requests/{request.pk}/").status_code == (200 if sees else 404), role
    # The reason is handler-only in the proposal's timeline too.
    events = client_for(cast.proposer_user).get("/api/events/", {"action": "extension_request"}).json()["results"]
    assert events and all("需协调多个部门" not in e["note"] for e in events)


def test_the_list_costs_the_same_queries_for_one_row_or_many(cast, django_assert_num_queries):
    for _ in range(3):
        ask(cast, assignment_at(cast, A.ACKNOWLEDGED))
    client = client_for(cast.staff)
    client.get("/api/extension-requests/", {"page_size": 1})
    with CaptureQueriesContext(connection) as one_row:
        client.get("/api/extension-requests/", {"page_size": 1})
    with django_assert_num_queries(len(one_row.captured_queries)):
        assert len(client.get("/api/extension-requests/", {"page_size": 100}).json()["results"]) == 3


# --- the admin ----------------------------------------------------------------------------------

@pytest.fixture
def admin(db):
    return admin_cast()


def step(client, assignment, name, data=None):
    return client.post(reverse("admin:proposals_assignment_step", args=[assignment.pk, name]), data or {})


def buttons(client, assignment):
    page = client.get(reverse("admin:proposals_assignment_change", args=[assignment.pk]))
    assert page.status_code == 200
    return {b["name"] for b in page.context["workflow_buttons"]}


def test_the_admin_steps_request_then_refuse_then_approve(client, admin):
    lead = assignment_at(admin, A.ACKNOWLEDGED)
    client.force_login(admin.liaison)
    assert "request_extension" in buttons(client, lead)
    assert step(client, lead, "request_extension", {"wanted_due_on": "2024-08-01", "reason": ""}).status_code == 400
    assert step(client, lead, "request_extension",
                {"wanted_due_on": "2024-08-01", "reason": "需协调"}).status_code == 302
    assert "request_extension" not in buttons(client, lead)  # one pending request at a time
    assert step(client, lead, "approve_extension", {}).status_code == 403

    client.force_login(admin.staff)
    assert {"approve_extension", "refuse_extension"} <= buttons(client, lead)
    page = client.get(reverse("admin:proposals_assignment_step", args=[lead.pk, "refuse_extension"]))
    assert "需协调" in page.content.decode() and "2024-08-01" in page.content.decode()
    assert step(client, lead, "refuse_extension", {"note": "可按期完成"}).status_code == 302
    assert ExtensionRequest.objects.get().status == X.REFUSED

    services.extension_request(actor=admin.liaison, assignment=lead, wanted_due_on=WANTED, reason="补充说明")
    assert step(client, lead, "approve_extension", {"new_due_on": "", "note": ""}).status_code == 302
    assert fresh(lead).due_on == WANTED
    assert not {"approve_extension", "refuse_extension"} & buttons(client, lead)


def test_the_dashboard_and_the_admin_list_show_pending_requests_to_staff(client, admin):
    waiting = assignment_at(admin, A.ACKNOWLEDGED)
    ask(admin, waiting)
    decided = assignment_at(admin, A.ACKNOWLEDGED)
    services.extension_request_refuse(actor=admin.staff, extension_request=ask(admin, decided), note="不同意")
    client.force_login(admin.staff)
    dash = {s.key: s for s in client.get(reverse("admin:index")).context["dash"]["sections"]}
    assert [a.pk for a in dash["extension_requests"].rows] == [waiting.pk]
    listed = client.get(reverse("admin:proposals_extensionrequest_changelist"))
    assert listed.status_code == 200 and listed.context["cl"].result_count == 2
    assert client.get(reverse("admin:proposals_extensionrequest_add")).status_code == 403

    client.force_login(admin.liaison)
    assert "extension_requests" not in {s.key for s in client.get(reverse("admin:index")).context["dash"]["sections"]}
    assert client.get(reverse("admin:proposals_extensionrequest_changelist")).status_code == 403


def test_the_request_list_filters_by_status():
    """One FilterSet per model: ?status= narrows the list of requests."""
    cast = admin_cast()
    lead = assignment_at(cast, A.ACKNOWLEDGED)
    services.extension_request(actor=cast.liaison, assignment=lead, wanted_due_on=lead.due_on + datetime.timedelta(30),
                               reason="需要调研")
    pending = client_for(cast.staff).get("/api/extension-requests/", {"status": "pending"}).json()
    refused = client_for(cast.staff).get("/api/extension-requests/", {"status": "refused"}).json()
    assert (pending["count"], refused["count"]) == (1, 0)
    assert client_for(cast.staff).get("/api/extension-requests/", {"status": "maybe"}).status_code == 400
    assert ExtensionRequest.objects.count() == 1
