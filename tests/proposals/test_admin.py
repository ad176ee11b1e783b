"""The admin pages render for every role, in a number of queries that does not grow with the
data, and each role sees exactly its own rows (proposals.selectors decides, the admin obeys)."""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from proposals import services
from proposals.models import Assignment, CalendarDay, ContactLog, Event, Proposal, SupervisionLog
from replies import services as reply_services
from replies.models import Feedback, Reply
from tests.factories import (
    WORKFLOW_FEEDBACK_ON,
    AgencyAliasFactory,
    admin_cast,
    lead_assignment,
    proposal_at,
    reply_drafted,
)

S = Proposal.Status
ROLES = ("staff", "liaison", "proposer")
CHANGELISTS = [
    "admin:proposals_proposal_changelist",
    "admin:proposals_assignment_changelist",
    "admin:proposals_contactlog_changelist",
    "admin:proposals_supervisionlog_changelist",
    "admin:proposals_event_changelist",
    "admin:proposals_committee_changelist",
    "admin:proposals_session_changelist",
    "admin:proposals_proposer_changelist",
    "admin:proposals_agency_changelist",
    "admin:proposals_agencyalias_changelist",
    "admin:proposals_calendarday_changelist",
    "admin:replies_reply_changelist",
    "admin:replies_feedback_changelist",
    "admin:index",
]
MAX_LIST_QUERIES = 30
MAX_PAGE_QUERIES = 45


@pytest.fixture
def cast(db):
    return admin_cast()


def full_proposal(cast, number=""):
    """A closed key proposal with a co-handler, a reply, a rating, a contact and a supervision entry."""
    proposal = proposal_at(cast, S.REPLIED, co=True, number=number)
    lead = lead_assignment(proposal)
    services.contact_record(actor=cast.liaison, assignment=lead, stage="before", form="phone",
                            date=lead.assigned_on, note="电话沟通")
    proposal = services.proposal_mark_key(actor=cast.staff, proposal=proposal, leader="王主席")
    services.supervision_record(actor=cast.staff, proposal=proposal, note="实地督办")
    co = proposal.assignments.get(role=Assignment.Role.CO)
    reply_drafted(cast, co, actor=cast.co_liaison, body="会办意见……")
    reply = lead.replies.get()
    reply_services.feedback_give(actor=cast.staff, reply=reply, proposer=cast.proposer, rating="satisfied",
                                 on=WORKFLOW_FEEDBACK_ON)
    return Proposal.objects.get(pk=proposal.pk)


def login(client, cast, role):
    client.force_login(cast.actor(role))
    return client


