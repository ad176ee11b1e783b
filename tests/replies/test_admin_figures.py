"""The figures in the admin (replies.figures): the session report and the agency scorecard show
replies.stats' figures for the same filters as /api/stats/ (never a count of their own), with
accessible charts beside their data, a print stylesheet and an XLSX of the same tables; for the
proposal committee's staff only, linked from the admin home, in a constant number of queries."""
import dataclasses
import io
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import openpyxl
import pytest
from django.contrib.staticfiles import finders
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from proposals import services
from proposals.models import Proposal
from proposals.selectors import visible_proposals
from replies import services as reply_services
from replies.models import Reply
from replies.stats import proposal_stats
from tests.api_support import client_for
from tests.factories import (
    WORKFLOW_FEEDBACK_ON,
    AgencyFactory,
    SessionFactory,
    admin_cast,
    assignment_at,
    lead_assignment,
    proposal_at,
)

P = Proposal.Status
pytestmark = pytest.mark.django_db
SESSION_REPORT = "admin:replies_figures_session_report"
SCORECARD = "admin:replies_figures_agency_scorecard"


@pytest.fixture
def cast():
    """A session with every fate (test_api_stats' mix), co-handled work, one urge; a later session
    of the same committee with the same agency; another committee with one overdue proposal."""
    cast = admin_cast()
    for status in (P.DRAFT, P.SUBMITTED, P.NOT_FILED, P.CONVERTED, P.MERGED, P.WITHDRAWN, P.CLOSED):
        proposal_at(cast, status)
    overdue = proposal_at(cast, P.ASSIGNED, co=True)
    services.assignment_urge(actor=cast.staff, assignment=lead_assignment(overdue), message="请加快办理")
    replied = proposal_at(cast, P.REPLIED)
    Reply.objects.filter(assignment__proposal=replied).update(classification="B")
    basically = proposal_at(cast, P.REPLIED)
    reply_services.feedback_give(actor=cast.staff, reply=Reply.objects.get(assignment__proposal=basically),
                                 proposer=cast.proposer, rating="basically", on=WORKFLOW_FEEDBACK_ON)
    assignment_at(cast, "rehandling")
    cast.later = dataclasses.replace(cast, session=SessionFactory(committee=cast.session.committee, year=2025))
    for status in (P.CLOSED, P.REPLIED):
        proposal_at(cast.later, status)
    cast.other = admin_cast()
    proposal_at(cast.other, P.ASSIGNED)
    return cast


class Tables(HTMLParser):
    """The page's tables by id: rows of (text, data-value) cells; and its charts by id."""

    def __init__(self, html):
        super().__init__()
        self.tables, self.table, self.row, self.cell = {}, None, None, None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table":
            self.table = self.tables.setdefault(attrs.get("id") or f"table-{len(self.tables)}", [])
        elif tag == "tr" and self.table is not None:
            self.row = []
            self.table.append(self.row)
        elif tag in ("td", "th") and self.row is not None:
            self.cell = ["", attrs.get("data-value")]

    def handle_data(self, data):
        if self.cell is not None:
            self.cell[0] += data

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self.cell is not None:
            self.row.append((self.cell[0].strip(), self.cell[1]))
            self.cell = None
        elif tag == "table":
            self.table = self.row = None


def page(client, user, name, **params):
    client.force_login(user)
    return client.get(reverse(name), params)


def api_figures(user, **params):
    response = client_for(user).get("/api/stats/", params)
    assert response.status_code == 200, response.content
    return response.json()


def raw(value) -> str:
    return "" if value is None else str(value)


def filters(cast):
    return {
        "session": {"session_id": cast.session.pk},
        "committee": {"committee_id": cast.session.committee_id},
        "agency": {"agency_id": cast.agency.pk},
        "agency by name": {"agency": cast.co_agency.name},
        "date range": {"submitted_after": "2000-01-01", "submitted_before": "2100-12-31"},
        "beyond the form": {"session_id": cast.session.pk, "classification": "A"},
        "nothing": {"submitted_after": "2099-01-01"},
    }


@pytest.mark.parametrize("case", ["session", "committee", "agency", "agency by name", "date range",
                                  "beyond the form", "nothing"])
def test_the_session_report_shows_the_api_figures_for_the_same_filters(client, cast, case):
    params = filters(cast)[case]
    response = page(client, cast.staff, SESSION_REPORT, **params)
    assert response.status_code == 200
    assert response.context["figures"].stats == api_figures(cast.staff, group_by="agency", **params)


def test_a_first_visit_shows_the_latest_session_as_replies_stats_counts_it(client, cast):
    response = page(client, cast.staff, SESSION_REPORT)
    latest = cast.later.session
    expected = proposal_stats(proposals=visible_proposals(cast.staff).filter(session=latest), user=cast.staff,
                              group_by="agency")
    assert response.context["figures"].stats == expected
    assert str(latest) in response.content.decode()
    assert f"session_id={latest.pk}" in response.context["xlsx_url"]


