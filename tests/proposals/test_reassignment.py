"""What the proposal committee does with the agencies of a proposal in handling (issue 8):
uphold an objection with a reassignment (to any agency, one relieved earlier included), swap
the lead and a co-handler, add and drop a co-handler, and refuse an agency outside the
committee's region unless staff say so explicitly. Each step needs a reason and leaves events."""
import datetime

import pytest
from django.urls import reverse

from proposals import services
from proposals.models import Assignment, Event, Proposal
from proposals.selectors import visible_proposals
from proposals.services import ActionForbidden, InvalidInput, TransitionNotAllowed
from proposals.visibility import Audience
from replies import services as reply_services
from tests.api_support import client_for
from tests.factories import (
    WORKFLOW_ACKNOWLEDGED_ON,
    AgencyFactory,
    admin_cast,
    lead_assignment,
    proposal_at,
    reply_drafted,
)

P = Proposal.Status
A = Assignment.Status
R = Assignment.Role
pytestmark = pytest.mark.django_db

OBJECTED_AGAIN_ON = datetime.date(2024, 3, 6)
SWAPPED_ON = datetime.date(2024, 3, 11)  # a Monday: +1 and +3 months fall on working days
ADDED_ON = datetime.date(2024, 3, 12)


def fresh(obj):
    return type(obj).objects.get(pk=obj.pk)


def co_assignment(proposal):
    return proposal.assignments.get(role=R.CO, status__in=Assignment.OPEN_STATUSES)


def objected(cast, assignment, liaison, on=WORKFLOW_ACKNOWLEDGED_ON):
    return services.assignment_object(actor=liaison, assignment=assignment, reason="不属于本单位职责", on=on)


# --- (1) an upheld objection reassigns, to an agency relieved earlier too -------------------------

def test_an_objection_can_send_the_proposal_back_to_an_agency_relieved_earlier(cast):
    proposal = proposal_at(cast, P.ASSIGNED)
    first = lead_assignment(proposal)
    objected(cast, first, cast.liaison)
    services.assignment_decide_objection(actor=cast.staff, assignment=first, uphold=True, note="改由备用单位",
                                         new_agency=cast.spare_agency, on=WORKFLOW_ACKNOWLEDGED_ON)
    second = proposal.assignments.get(agency=cast.spare_agency)
    Assignment.objects.filter(pk=second.pk).update(objection_due_on=OBJECTED_AGAIN_ON)
    services.assignment_object(actor=cast.staff, assignment=second, reason="也不属于本单位", on=OBJECTED_AGAIN_ON)

    services.assignment_decide_objection(actor=cast.staff, assignment=second, uphold=True, note="仍由原单位主办",
                                         new_agency=cast.agency, on=OBJECTED_AGAIN_ON)

    rows = list(proposal.assignments.filter(agency=cast.agency).order_by("id"))
    assert [(a.status, a.role) for a in rows] == [(A.REASSIGNED, R.LEAD), (A.ASSIGNED, R.LEAD)]
    assert rows[1].assigned_on == OBJECTED_AGAIN_ON and fresh(second).status == A.REASSIGNED
    assert fresh(proposal).next_due_on == rows[1].due_on
    assert proposal in visible_proposals(cast.liaison)  # the agency follows the proposal again


def test_upholding_needs_a_reason_and_an_agency_that_does_not_stand_on_the_proposal(cast):
    proposal = proposal_at(cast, P.ASSIGNED, co=True)
    lead = lead_assignment(proposal)
    objected(cast, lead, cast.liaison)
    with pytest.raises(InvalidInput) as error:
        services.assignment_decide_objection(actor=cast.staff, assignment=lead, uphold=True, note=" ",
                                             new_agency=cast.spare_agency)
    assert error.value.field == "note"
    for standing in (cast.agency, cast.co_agency):  # the objecting agency itself, the co-handler
        with pytest.raises(InvalidInput) as error:
            services.assignment_decide_objection(actor=cast.staff, assignment=lead, uphold=True, note="改办",
                                                 new_agency=standing)
        assert error.value.field == "new_agency"
    assert fresh(lead).status == A.OBJECTED and proposal.assignments.count() == 2


