"""催办 (issue 11; proposals.services.urging): staff urge an agency on an open assignment, one or
many at once, with a message that only staff and the urged agency read; the urge is an event
in the timeline (with the due date and the days overdue on the day) and counted in the figures
(replies.stats: urged, urged_assignments)."""
import datetime

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from proposals import services
from proposals.event_text import event_text
from proposals.models import Assignment, Event, Proposal
from proposals.services import ActionForbidden, InvalidInput, TransitionNotAllowed
from proposals.services import urging
from proposals.services.base import allowed
from proposals.visibility import Audience, Viewer
from tests.api_support import client_for
from tests.factories import (
    WORKFLOW_ACKNOWLEDGED_ON,
    WORKFLOW_REPLIED_ON,
    admin_cast,
    assignment_at,
    lead_assignment,
    make_cast,
    proposal_at,
    reply_sent,
)

A = Assignment.Status
P = Proposal.Status
pytestmark = pytest.mark.django_db

MESSAGE = "请于本周内报送答复"
DUE = datetime.date(2024, 6, 4)  # the lead's reply deadline of every assignment_at()
TEN_DAYS_LATE = datetime.date(2024, 6, 14)


def urge(cast, assignment, message=MESSAGE, actor=None, on=TEN_DAYS_LATE):
    return services.assignment_urge(actor=actor or cast.staff, assignment=assignment, message=message, on=on)


def co_of(proposal):
    return proposal.assignments.get(role=Assignment.Role.CO)


# --- the service -----------------------------------------------------------------------------------

def test_an_urge_is_an_event_with_the_message_and_the_deadline_of_the_day(cast):
    lead = assignment_at(cast, A.ACKNOWLEDGED)
    version = lead.version
    urge(cast, lead, message=f"  {MESSAGE}\n")
    event = Event.objects.get(action="urge")
    assert (event.assignment_id, event.proposal_id, event.actor) == (lead.pk, lead.proposal_id, cast.staff)
    assert (event.note, event.note_audience) == (MESSAGE, Audience.HANDLERS)
    assert event.data == {"due_on": "2024-06-04", "days_overdue": 10}
    after = Assignment.objects.get(pk=lead.pk)
    # Nothing but the record: no status, no deadline moves; a new version (the ETag) all the same.
    assert (after.status, after.due_on, after.version) == (A.ACKNOWLEDGED, DUE, version + 1)


def test_an_urge_before_the_deadline_counts_no_days_overdue(cast):
    urge(cast, assignment_at(cast, A.ASSIGNED), on=datetime.date(2024, 5, 20))
    assert Event.objects.get(action="urge").data == {"due_on": "2024-06-04", "days_overdue": 0}


@pytest.mark.parametrize("role", ["liaison", "co_liaison", "other_liaison", "proposer", "plain", "anonymous"])
def test_only_staff_urge(cast, role):
    lead = assignment_at(cast, A.ACKNOWLEDGED)
    with pytest.raises(ActionForbidden):
        urge(cast, lead, actor=cast.actor(role))
    assert not allowed(urging.check_urge, cast.actor(role), lead)
    assert not Event.objects.filter(action="urge").exists()


@pytest.mark.parametrize("status", [A.ASSIGNED, A.ACKNOWLEDGED, A.REHANDLING])
def test_an_assignment_that_owes_its_answer_is_urged(cast, status):
    assignment = assignment_at(cast, status)
    assert allowed(urging.check_urge, cast.staff, assignment)
    urge(cast, assignment)
    assert Event.objects.filter(action="urge", assignment=assignment).count() == 1


@pytest.mark.parametrize("status, says", [
    (A.REPLIED, "交办当前状态为“已答复”,不需要催办"),
    (A.CLOSED, "交办当前状态为“已办结”,不需要催办"),
    (A.CANCELLED, "交办当前状态为“已撤销”,不需要催办"),
    (A.REASSIGNED, "交办当前状态为“已改办”,不需要催办"),
    (A.OBJECTED, "该单位的交办异议尚待处理,处理后再催办"),
])
def test_an_assignment_that_owes_nothing_now_is_not_urged(cast, status, says):
    assignment = assignment_at(cast, status)
    with pytest.raises(TransitionNotAllowed) as refusal:
        urge(cast, assignment)
    assert str(refusal.value.message) == says
    assert not allowed(urging.check_urge, cast.staff, assignment)
    assert not Event.objects.filter(action="urge").exists()


def test_a_co_handler_is_urged_for_its_opinion_even_after_the_lead_replied(cast):
    proposal = proposal_at(cast, P.REPLIED, co=True)
    co = co_of(proposal)
    assert co.is_open
    urge(cast, co)
    assert Event.objects.get(action="urge").assignment_id == co.pk