def test_the_tables_show_each_figure_as_replies_stats_gives_it(client, cast):
    response = page(client, cast.staff, SESSION_REPORT, session_id=cast.session.pk)
    stats = proposal_stats(proposals=visible_proposals(cast.staff).filter(session=cast.session), user=cast.staff,
                           group_by="agency")
    total = stats["total"]
    tables = Tables(response.content.decode()).tables
    counts = {row[0][0]: row[1][1] for row in tables["table-proposals"][1:]}
    assert counts == {"收到提案": "11", "立案": "6", "不予立案": "1", "并案": "1", "转为意见建议": "1", "撤案": "1"}
    handling = {row[0][0]: row[1] for row in tables["table-handling"][1:]}
    assert handling["办复率"] == ("60%", raw(total["reply_rate"])) and total["reply_rate"] == 0.6
    assert handling["按期办复率"][1] == raw(total["on_time_reply_rate"])
    assert handling["当前超期"][1] == raw(total["overdue_now"])
    assert handling["平均办复工作日"][1] == raw(total["mean_working_days_to_reply"])
    # The 催办 figures, as replies.stats gives them to staff.
    assert total["urged"] == 1 and handling["催办次数"][1] == "1" and handling["被催办交办数"][1] == "1"
    classes = {row[0][0][:1]: (row[1][1], row[2][1]) for row in tables["table-classification"][1:5]}
    assert classes == {c: (raw(total["classification"][c]), raw(total["classification"]["shares"][c]))
                       for c in "ABCD"}
    satisfaction = {row[0][0]: row[2][1] for row in tables["table-satisfaction"][1:]}
    assert satisfaction["满意率(满意+基本满意)"] == raw(total["satisfaction"]["satisfaction_rate"])
    # One row per agency, then the total; each cell the agency's figure.
    per_agency = tables["table-agency_handling"]
    assert [row[0][0] for row in per_agency[1:]] == [g["group"]["name"] for g in stats["groups"]] + ["合计"]
    headers = [text for text, _ in per_agency[0]]
    for row, group in zip(per_agency[1:], stats["groups"] + [{"group": None, **total}]):
        assert row[headers.index("办复率")][1] == raw(group["reply_rate"])
        assert row[headers.index("已办复")][1] == raw(group["replied"])
    results = tables["table-agency_results"]
    headers = [text for text, _ in results[0]]
    for row, group in zip(results[1:], stats["groups"]):
        assert row[headers.index("A")][1] == raw(group["classification"]["A"])
        assert row[headers.index("不满意")][1] == raw(group["satisfaction"]["dissatisfied"])


def test_the_scorecard_shows_an_agency_over_the_sessions_in_order(client, cast):
    response = page(client, cast.staff, SCORECARD, agency_id=cast.agency.pk)
    assert response.status_code == 200
    stats = api_figures(cast.staff, group_by="session", agency_id=cast.agency.pk)
    assert response.context["figures"].stats == stats
    tables = Tables(response.content.decode()).tables
    rows = tables["table-session_handling"][1:]
    # The sessions in the order they met, labelled by the session alone (one committee).
    assert [row[0][0] for row in rows] == [cast.session.label, cast.later.session.label, "合计"]
    by_id = {g["group"]["id"]: g for g in stats["groups"]}
    headers = [text for text, _ in tables["table-session_handling"][0]]
    for row, session in zip(rows, (cast.session, cast.later.session)):
        assert row[headers.index("办复率")][1] == raw(by_id[session.pk]["reply_rate"])
    assert rows[-1][headers.index("办复率")][1] == raw(stats["total"]["reply_rate"])
    assert "承办单位:" + cast.agency.name in response.content.decode()


def _charts(html: str) -> list[ET.Element]:
    """The charts' SVG (not the admin's own icons), each parsed as XML: well-formed."""
    charts, marker = [], '<svg xmlns="http://www.w3.org/2000/svg" class="figures-chart"'
    start = html.find(marker)
    while start != -1:
        end = html.index("</svg>", start) + len("</svg>")
        charts.append(ET.fromstring(html[start:end]))
        start = html.find(marker, end)
    return charts


@pytest.mark.parametrize("name, expected", [(SESSION_REPORT, 3), (SCORECARD, 4)])
def test_charts_are_accessible_images_beside_their_data(client, cast, name, expected):
    response = page(client, cast.staff, name, committee_id=cast.session.committee_id)
    html = response.content.decode()
    charts = _charts(html)
    assert len(charts) == expected
    ns = "{http://www.w3.org/2000/svg}"
    for chart in charts:
        assert chart.get("role") == "img"
        title_id, desc_id = chart.get("aria-labelledby").split()
        title, desc = chart.find(f"{ns}title"), chart.find(f"{ns}desc")
        assert (title.get("id"), desc.get("id")) == (title_id, desc_id)
        assert title.text.strip() and desc.text.strip()
        # The data table is in the same figure, right after the chart.
        figure = html[html.rindex("<figure", 0, html.index(f'id="{chart.get("id")}"')):]
        figure = figure[:figure.index("</figure>")]
        assert "<table" in figure and "数据表" in figure
    tables = Tables(html).tables
    if name == SESSION_REPORT:
        data = tables["table-agency-rates"]
        assert [h for h, _ in data[0]] == ["承办单位", "办复率", "按期办复率", "满意率(满意+基本满意)"]