# --- (4) the committee's region -----------------------------------------------------------------

def test_an_objection_is_not_upheld_by_reassigning_to_another_citys_agency(cast):
    elsewhere = AgencyFactory(name="别市教育局", region="别市")
    lead = lead_assignment(proposal_at(cast, P.ASSIGNED))
    objected(cast, lead, cast.liaison)
    with pytest.raises(InvalidInput) as error:
        services.assignment_decide_objection(actor=cast.staff, assignment=lead, uphold=True, note="改办",
                                             new_agency=elsewhere)
    assert error.value.field == "new_agency" and "别市" in error.value.message
    assert fresh(lead).status == A.OBJECTED

    services.assignment_decide_objection(actor=cast.staff, assignment=lead, uphold=True, note="省里指定",
                                         new_agency=elsewhere, allow_other_region=True)
    assert lead.proposal.assignments.get(agency=elsewhere).status == A.ASSIGNED
    decision = Event.objects.get(assignment=lead, action="decide_objection")
    assert decision.data["allow_other_region"] is True


def test_a_blank_region_on_either_side_is_not_refused(cast):
    unplaced = AgencyFactory(name="某垂直管理单位", region="")
    services.proposal_assign(actor=cast.staff, proposal=proposal_at(cast, P.FILED), lead=unplaced)
    cast.session.committee.region = ""
    cast.session.committee.save()
    elsewhere = AgencyFactory(name="别市住建局", region="别市")
    services.proposal_assign(actor=cast.staff, proposal=proposal_at(cast, P.FILED), lead=elsewhere)
    assert Assignment.objects.filter(agency__in=[unplaced, elsewhere], status=A.ASSIGNED).count() == 2


@pytest.mark.parametrize("role", ["lead", "co", "separate"])
def test_proposal_assign_refuses_another_regions_agency_unless_allowed(cast, role):
    elsewhere = AgencyFactory(name=f"别市{role}局", region="别市")
    plan = {"lead": {"lead": elsewhere}, "co": {"lead": cast.agency, "co": [elsewhere]},
            "separate": {"separate": [cast.agency, elsewhere]}}[role]
    proposal = proposal_at(cast, P.FILED)
    with pytest.raises(InvalidInput) as error:
        services.proposal_assign(actor=cast.staff, proposal=proposal, **plan)
    assert error.value.field == role
    assert fresh(proposal).status == P.FILED and not proposal.assignments.exists()

    services.proposal_assign(actor=cast.staff, proposal=proposal, allow_other_region=True, **plan)
    event = Event.objects.get(assignment__agency=elsewhere, action="assign")
    assert event.data["allow_other_region"] is True and event.data["agency_region"] == "别市"


# --- (2) swapping the lead and a co-handler -------------------------------------------------------

def test_swapping_lead_and_co_recomputes_both_deadlines_with_one_event_each(cast):
    proposal = proposal_at(cast, P.ASSIGNED, co=True)
    lead, co = lead_assignment(proposal), co_assignment(proposal)
    services.assignment_acknowledge(actor=cast.liaison, assignment=lead, on=WORKFLOW_ACKNOWLEDGED_ON)

    services.assignment_swap_with_lead(actor=cast.staff, assignment=co, reason="会办单位职责更直接", on=SWAPPED_ON)

    lead, co = fresh(lead), fresh(co)
    assert (lead.role, lead.status) == (R.CO, A.ACKNOWLEDGED)
    assert (co.role, co.status) == (R.LEAD, A.ASSIGNED)
    assert co.due_on == co.original_due_on == datetime.date(2024, 6, 11)  # reply: 3 months from the swap
    assert lead.due_on == lead.original_due_on == datetime.date(2024, 4, 11)  # opinion: 1 month
    assert co.due_explanation["due"]["rule"] == "reply_months"
    assert lead.due_explanation["due"]["rule"] == "co_opinion_months"
    assert lead.due_explanation["objection"] == lead_assignment_objection(proposal, cast.agency)
    assert fresh(proposal).next_due_on == co.due_on
    events = {e.assignment_id: e for e in Event.objects.filter(proposal=proposal, action="change_role")}
    assert set(events) == {lead.pk, co.pk}
    assert (events[co.pk].data["from_role"], events[co.pk].data["to_role"]) == (R.CO, R.LEAD)
    assert events[co.pk].data["deadline"]["due_on"] == "2024-06-11"
    assert events[co.pk].note == "会办单位职责更直接" and events[co.pk].note_audience == Audience.HANDLERS