def queries_for(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(ctx.captured_queries)


def test_changelists_render_for_every_role_in_queries_that_do_not_grow(client, cast, django_assert_max_num_queries):
    AgencyAliasFactory(agency=cast.agency)
    full_proposal(cast)
    urls = [reverse(name) for name in CHANGELISTS]
    few = {}
    for role in ROLES:
        login(client, cast, role)
        for url in urls:
            few[role, url] = queries_for(client, url)
    for n in range(19):
        full_proposal(cast)
    assert Proposal.objects.count() == 20 and Reply.objects.count() == 40
    for role in ROLES:
        login(client, cast, role)
        for url in urls:
            with django_assert_max_num_queries(MAX_LIST_QUERIES):
                many = queries_for(client, url)
            assert many == few[role, url], (role, url, few[role, url], many)


def test_every_change_page_renders_for_every_role(client, cast, django_assert_max_num_queries):
    alias = AgencyAliasFactory(agency=cast.agency)
    proposal = full_proposal(cast)
    lead = lead_assignment(proposal)
    reply = lead.replies.get()
    objects = {
        "proposals_proposal": proposal,
        "proposals_assignment": lead,
        "proposals_contactlog": ContactLog.objects.get(assignment=lead),
        "proposals_supervisionlog": SupervisionLog.objects.get(proposal=proposal),
        "proposals_event": Event.objects.filter(proposal=proposal).first(),
        "proposals_committee": proposal.session.committee,
        "proposals_session": proposal.session,
        "proposals_proposer": cast.proposer,
        "proposals_agency": cast.agency,
        "proposals_agencyalias": alias,
        "proposals_calendarday": CalendarDay.objects.first(),
        "replies_reply": reply,
        "replies_feedback": Feedback.objects.get(reply=reply),
    }
    for role in ROLES:
        login(client, cast, role)
        for name, obj in objects.items():
            if role != "staff" and name == "replies_feedback":
                continue  # the agency and the rating proposer see it; checked below
            with django_assert_max_num_queries(MAX_PAGE_QUERIES):
                queries_for(client, reverse(f"admin:{name}_change", args=[obj.pk]))
    for role in ("liaison", "proposer"):
        login(client, cast, role)
        queries_for(client, reverse("admin:replies_feedback_change", args=[Feedback.objects.get().pk]))


def test_the_proposal_page_costs_the_same_whatever_the_proposal_holds(client, cast):
    simple = proposal_at(cast, S.ASSIGNED)
    full = full_proposal(cast)
    for role in ROLES:
        login(client, cast, role)
        small = queries_for(client, reverse("admin:proposals_proposal_change", args=[simple.pk]))
        large = queries_for(client, reverse("admin:proposals_proposal_change", args=[full.pk]))
        assert large <= small + 2, (role, small, large)


def test_the_proposal_page_shows_deadlines_their_explanation_and_the_timeline(client, cast):
    proposal = full_proposal(cast)
    lead = lead_assignment(proposal)
    page = login(client, cast, "staff").get(reverse("admin:proposals_proposal_change", args=[proposal.pk]))
    html = page.content.decode()
    assert lead.due_explanation["due"]["text"] in html
    assert "电话沟通" in html and "实地督办" in html and "满意" in html
    timeline = page.context["timeline"]
    assert [e.pk for e in timeline] == list(Event.objects.filter(proposal=proposal).order_by("at", "id")
                                            .values_list("pk", flat=True))
    assert timeline[-1].action == "close"  # newest last
    assert [s.proposer for s in page.context["inline_admin_formsets"][0].formset.queryset] == [cast.proposer]


def _listed(client, url, **params):
    response = client.get(url, params)
    assert response.status_code == 200
    return {obj.pk for obj in response.context["cl"].result_list}


def test_each_role_sees_exactly_its_own_proposals(client, cast):
    own = proposal_at(cast, S.ASSIGNED)
    submitted = proposal_at(cast, S.SUBMITTED)
    elsewhere = proposal_at(cast, S.FILED)
    services.proposal_assign(actor=cast.staff, proposal=elsewhere, lead=cast.other_agency)
    strangers = services.proposal_create(actor=cast.other_proposer_user, session=cast.session, title="他人的提案",
                                         proposers=[cast.other_proposer])
    url = reverse("admin:proposals_proposal_changelist")
    everything = {own.pk, submitted.pk, elsewhere.pk, strangers.pk}
    assert _listed(login(client, cast, "staff"), url) == everything
    assert _listed(login(client, cast, "liaison"), url) == {own.pk}
    assert _listed(login(client, cast, "other_liaison"), url) == {elsewhere.pk}
    assert _listed(login(client, cast, "proposer"), url) == {own.pk, submitted.pk, elsewhere.pk}
    assert _listed(login(client, cast, "other_proposer"), url) == {strangers.pk}
    assignments = reverse("admin:proposals_assignment_changelist")
    assert _listed(login(client, cast, "liaison"), assignments) == {lead_assignment(own).pk}


def test_a_liaison_cannot_open_another_agencys_proposal_or_its_steps(client, cast):
    elsewhere = proposal_at(cast, S.FILED)
    services.proposal_assign(actor=cast.staff, proposal=elsewhere, lead=cast.other_agency)
    login(client, cast, "liaison")
    response = client.get(reverse("admin:proposals_proposal_change", args=[elsewhere.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("admin:index")
    assignment = lead_assignment(elsewhere)
    assert client.get(reverse("admin:proposals_assignment_change", args=[assignment.pk])).status_code == 302
    step = reverse("admin:proposals_assignment_step", args=[assignment.pk, "acknowledge"])
    assert client.post(step).status_code == 404
    assert Assignment.objects.get(pk=assignment.pk).status == Assignment.Status.ASSIGNED


def test_nobody_deletes_workflow_records_and_liaisons_and_proposers_delete_nothing(client, cast):
    proposal = full_proposal(cast)
    event = Event.objects.filter(proposal=proposal).first()
    for role in ROLES:
        login(client, cast, role)
        for name, obj in [("proposals_event", event), ("proposals_proposal", proposal),
                          ("replies_reply", Reply.objects.first()), ("proposals_agency", cast.agency)]:
            response = client.post(reverse(f"admin:{name}_delete", args=[obj.pk]), {"post": "yes"})
            if role == "staff" and name == "proposals_agency":
                assert response.status_code == 200  # reference data: staff may, but the agency is in use (PROTECT)
            else:
                assert response.status_code == 403, (role, name)
    assert Event.objects.filter(pk=event.pk).exists()
    assert Proposal.objects.filter(pk=proposal.pk).exists()


def test_status_is_never_editable_by_hand(client, cast):
    proposal = proposal_at(cast, S.SUBMITTED)
    login(client, cast, "staff")
    response = client.post(reverse("admin:proposals_proposal_change", args=[proposal.pk]),
                           {"status": S.CLOSED, "title": "改掉"})
    assert response.status_code == 403
    proposal.refresh_from_db()
    assert proposal.status == S.SUBMITTED and proposal.title != "改掉"


def test_staff_keep_the_calendar_and_others_only_read_it(client, cast):
    url = reverse("admin:proposals_calendarday_add")
    login(client, cast, "liaison")
    assert client.post(url, {"date": "2031-01-01", "kind": "holiday", "name": "元旦"}).status_code == 403
    login(client, cast, "staff")
    response = client.post(url, {"date": "2031-01-01", "kind": "holiday", "name": "元旦"})
    assert response.status_code == 302
    assert CalendarDay.objects.get(date="2031-01-01").name == "元旦"


def test_staff_add_an_agency_with_its_alias_and_liaison(client, cast):
    login(client, cast, "staff")
    response = client.post(reverse("admin:proposals_agency_add"), {
        "name": "测试市教育委员会", "region": "测试市", "level": "city", "liaisons": [cast.plain.pk],
        "aliases-TOTAL_FORMS": "1", "aliases-INITIAL_FORMS": "0", "aliases-0-name": "市教委",
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    from proposals.models import Agency

    agency = Agency.objects.get(name="测试市教育委员会")
    assert list(agency.aliases.values_list("name", flat=True)) == ["市教委"]
    assert list(agency.liaisons.all()) == [cast.plain]


def test_proposer_contact_details_are_shown_to_staff_only(client, cast):
    cast.proposer.phone = "13800000000"
    cast.proposer.save()
    proposal_at(cast, S.ASSIGNED)
    url = reverse("admin:proposals_proposer_change", args=[cast.proposer.pk])
    assert "13800000000" in login(client, cast, "staff").get(url).content.decode()
    for role in ("liaison", "proposer"):
        page = login(client, cast, role).get(url)
        assert page.status_code == 200 and "13800000000" not in page.content.decode()


def test_site_header_and_language_switch(client, cast):
    html = login(client, cast, "staff").get(reverse("admin:index")).content.decode()
    assert "政协提案办理系统" in html
    assert reverse("set_language") in html and 'value="en"' in html