@pytest.mark.parametrize("message", ["", "   \n", None])
def test_the_message_is_required(cast, message):
    with pytest.raises(InvalidInput) as error:
        urge(cast, assignment_at(cast, A.ACKNOWLEDGED), message=message)
    assert error.value.field == "message"
    assert not Event.objects.filter(action="urge").exists()


def test_the_message_has_a_length_limit(cast):
    lead = assignment_at(cast, A.ACKNOWLEDGED)
    with pytest.raises(InvalidInput) as error:
        urge(cast, lead, message="催" * (urging.MAX_MESSAGE_CHARS + 1))
    assert error.value.field == "message"
    urge(cast, lead, message="催" * urging.MAX_MESSAGE_CHARS)
    assert Event.objects.filter(action="urge").count() == 1


# --- the note, by reader ---------------------------------------------------------------------------

@pytest.fixture
def urged(cast):
    """The lead of a proposal with a co-handler, urged 10 days after its deadline."""
    proposal = proposal_at(cast, P.ASSIGNED, co=True)
    urge(cast, lead_assignment(proposal))
    return proposal


@pytest.mark.parametrize("role, reads", [("staff", True), ("liaison", True), ("co_liaison", False),
                                         ("proposer", False)])
def test_the_message_is_read_by_staff_and_the_urged_agency_only(cast, urged, role, reads):
    event = Event.objects.get(action="urge")
    text = event_text(Viewer.of(cast.actor(role)), event)
    assert text.startswith("办理期限 2024-06-04,已逾期 10 天")
    assert (MESSAGE in text) is reads
    if not reads:
        assert "仅提案委员会和该承办单位可见" in text
    listed = client_for(cast.actor(role)).get("/api/events/", {"proposal_id": urged.pk, "action": "urge"}).json()
    assert [e["note"] for e in listed["results"]] == [text]
    assert listed["results"][0]["action_label"] == "催办"


@pytest.mark.parametrize("role", ["anonymous", "plain", "other_liaison", "other_proposer"])
def test_the_uninvolved_see_no_urge(cast, urged, role):
    listed = client_for(cast.actor(role)).get("/api/events/", {"action": "urge"})
    assert listed.status_code == 200 and listed.json()["results"] == []


def test_the_timeline_of_the_proposal_page_shows_the_urge(client, db):
    cast = admin_cast()
    proposal = proposal_at(cast, P.ASSIGNED)
    urge(cast, lead_assignment(proposal))
    url = reverse("admin:proposals_proposal_change", args=[proposal.pk])
    client.force_login(cast.staff)
    staff_page = client.get(url).content.decode()
    assert "催办" in staff_page and MESSAGE in staff_page and "已逾期 10 天" in staff_page
    client.force_login(cast.proposer_user)
    member_page = client.get(url).content.decode()
    assert "已逾期 10 天" in member_page and MESSAGE not in member_page


# --- many at once ----------------------------------------------------------------------------------

def test_urging_many_urges_what_may_be_urged_and_says_why_not_the_rest(cast):
    proposal = proposal_at(cast, P.ASSIGNED, co=True)
    lead, co = lead_assignment(proposal), co_of(proposal)
    closed, objected = assignment_at(cast, A.CLOSED), assignment_at(cast, A.OBJECTED)
    result = services.assignment_urge_many(actor=cast.staff, assignments=[lead, closed, co, objected, lead],
                                           message=MESSAGE, on=TEN_DAYS_LATE)
    assert [a.pk for a in result.urged] == [lead.pk, co.pk]
    assert [(a.pk, reason) for a, reason in result.skipped] == [
        (closed.pk, "交办当前状态为“已办结”,不需要催办"), (objected.pk, "该单位的交办异议尚待处理,处理后再催办")]
    # Each urged once, in its own transaction: the refusals in between undid nothing.
    assert sorted(Event.objects.filter(action="urge").values_list("assignment_id", flat=True)) == sorted(
        [lead.pk, co.pk])


def test_urging_many_checks_the_actor_and_the_message_before_writing(cast, monkeypatch):
    lead = assignment_at(cast, A.ACKNOWLEDGED)
    with pytest.raises(ActionForbidden):
        services.assignment_urge_many(actor=cast.liaison, assignments=[lead], message=MESSAGE)
    with pytest.raises(InvalidInput) as error:
        services.assignment_urge_many(actor=cast.staff, assignments=[lead], message=" ")
    assert error.value.field == "message"
    monkeypatch.setattr(urging, "MAX_BATCH", 1)
    with pytest.raises(InvalidInput) as error:
        services.assignment_urge_many(actor=cast.staff, assignments=[lead, assignment_at(cast, A.ASSIGNED)],
                                      message=MESSAGE)
    assert error.value.field == "assignments"
    assert not Event.objects.filter(action="urge").exists()


