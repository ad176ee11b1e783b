"""Staff open the figures in a real browser: from the admin home to the session report (charts
drawn), its XLSX downloaded and opened, then the agency scorecard over two sessions; screenshots
of both pages at 390 and 1366 px (artifacts/screenshots/figures-*)."""
import dataclasses

import openpyxl
import pytest

from proposals.models import Proposal
from tests.browser.conftest import log_in, screenshot
from tests.factories import SessionFactory, admin_cast, proposal_at, staff_user

P = Proposal.Status
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def two_sessions():
    """One committee's agency through two sessions: replied, closed, overdue and re-handled work."""
    cast = admin_cast()
    later = dataclasses.replace(cast, session=SessionFactory(committee=cast.session.committee, year=2025))
    for status in (P.ASSIGNED, P.REPLIED, P.CLOSED, P.NOT_FILED):
        proposal_at(cast, status)
    proposal_at(cast, P.CLOSED, co=True)
    for status in (P.REPLIED, P.CLOSED, P.CLOSED):
        proposal_at(later, status)
    return cast


def test_staff_open_the_session_report_download_it_and_see_the_scorecard(page, two_sessions, tmp_path):
    staff_user("figures-staff")
    log_in(page, "figures-staff", "pass")
    page.get_by_role("link", name="会议办理情况报告").click()
    page.wait_for_selector("h1:has-text('会议办理情况报告')")
    charts = page.locator("svg[role=img]")
    assert charts.count() == 3
    for i in range(charts.count()):
        chart = charts.nth(i)
        labelled = chart.get_attribute("aria-labelledby").split()
        assert chart.locator("title").first.text_content().strip()
        assert all(page.locator(f"#{ident}").count() == 1 for ident in labelled)
        # Drawn: the chart has a size and its bars are there.
        assert chart.bounding_box()["height"] > 40
    assert page.locator("svg[role=img] rect").count() > 3
    # The print stylesheet is linked for print only.
    assert page.locator("link[rel=stylesheet][media=print][href$='replies/figures/print.css']").count() == 1
    screenshot(page, "figures-session-report")

    with page.expect_download() as download_info:
        page.click("#figures-xlsx")
    download = download_info.value
    assert download.suggested_filename.startswith("session-report-") and download.suggested_filename.endswith(".xlsx")
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    book = openpyxl.load_workbook(saved)
    assert {"筛选条件", "提案收办情况", "办理情况", "办理结果分类", "满意度测评"} <= set(book.sheetnames)
    rows = {row[0]: row[1] for row in book["提案收办情况"].iter_rows(min_row=2, values_only=True)}
    assert rows["收到提案"] == 3  # a first visit shows the latest session (2025)

    page.get_by_role("link", name="承办单位办理情况评分卡").click()
    page.select_option("#figures-agency_id", str(two_sessions.agency.pk))
    page.get_by_role("button", name="筛选").click()
    page.wait_for_selector("#chart-session-rates")
    assert page.locator("#chart-session-rates polyline").count() >= 1
    assert page.locator("#table-session_handling tbody tr").count() == 3  # two sessions and the total
    screenshot(page, "figures-agency-scorecard")
