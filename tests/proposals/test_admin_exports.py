""""导出 CSV" / "导出 XLSX" on the admin's lists (proposals.admin.exports): the file holds exactly
the rows the list holds — its filters, search and order, every page — with the API export's
columns, within the caller's export cap, each role's own rows only, in a number of queries that
does not grow with the rows."""
import csv
import datetime
import io

import openpyxl
import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from proposals import services
from proposals.admin.proposal import ProposalAdmin
from proposals.models import CalendarDay, Proposal
from proposals.selectors import today
from replies import services as reply_services
from replies.models import Reply
from tests.factories import WORKFLOW_FEEDBACK_ON, admin_cast, lead_assignment, proposal_at

P = Proposal.Status
pytestmark = pytest.mark.django_db


@pytest.fixture
def cast():
    """Proposals of every stage for cast.agency (one co-handled and rated 基本满意), an extension
    request and two contacts, a proposal of another agency, another committee's closed proposal,
    and two calendar days."""
    cast = admin_cast()
    for status in (P.DRAFT, P.SUBMITTED, P.NOT_FILED, P.ASSIGNED, P.CLOSED):
        proposal_at(cast, status)
    replied = proposal_at(cast, P.REPLIED, co=True)
    reply_services.feedback_give(actor=cast.staff, reply=Reply.objects.get(assignment=lead_assignment(replied)),
                                 proposer=cast.proposer, rating="basically", on=WORKFLOW_FEEDBACK_ON)
    extended = lead_assignment(proposal_at(cast, P.ASSIGNED))
    services.extension_request(actor=cast.liaison, assignment=extended, reason="需要调研",
                               wanted_due_on=extended.due_on.replace(month=extended.due_on.month + 1))
    other = proposal_at(cast, P.FILED)
    services.proposal_assign(actor=cast.staff, proposal=other, lead=cast.other_agency, assigned_on=today())
    cast.others = other
    proposal_at(admin_cast(), P.CLOSED)  # replied and rated elsewhere
    for stage, form in (("before", "phone"), ("after", "visit")):
        services.contact_record(actor=cast.liaison, assignment=extended, stage=stage, form=form,
                                date=extended.assigned_on, note="沟通")
    CalendarDay.objects.create(date=datetime.date(2030, 10, 1), kind=CalendarDay.Kind.HOLIDAY, name="国庆节")
    CalendarDay.objects.create(date=datetime.date(2030, 9, 29), kind=CalendarDay.Kind.WORKDAY, name="国庆节调休")
    return cast


def changelist(client, name, query=""):
    response = client.get(reverse(name) + (f"?{query}" if query else ""))
    assert response.status_code == 200, response.status_code
    return response


def listed_ids(response) -> list[int]:
    """Every row of the changelist (all its pages), in its order."""
    return list(response.context["cl"].queryset.values_list("pk", flat=True))


def download(client, url):
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return response, content