# --- the admin ------------------------------------------------------------------------------------

@pytest.fixture
def admin(db):
    return admin_cast()


def step_url(assignment):
    return reverse("admin:proposals_assignment_step", args=[assignment.pk, "urge"])


def buttons(client, assignment):
    page = client.get(reverse("admin:proposals_assignment_change", args=[assignment.pk]))
    assert page.status_code == 200
    return {b["name"] for b in page.context["workflow_buttons"]}


def test_the_urge_step_on_the_assignment_page(client, admin):
    lead = assignment_at(admin, A.ACKNOWLEDGED)
    client.force_login(admin.liaison)
    assert "urge" not in buttons(client, lead)
    assert client.post(step_url(lead), {"message": MESSAGE}).status_code == 403
    client.force_login(admin.staff)
    assert "urge" in buttons(client, lead)
    assert "urge" not in buttons(client, assignment_at(admin, A.CLOSED))
    assert client.get(step_url(lead)).status_code == 200
    assert client.post(step_url(lead), {"message": ""}).status_code == 400
    assert not Event.objects.filter(action="urge").exists()
    assert client.post(step_url(lead), {"message": MESSAGE}).status_code == 302
    assert Event.objects.get(action="urge").note == MESSAGE


def changelist(model):
    return reverse(f"admin:proposals_{model}_changelist")


def bulk(client, model, selected, **data):
    return client.post(changelist(model), {"action": "urge_selected", "_selected_action": [o.pk for o in selected],
                                           **data}, follow="urge_confirm" in data)


def bar(response):
    return [(m.level_tag, str(m)) for m in get_messages(response.wsgi_request)]


def test_urging_selected_assignments_asks_for_the_message_then_reports(client, admin):
    lead, closed = assignment_at(admin, A.ACKNOWLEDGED), assignment_at(admin, A.CLOSED)
    client.force_login(admin.staff)
    page = bulk(client, "assignment", [lead, closed], index="0")
    assert page.status_code == 200
    assert page.templates[0].name == "admin/workflow/urge_selected.html"
    html = page.content.decode()
    assert "将催办 1 个交办" in html and "交办当前状态为“已办结”,不需要催办" in html
    assert not Event.objects.filter(action="urge").exists()  # only asked

    again = bulk(client, "assignment", [lead, closed], urge_confirm="yes", message="")
    assert again.status_code == 400 and not Event.objects.filter(action="urge").exists()

    done = bulk(client, "assignment", [lead, closed], urge_confirm="yes", message=MESSAGE)
    assert done.status_code == 200 and done.redirect_chain[-1][0].startswith(changelist("assignment"))
    assert list(Event.objects.filter(action="urge").values_list("assignment_id", "note")) == [(lead.pk, MESSAGE)]
    number = lead.proposal.number
    assert bar(done) == [
        ("success", f"已催办 1 个交办:第{number}号 {admin.agency.name}(主办)"),
        ("warning", f"未催办 第{closed.proposal.number}号 {admin.agency.name}(主办):交办当前状态为“已办结”,不需要催办"),
    ]


def test_urging_selected_proposals_urges_each_open_assignment(client, admin):
    assigned = proposal_at(admin, P.ASSIGNED, co=True)
    closed = proposal_at(admin, P.CLOSED)
    client.force_login(admin.staff)
    assert bulk(client, "proposal", [assigned, closed], index="0").status_code == 200
    done = bulk(client, "proposal", [assigned, closed], urge_confirm="yes", message=MESSAGE)
    urged = set(Event.objects.filter(action="urge").values_list("assignment_id", flat=True))
    assert urged == {lead_assignment(assigned).pk, co_of(assigned).pk}
    assert ("warning", f"未催办 第{closed.number}号:该提案没有待办理的交办") in bar(done)


@pytest.mark.parametrize("role", ["liaison", "proposer"])
def test_urging_selected_is_not_offered_to_others(client, admin, role):
    lead = assignment_at(admin, A.ACKNOWLEDGED)
    client.force_login(admin.actor(role))
    page = client.get(changelist("assignment"))
    if page.status_code == 200:
        assert "urge_selected" not in page.content.decode()
    bulk(client, "assignment", [lead], urge_confirm="yes", message=MESSAGE)
    assert not Event.objects.filter(action="urge").exists()