def lead_assignment_objection(proposal, agency):
    """The objection window as first computed: a change of role does not reopen it."""
    return proposal.assignments.get(agency=agency).due_explanation["objection"]


def test_a_swap_follows_a_session_wide_reply_date(cast):
    cast.session.reply_fixed_date = datetime.date(2024, 6, 28)
    cast.session.save()
    proposal = proposal_at(cast, P.ASSIGNED, co=True)
    co = co_assignment(proposal)
    services.assignment_swap_with_lead(actor=cast.staff, assignment=co, reason="调整主办", on=SWAPPED_ON)
    assert fresh(co).due_on == datetime.date(2024, 6, 28)


def test_a_swap_needs_a_reason_staff_and_two_agencies_still_at_work(cast):
    proposal = proposal_at(cast, P.ASSIGNED, co=True)
    lead, co = lead_assignment(proposal), co_assignment(proposal)
    with pytest.raises(InvalidInput) as error:
        services.assignment_swap_with_lead(actor=cast.staff, assignment=co, reason="")
    assert error.value.field == "reason"
    for actor in (cast.liaison, cast.co_liaison, cast.proposer_user):
        with pytest.raises(ActionForbidden):
            services.assignment_swap_with_lead(actor=actor, assignment=co, reason="调整")
    with pytest.raises(TransitionNotAllowed):  # asked on the lead itself
        services.assignment_swap_with_lead(actor=cast.staff, assignment=lead, reason="调整")
    services.assignment_acknowledge(actor=cast.co_liaison, assignment=co, on=WORKFLOW_ACKNOWLEDGED_ON)
    opinion = reply_drafted(cast, co, actor=cast.co_liaison)
    reply_services.reply_submit(actor=cast.co_liaison, reply=opinion, on=WORKFLOW_ACKNOWLEDGED_ON)
    with pytest.raises(TransitionNotAllowed):  # the co-handler's opinion is in
        services.assignment_swap_with_lead(actor=cast.staff, assignment=fresh(co), reason="调整")
    assert (fresh(lead).role, fresh(co).role) == (R.LEAD, R.CO)
    assert not Event.objects.filter(action="change_role").exists()


# --- (3) adding and dropping a co-handler -------------------------------------------------------

def test_adding_a_co_handler_gives_it_the_opinion_deadline_from_the_day_it_is_added(cast):
    proposal = proposal_at(cast, P.ASSIGNED)
    lead = lead_assignment(proposal)
    added = services.assignment_add_co(actor=cast.staff, assignment=lead, agency=cast.co_agency,
                                       reason="涉及财政资金", on=ADDED_ON)
    assert (added.role, added.status, added.assigned_on) == (R.CO, A.ASSIGNED, ADDED_ON)
    assert added.due_on == datetime.date(2024, 4, 12) and added.objection_due_on == datetime.date(2024, 3, 19)
    event = Event.objects.get(action="add_co")
    assert (event.assignment_id, event.note, event.note_audience) == (added.pk, "涉及财政资金", Audience.HANDLERS)
    assert proposal in visible_proposals(cast.co_liaison)