def csv_rows(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def exported_ids(client, response, fmt="csv") -> list[int]:
    link = next(link for link in response.context["export_links"] if link["format"] == fmt)
    _response, content = download(client, link["url"])
    if fmt == "csv":
        rows = csv_rows(content)
    else:
        rows = [[str(v) for v in row] for row in openpyxl.load_workbook(io.BytesIO(content)).active.iter_rows(
            values_only=True)]
    column = [h.lower() for h in rows[0]].index("id")
    return [int(row[column]) for row in rows[1:]]


LISTS = [
    ("admin:proposals_proposal_changelist", "status__exact=assigned"),
    ("admin:proposals_proposal_changelist", "q=交通&o=-1"),
    ("admin:proposals_assignment_changelist", "role__exact=lead"),
    ("admin:proposals_extensionrequest_changelist", ""),
    ("admin:proposals_contactlog_changelist", "stage__exact=after"),
    ("admin:proposals_calendarday_changelist", "kind__exact=holiday"),
    ("admin:proposals_event_changelist", "action=file"),
    ("admin:proposals_session_changelist", ""),
    ("admin:proposals_agency_changelist", "q=测试"),
    ("admin:proposals_proposer_changelist", ""),
    ("admin:proposals_committee_changelist", ""),
    ("admin:replies_reply_changelist", "kind__exact=reply"),
    ("admin:replies_feedback_changelist", "rating__exact=basically"),
]


@pytest.mark.parametrize("name, query", LISTS)
def test_the_export_holds_exactly_the_listed_rows(client, cast, name, query):
    client.force_login(cast.staff)
    response = changelist(client, name, query)
    expected = listed_ids(response)
    assert expected  # the filter selects something, and not necessarily everything
    assert response.context["cl"].result_count == len(expected)
    assert exported_ids(client, response, "csv") == expected


@pytest.mark.parametrize("name, query", [LISTS[0], LISTS[2], LISTS[-2], LISTS[-1]])
def test_the_xlsx_holds_the_same_rows(client, cast, name, query):
    client.force_login(cast.staff)
    response = changelist(client, name, query)
    assert exported_ids(client, response, "xlsx") == listed_ids(response)


def test_the_buttons_carry_the_lists_filters_search_and_order_but_not_its_page(client, cast):
    client.force_login(cast.staff)
    response = changelist(client, "admin:proposals_proposal_changelist", "status__exact=assigned&q=交通&o=2&p=1")
    html = response.content.decode()
    assert "导出 CSV" in html and "导出 XLSX" in html
    urls = {link["format"]: link["url"] for link in response.context["export_links"]}
    assert urls["csv"].startswith(reverse("admin:proposals_proposal_export", args=["csv"]) + "?")
    assert "status__exact=assigned" in urls["xlsx"] and "o=2" in urls["xlsx"] and "p=" not in urls["xlsx"]


def test_every_page_is_exported_in_the_lists_order(client, cast, monkeypatch):
    monkeypatch.setattr(ProposalAdmin, "list_per_page", 2)
    client.force_login(cast.staff)
    response = changelist(client, "admin:proposals_proposal_changelist", "o=-1&p=2")
    shown = [obj.pk for obj in response.context["cl"].result_list]
    expected = listed_ids(response)
    assert len(shown) == 2 and len(expected) > 4
    assert exported_ids(client, response) == expected
    assert exported_ids(client, response)[2:4] == shown  # the second page, where the list shows it


def test_the_columns_are_the_api_exports(client, cast):
    client.force_login(cast.staff)
    response = changelist(client, "admin:proposals_proposal_changelist")
    link = response.context["export_links"][0]["url"]
    _r, admin_file = download(client, link)
    api = client.get("/api/proposals/", {"format": "csv"})
    api_rows = csv_rows(b"".join(api.streaming_content))
    assert csv_rows(admin_file)[0] == api_rows[0]
    assert sorted(csv_rows(admin_file)[1:]) == sorted(api_rows[1:])


@pytest.mark.parametrize("name", ["admin:proposals_proposal_changelist", "admin:proposals_assignment_changelist",
                                  "admin:replies_reply_changelist", "admin:replies_feedback_changelist"])
def test_a_liaison_exports_only_what_it_sees(client, cast, name):
    client.force_login(cast.liaison)
    response = changelist(client, name)
    ids = exported_ids(client, response)
    assert ids == listed_ids(response) and ids
    client.force_login(cast.staff)
    everything = listed_ids(changelist(client, name))
    assert set(ids) < set(everything)
    if name == "admin:proposals_proposal_changelist":
        assert cast.others.pk not in ids and cast.others.pk in everything


def test_a_proposer_exports_its_own_proposals(client, cast):
    client.force_login(cast.other_proposer_user)
    response = changelist(client, "admin:proposals_proposal_changelist")
    assert exported_ids(client, response) == listed_ids(response) == []


def test_past_the_export_cap_nothing_is_written_and_the_list_says_why(client, cast, settings):
    settings.EXPORT_MAX_ROWS = {"staff": 3}
    client.force_login(cast.staff)
    url = reverse("admin:proposals_proposal_export", args=["xlsx"]) + "?status__exact=closed"
    response, _ = download(client, url)  # one closed proposal: under the cap
    response = client.get(reverse("admin:proposals_proposal_export", args=["csv"]) + "?q=交通")
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:proposals_proposal_changelist") + "?q=%E4%BA%A4%E9%80%9A"
    assert "导出行数超过上限(3 行)" in [str(m) for m in get_messages(response.wsgi_request)][0]


def test_a_bad_filter_goes_back_to_the_list_and_an_unknown_format_is_404(client, cast):
    client.force_login(cast.staff)
    response = client.get(reverse("admin:proposals_proposal_export", args=["csv"]) + "?nosuchfield=1")
    assert response.status_code == 302 and response["Location"].endswith("?e=1")
    assert client.get(reverse("admin:proposals_proposal_export", args=["pdf"])).status_code == 404


def test_no_buttons_in_a_popup_and_no_export_without_the_admin(client, cast):
    client.force_login(cast.staff)
    response = changelist(client, "admin:proposals_agency_changelist", "_popup=1&_to_field=id")
    assert response.context["export_links"] == [] and "导出 CSV" not in response.content.decode()
    client.force_login(cast.plain)  # not admin staff: sent to the login page
    response = client.get(reverse("admin:proposals_proposal_export", args=["csv"]))
    assert response.status_code == 302 and response["Location"].startswith(reverse("admin:login"))


def export_queries(client, fmt) -> int:
    url = reverse("admin:proposals_proposal_export", args=[fmt])
    with CaptureQueriesContext(connection) as ctx:
        download(client, url)
    return len(ctx.captured_queries)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_queries_do_not_grow_with_the_rows(client, cast, fmt):
    client.force_login(cast.staff)
    few = export_queries(client, fmt)
    for status in (P.CLOSED, P.REPLIED, P.ASSIGNED, P.SUBMITTED):
        proposal_at(cast, status, co=True)
    assert export_queries(client, fmt) == few
    assert few <= 20