def test_the_xlsx_holds_the_report_tables(client, cast):
    client.force_login(cast.staff)
    response = client.get(reverse(SESSION_REPORT + "_xlsx"), {"session_id": cast.session.pk})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
    assert response["Content-Disposition"].startswith('attachment; filename="session-report-')
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["筛选条件", "提案收办情况", "办理情况", "办理结果分类", "满意度测评", "各单位办理情况",
                               "各单位办理结果"]
    total = api_figures(cast.staff, group_by="agency", session_id=cast.session.pk)["total"]
    conditions = {row[0].value: row[1].value for row in book["筛选条件"].iter_rows(min_row=2)}
    assert conditions["会议"] == str(cast.session)
    handling = {row[0].value: row[1] for row in book["办理情况"].iter_rows(min_row=2)}
    assert handling["办复率"].value == total["reply_rate"] and handling["办复率"].number_format == "0.00%"
    assert handling["已办复"].value == total["replied"]
    per_agency = list(book["各单位办理情况"].iter_rows(values_only=True))
    assert per_agency[0][:3] == ("承办单位", "收到提案", "交办(主办、分办)")
    assert per_agency[-1][0] == "合计" and per_agency[-1][2] == total["assigned"]
    scorecard = client.get(reverse(SCORECARD + "_xlsx"), {"agency_id": cast.agency.pk})
    book = openpyxl.load_workbook(io.BytesIO(scorecard.content))
    assert book.sheetnames == ["筛选条件", "各次会议办理情况", "各次会议办理结果"]
    assert [row[0] for row in book["各次会议办理情况"].iter_rows(min_row=2, values_only=True)] == [
        cast.session.label, cast.later.session.label, "合计"]


def test_a_spreadsheet_formula_in_a_name_stays_text(client, cast):
    agency = AgencyFactory(name="=1+1")
    proposal = proposal_at(cast, P.FILED)
    services.proposal_assign(actor=cast.staff, proposal=proposal, lead=agency)
    client.force_login(cast.staff)
    response = client.get(reverse(SESSION_REPORT + "_xlsx"), {"session_id": cast.session.pk})
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    names = [row[0] for row in book["各单位办理情况"].iter_rows(min_row=2, values_only=True)]
    assert "'=1+1" in names and "=1+1" not in names


@pytest.mark.parametrize("role, status", [("liaison", 403), ("proposer", 403), ("plain", 302), ("anonymous", 302)])
@pytest.mark.parametrize("name", [SESSION_REPORT, SCORECARD, SESSION_REPORT + "_xlsx", SCORECARD + "_xlsx"])
def test_staff_only(client, cast, role, status, name):
    user = cast.actor(role)
    if user.is_authenticated:
        client.force_login(user)
    response = client.get(reverse(name))
    assert response.status_code == status
    if status == 302:
        assert response["Location"].startswith(reverse("admin:login"))


def test_printable_the_print_stylesheet_is_linked(client, cast):
    html = page(client, cast.staff, SESSION_REPORT).content.decode()
    assert '<link rel="stylesheet" href="/static/replies/figures/print.css" media="print">' in html
    css = open(finders.find("replies/figures/print.css"), encoding="utf-8").read()
    assert "#header" in css and "display: none" in css  # the admin's chrome is left off
    assert "break-before: page" in css  # a new page for each section


def test_the_admin_home_links_the_reports_for_staff_only(client, cast):
    client.force_login(cast.staff)
    response = client.get(reverse("admin:index"))
    sections = {s.key: s for s in response.context["dash"]["sections"]}
    assert reverse(SESSION_REPORT) in str(sections["figures"].empty)
    assert reverse(SCORECARD) in response.content.decode()
    client.force_login(cast.liaison)
    response = client.get(reverse("admin:index"))
    assert "figures" not in {s.key for s in response.context["dash"]["sections"]}
    assert reverse(SESSION_REPORT) not in response.content.decode()


def test_a_bad_filter_is_explained_not_a_500(client, cast):
    for name in (SESSION_REPORT, SESSION_REPORT + "_xlsx"):
        response = page(client, cast.staff, name, session="没有这个政协/1/1")
        assert response.status_code == 400
        assert response.context["report"] is None
        assert "没有这个政协/1/1" in response.content.decode()


def queries(client, name, **params) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse(name), params)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("name", [SESSION_REPORT, SCORECARD, SESSION_REPORT + "_xlsx", SCORECARD + "_xlsx"])
def test_queries_do_not_grow_with_the_data(client, cast, name):
    client.force_login(cast.staff)
    params = {"committee_id": cast.session.committee_id}
    few = queries(client, name, **params)
    more = admin_cast(SessionFactory(committee=cast.session.committee))  # new agencies too
    for status in (P.CLOSED, P.REPLIED, P.ASSIGNED):
        proposal_at(more, status, co=True)
    assert queries(client, name, **params) == few
    assert few <= 16