def test_adding_a_co_handler_is_refused_where_it_makes_no_sense(cast):
    proposal = proposal_at(cast, P.ASSIGNED, co=True)
    lead = lead_assignment(proposal)
    with pytest.raises(InvalidInput) as error:
        services.assignment_add_co(actor=cast.staff, assignment=lead, agency=cast.co_agency, reason="再加")
    assert error.value.field == "agency"
    with pytest.raises(InvalidInput) as error:
        services.assignment_add_co(actor=cast.staff, assignment=lead, agency=cast.spare_agency, reason=" ")
    assert error.value.field == "reason"
    with pytest.raises(ActionForbidden):
        services.assignment_add_co(actor=cast.liaison, assignment=lead, agency=cast.spare_agency, reason="加")
    with pytest.raises(TransitionNotAllowed):  # co-handlers work with the lead: asked on a co-handler
        services.assignment_add_co(actor=cast.staff, assignment=co_assignment(proposal), agency=cast.spare_agency,
                                   reason="加")
    replied = lead_assignment(proposal_at(cast, P.REPLIED))
    with pytest.raises(TransitionNotAllowed):  # the proposal is no longer in handling
        services.assignment_add_co(actor=cast.staff, assignment=replied, agency=cast.spare_agency, reason="加")
    elsewhere = AgencyFactory(name="别市财政局", region="别市")
    with pytest.raises(InvalidInput) as error:
        services.assignment_add_co(actor=cast.staff, assignment=lead, agency=elsewhere, reason="加")
    assert error.value.field == "agency"
    assert proposal.assignments.count() == 2


def test_dropping_a_co_handler_cancels_it_and_it_may_be_added_again(cast):
    proposal = proposal_at(cast, P.ASSIGNED, co=True)
    co = co_assignment(proposal)
    services.assignment_drop_co(actor=cast.staff, assignment=co, reason="与本案无关")
    co = fresh(co)
    assert co.status == A.CANCELLED
    event = Event.objects.get(action="drop_co")
    assert (event.assignment_id, event.from_status, event.to_status) == (co.pk, A.ASSIGNED, A.CANCELLED)
    assert event.note_audience == Audience.HANDLERS
    assert proposal not in visible_proposals(cast.co_liaison)

    again = services.assignment_add_co(actor=cast.staff, assignment=lead_assignment(proposal),
                                       agency=cast.co_agency, reason="仍需会办", on=ADDED_ON)
    assert again.pk != co.pk and fresh(co).status == A.CANCELLED


def test_dropping_is_for_co_handlers_whose_opinion_is_not_in(cast):
    proposal = proposal_at(cast, P.ASSIGNED, co=True)
    lead, co = lead_assignment(proposal), co_assignment(proposal)
    with pytest.raises(TransitionNotAllowed):
        services.assignment_drop_co(actor=cast.staff, assignment=lead, reason="撤销")
    with pytest.raises(InvalidInput):
        services.assignment_drop_co(actor=cast.staff, assignment=co, reason="")
    with pytest.raises(ActionForbidden):
        services.assignment_drop_co(actor=cast.co_liaison, assignment=co, reason="撤销")
    services.assignment_acknowledge(actor=cast.co_liaison, assignment=co, on=WORKFLOW_ACKNOWLEDGED_ON)
    reply_services.reply_submit(actor=cast.co_liaison, reply=reply_drafted(cast, co, actor=cast.co_liaison),
                                on=WORKFLOW_ACKNOWLEDGED_ON)
    with pytest.raises(TransitionNotAllowed):
        services.assignment_drop_co(actor=cast.staff, assignment=fresh(co), reason="撤销")
    assert fresh(co).status == A.REPLIED


# --- the API ---------------------------------------------------------------------------------------

def post(user, path, data=None):
    return client_for(user).post(path, data or {}, format="json")