# --- the API ---------------------------------------------------------------------------------------

def post(user, path, data=None, **headers):
    return client_for(user).post(path, data or {}, format="json", **headers)


def test_the_api_urges_one_assignment(cast):
    lead = assignment_at(cast, A.ACKNOWLEDGED)
    url = f"/api/assignments/{lead.pk}/urge/"
    missing = post(cast.staff, url, {})
    assert missing.status_code == 400 and "message" in missing.json()
    too_long = post(cast.staff, url, {"message": "催" * (urging.MAX_MESSAGE_CHARS + 1)})
    assert too_long.status_code == 400 and "message" in too_long.json()
    assert post(cast.liaison, url, {"message": MESSAGE}).status_code == 403
    assert post(cast.other_liaison, url, {"message": MESSAGE}).status_code == 404
    assert post(None, url, {"message": MESSAGE}).status_code == 401
    assert not Event.objects.filter(action="urge").exists()
    done = post(cast.staff, url, {"message": MESSAGE})
    assert done.status_code == 200, done.content
    assert (done.json()["id"], done.json()["status"]) == (lead.pk, A.ACKNOWLEDGED)
    assert Event.objects.get(action="urge").note == MESSAGE
    closed = post(cast.staff, f"/api/assignments/{assignment_at(cast, A.CLOSED).pk}/urge/", {"message": MESSAGE})
    assert closed.status_code == 400 and closed.json()["code"] == "transition_not_allowed"


def test_the_api_urge_honours_if_match(cast):
    lead = assignment_at(cast, A.ACKNOWLEDGED)
    etag = client_for(cast.staff).get(f"/api/assignments/{lead.pk}/")["ETag"]
    url = f"/api/assignments/{lead.pk}/urge/"
    first = post(cast.staff, url, {"message": MESSAGE}, HTTP_IF_MATCH=etag)
    assert first.status_code == 200 and first["ETag"] != etag
    stale = post(cast.staff, url, {"message": "再次催办"}, HTTP_IF_MATCH=etag)
    assert stale.status_code == 409 and stale.json()["code"] == "concurrent_change"
    assert list(Event.objects.filter(action="urge").values_list("note", flat=True)) == [MESSAGE]


def test_the_api_urges_many(cast):
    proposal = proposal_at(cast, P.ASSIGNED, co=True)
    lead, co = lead_assignment(proposal), co_of(proposal)
    closed = assignment_at(cast, A.CLOSED)
    missing = Assignment.objects.order_by("-pk").first().pk + 1000
    body = {"ids": [lead.pk, closed.pk, missing, co.pk, lead.pk], "message": MESSAGE}
    done = post(cast.staff, "/api/assignments/urge/", body)
    assert done.status_code == 200, done.content
    assert done.json() == {"urged": [lead.pk, co.pk], "skipped": [
        {"id": closed.pk, "reason": "交办当前状态为“已办结”,不需要催办"},
        {"id": missing, "reason": "不存在或无权查看"}]}
    assert Event.objects.filter(action="urge").count() == 2


@pytest.mark.parametrize("body, field", [
    ({"message": MESSAGE}, "ids"), ({"ids": [], "message": MESSAGE}, "ids"), ({"ids": ["x"], "message": MESSAGE}, "ids.0"),
    ({"ids": 5, "message": MESSAGE}, "ids"), ({"ids": [1]}, "message"), ({"ids": [1], "message": "  "}, "message"),
])
def test_the_api_bulk_urge_refuses_bad_input(cast, body, field):
    response = post(cast.staff, "/api/assignments/urge/", body)
    assert response.status_code == 400 and field in response.json()


def test_the_api_bulk_urge_is_for_staff_and_tells_others_nothing(cast):
    own = assignment_at(cast, A.ACKNOWLEDGED)  # the liaison's own: visible, still not theirs to urge
    hidden = lead_assignment(proposal_at(make_cast(), P.ASSIGNED))
    for user, status in [(cast.liaison, 403), (cast.other_liaison, 403), (cast.proposer_user, 403), (None, 401)]:
        response = post(user, "/api/assignments/urge/", {"ids": [own.pk, hidden.pk], "message": MESSAGE})
        assert response.status_code == status
        assert str(hidden.pk) not in response.content.decode()
    assert not Event.objects.filter(action="urge").exists()


