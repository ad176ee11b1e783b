"""The proposal list's filters, search and natural ordering by number."""
import datetime

import pytest
from django.urls import reverse

from proposals import services
from proposals.models import Proposal
from proposals.selectors import today
from tests.factories import AgencyAliasFactory, SessionFactory, admin_cast, lead_assignment, proposal_at

S = Proposal.Status
URL = "admin:proposals_proposal_changelist"


@pytest.fixture
def world(db, client):
    cast = admin_cast()
    overdue = proposal_at(cast, S.ASSIGNED, number="10")  # assigned in 2024: long overdue
    co = proposal_at(cast, S.FILED, number="9")
    services.proposal_assign(actor=cast.staff, proposal=co, lead=cast.other_agency, co=[cast.agency],
                             assigned_on=today())
    separate = proposal_at(cast, S.FILED, number="2025D048")
    services.proposal_assign(actor=cast.staff, proposal=separate, separate=[cast.agency, cast.co_agency],
                             assigned_on=today() - datetime.timedelta(days=85))  # due within 10 days
    key = proposal_at(cast, S.FILED, number="0325")  # key proposals are chosen among filed ones
    services.proposal_mark_key(actor=cast.staff, proposal=key, leader="王主席")
    classified = proposal_at(cast, S.REPLIED, number="2")
    reply = lead_assignment(classified).replies.get()
    other_session = proposal_at(admin_cast(SessionFactory(committee=cast.session.committee)), S.SUBMITTED,
                                number="1")
    client.force_login(cast.staff)
    return {"cast": cast, "overdue": overdue, "co": co, "separate": separate, "key": key,
            "classified": classified, "reply": reply, "other_session": other_session, "client": client}


def listed(client, **params):
    response = client.get(reverse(URL), params)
    assert response.status_code == 200
    return {p.pk for p in response.context["cl"].result_list}


def ids(world, *names):
    return {world[name].pk for name in names}


def test_overdue_and_due_soon(world):
    client = world["client"]
    assert listed(client, overdue="yes") == ids(world, "overdue")
    assert listed(client, overdue="soon") == ids(world, "separate")
    assert world["overdue"].pk not in listed(client, overdue="no")


def test_key(world):
    assert listed(world["client"], is_key__exact="1") == ids(world, "key")


def test_agency_and_role(world):
    client, cast = world["client"], world["cast"]
    agency = cast.agency.pk
    assert listed(client, agency=agency) == ids(world, "overdue", "co", "separate", "classified")
    assert listed(client, agency=agency, role="lead") == ids(world, "overdue", "classified")
    assert listed(client, agency=agency, role="co") == ids(world, "co")
    assert listed(client, agency=agency, role="separate") == ids(world, "separate")
    assert listed(client, role="lead") == ids(world, "overdue", "co", "classified")
    assert listed(client, agency="not-a-number") == set()


def test_status_session_and_classification(world):
    client, cast = world["client"], world["cast"]
    assert listed(client, status__exact=S.SUBMITTED) == ids(world, "other_session")
    assert listed(client, status__exact=S.FILED) == ids(world, "key")
    assert listed(client, session__id__exact=cast.session.pk) == ids(world, "overdue", "co", "separate", "key",
                                                                     "classified")
    assert world["reply"].classification == "A"
    assert listed(client, classification="A") == ids(world, "classified")
    assert listed(client, classification="B") == set()


def test_search_by_number_title_proposer_agency_and_alias(world):
    client, cast = world["client"], world["cast"]
    AgencyAliasFactory(agency=cast.other_agency, name="市别名局")
    Proposal.objects.filter(pk=world["key"].pk).update(title="关于发展夜间经济的提案")
    assert listed(client, q="2025D048") == ids(world, "separate")
    assert listed(client, q="夜间经济") == ids(world, "key")
    assert world["overdue"].pk in listed(client, q=cast.proposer.name)
    assert listed(client, q=cast.other_agency.name) == ids(world, "co")
    assert listed(client, q="市别名局") == ids(world, "co")


def test_numbers_sort_naturally(world):
    client, cast = world["client"], world["cast"]
    # The number's column, counted as the page counts them (staff have the actions' checkbox first).
    column = client.get(reverse(URL)).context["cl"].list_display.index("number_display")
    response = client.get(reverse(URL), {"session__id__exact": cast.session.pk, "o": str(column)})
    numbers = [p.number for p in response.context["cl"].result_list]
    assert numbers == ["2", "9", "10", "0325", "2025D048"]
    response = client.get(reverse(URL), {"session__id__exact": cast.session.pk})  # the default order
    assert [p.number for p in response.context["cl"].result_list] == numbers
    html = response.content.decode()
    assert "第一提案人" in html and "主办单位" in html


def test_list_columns_show_lead_proposer_lead_agency_and_coloured_status(world):
    client, cast = world["client"], world["cast"]
    response = client.get(reverse(URL), {"q": "10"})
    (row,) = [p for p in response.context["cl"].result_list if p.number == "10"]
    assert row.lead_proposer_name == cast.proposer.name and row.lead_agency_name == cast.agency.name
    html = response.content.decode()
    assert Proposal.STATUS_COLORS[S.ASSIGNED] in html
    assert "tracker-overdue" in html