def test_the_api_swaps_adds_and_drops_with_readable_errors(cast):
    proposal = proposal_at(cast, P.ASSIGNED, co=True)
    lead, co = lead_assignment(proposal), co_assignment(proposal)
    assert post(cast.co_liaison, f"/api/assignments/{co.pk}/swap-with-lead/", {"reason": "调整"}).status_code == 403
    missing = post(cast.staff, f"/api/assignments/{co.pk}/swap-with-lead/", {"reason": ""})
    assert missing.status_code == 400 and "reason" in missing.json()
    swapped = post(cast.staff, f"/api/assignments/{co.pk}/swap-with-lead/", {"reason": "调整主办"})
    assert swapped.status_code == 200, swapped.content
    assert swapped.json()["role"] == R.LEAD

    elsewhere = AgencyFactory(name="别市审计局", region="别市")
    refused = post(cast.staff, f"/api/assignments/{co.pk}/add-co/", {"agency": elsewhere.pk, "reason": "加"})
    assert refused.status_code == 400 and "别市审计局" in refused.json()["agency"][0]
    added = post(cast.staff, f"/api/assignments/{co.pk}/add-co/",
                 {"agency": elsewhere.pk, "reason": "加", "allow_other_region": True})
    assert added.status_code == 201, added.content
    new_co = proposal.assignments.get(agency=elsewhere)
    assert (added.json()["id"], added.json()["role"]) == (new_co.pk, R.CO)
    dropped = post(cast.staff, f"/api/assignments/{new_co.pk}/drop-co/", {"reason": "无需会办"})
    assert dropped.status_code == 200 and dropped.json()["status"] == A.CANCELLED
    assert fresh(lead).role == R.CO


def test_the_api_decides_an_objection_for_another_region_only_when_told(cast):
    lead = lead_assignment(proposal_at(cast, P.ASSIGNED))
    objected(cast, lead, cast.liaison)
    elsewhere = AgencyFactory(name="别市民政局", region="别市")
    url = f"/api/assignments/{lead.pk}/decide-objection/"
    refused = post(cast.staff, url, {"uphold": True, "new_agency": elsewhere.pk, "note": "改办"})
    assert refused.status_code == 400 and "new_agency" in refused.json()
    assert post(cast.staff, url, {"uphold": True, "new_agency": elsewhere.pk, "note": "改办",
                                  "allow_other_region": True}).status_code == 200


# --- the admin ----------------------------------------------------------------------------------

@pytest.fixture
def admin(db):
    return admin_cast()


def step_url(assignment, name):
    return reverse("admin:proposals_assignment_step", args=[assignment.pk, name])


def test_the_decide_objection_page_shows_what_the_agency_wrote(client, admin):
    lead = lead_assignment(proposal_at(admin, P.ASSIGNED))
    services.assignment_object(actor=admin.liaison, assignment=lead, reason="该事项属于住建部门职责",
                               on=WORKFLOW_ACKNOWLEDGED_ON)
    client.force_login(admin.staff)
    page = client.get(step_url(lead, "decide_objection")).content.decode()
    assert "该事项属于住建部门职责" in page and "2024-03-05" in page


def test_the_admin_offers_the_committees_steps_to_staff_only(client, admin):
    proposal = proposal_at(admin, P.ASSIGNED, co=True)
    lead, co = lead_assignment(proposal), co_assignment(proposal)
    client.force_login(admin.staff)
    page = client.get(reverse("admin:proposals_assignment_change", args=[co.pk]))
    assert {"swap_with_lead", "drop_co"} <= {b["name"] for b in page.context["workflow_buttons"]}
    assert client.post(step_url(co, "swap_with_lead"), {"reason": "调整主办"}).status_code == 302
    assert fresh(co).role == R.LEAD
    assert client.post(step_url(co, "add_co"), {"agency": admin.spare_agency.pk, "reason": "加"}).status_code == 302
    added = proposal.assignments.get(agency=admin.spare_agency)
    assert client.post(step_url(added, "drop_co"), {"reason": ""}).status_code == 400
    assert client.post(step_url(added, "drop_co"), {"reason": "撤销"}).status_code == 302
    assert fresh(added).status == A.CANCELLED

    client.force_login(admin.liaison)
    page = client.get(reverse("admin:proposals_assignment_change", args=[lead.pk]))
    assert not {"swap_with_lead", "add_co", "drop_co"} & {b["name"] for b in page.context["workflow_buttons"]}
    assert client.post(step_url(lead, "swap_with_lead"), {"reason": "调整"}).status_code == 403