def test_the_schema_documents_both_urge_actions(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    one = schema["paths"]["/api/assignments/{id}/urge/"]["post"]
    assert {"200", "400", "401", "403", "404", "409"} <= set(one["responses"])
    assert any(p["name"] == "If-Match" for p in one["parameters"])
    many = schema["paths"]["/api/assignments/urge/"]["post"]
    assert {"200", "400", "401", "403"} <= set(many["responses"])
    figures = schema["components"]["schemas"]["StatsFigures"]["properties"]
    assert figures["urged"]["type"] == figures["urged_assignments"]["type"] == "integer"


# --- the figures ------------------------------------------------------------------------------------

@pytest.fixture
def urges(cast):
    """Three proposals of one session: the first's lead urged twice and its co-handler once, the
    second's lead once, the third's lead once before it replied, its reply then published (the
    public sees that proposal, not its timeline); and one urge in another committee."""
    from replies import services as reply_services

    first = proposal_at(cast, P.ASSIGNED, co=True)
    second = proposal_at(cast, P.ASSIGNED)
    third = proposal_at(cast, P.ASSIGNED)
    proposal_at(cast, P.CLOSED)
    for assignment in (lead_assignment(first), lead_assignment(first), co_of(first), lead_assignment(second),
                       lead_assignment(third)):
        urge(cast, assignment)
    services.assignment_acknowledge(actor=cast.liaison, assignment=lead_assignment(third), on=WORKFLOW_ACKNOWLEDGED_ON)
    reply_services.reply_publish(actor=cast.staff, reply=reply_sent(cast, lead_assignment(third)),
                                 on=WORKFLOW_REPLIED_ON)
    assert Proposal.objects.get(pk=third.pk).answered_publicly
    cast.other = make_cast()
    urge(cast.other, lead_assignment(proposal_at(cast.other, P.ASSIGNED)))
    return cast


def stats(user, **params):
    response = client_for(user).get("/api/stats/", params)
    assert response.status_code == 200, response.content
    return response.json()


def urge_figures(row):
    return row["urged"], row["urged_assignments"]


def test_urges_are_counted_per_agency_committee_and_session(urges):
    cast = urges
    by_agency = {g["group"]["id"]: g for g in stats(cast.staff, group_by="agency", session_id=cast.session.pk)["groups"]}
    assert urge_figures(by_agency[cast.agency.pk]) == (4, 3)
    assert urge_figures(by_agency[cast.co_agency.pk]) == (1, 1)
    by_committee = stats(cast.staff, group_by="committee")
    committees = {g["group"]["id"]: g for g in by_committee["groups"]}
    assert urge_figures(committees[cast.session.committee_id]) == (5, 4)
    assert urge_figures(committees[cast.other.session.committee_id]) == (1, 1)
    assert urge_figures(by_committee["total"]) == (6, 5)
    by_session = stats(cast.staff, group_by="session", session_id=cast.session.pk)
    assert urge_figures(by_session["groups"][0]) == urge_figures(by_session["total"]) == (5, 4)
    # Filtered to an agency, only that agency's urges.
    filtered = stats(cast.staff, group_by="committee", agency=cast.co_agency.name)
    assert urge_figures(filtered["total"]) == (1, 1)


def test_urges_are_counted_in_the_one_statement_of_the_figures(urges):
    """Counted live (a liaison's figures, a filtered report), the urges are read in the one
    statement of the handling figures; the staff's whole report reads the kept counts instead."""
    for user, params in ((urges.liaison, {}), (urges.staff, {"session_id": urges.session.pk})):
        with CaptureQueriesContext(connection) as queries:
            stats(user, group_by="agency", **params)
        reading_events = [q["sql"] for q in queries.captured_queries if Event._meta.db_table in q["sql"]]
        assert len(reading_events) == 1 and "MATERIALIZED" in reading_events[0]
    with CaptureQueriesContext(connection) as queries:
        whole = stats(urges.staff, group_by="agency")
    assert not [q for q in queries.captured_queries if Event._meta.db_table in q["sql"]]
    assert urge_figures(whole["total"]) == (6, 5)  # both committees


def test_urges_are_counted_as_the_caller_may_see_the_timeline(urges):
    cast = urges
    # The lead agency follows the three proposals' timelines, its co-handler's urge included.
    assert urge_figures(stats(cast.liaison)["total"]) == (5, 4)
    # The co-handler follows the first proposal's; it sees the published third, not its timeline.
    assert urge_figures(stats(cast.co_liaison)["total"]) == (3, 2)
    assert urge_figures(stats(cast.proposer_user)["total"]) == (5, 4)
    assert urge_figures(stats(cast.other_liaison)["total"]) == (0, 0)
    for outsider in (cast.plain, None):
        body = stats(outsider)
        assert urge_figures(body["total"]) == (None, None)
        assert all(urge_figures(g) == (None, None) for g in body["groups"])
