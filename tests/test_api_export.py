"""Any filtered list downloads as CSV and XLSX with Chinese headers."""
import csv
import io

import pytest
from openpyxl import load_workbook

from proposals.models import Proposal
from tests.api_support import client_for
from tests.factories import make_cast, proposal_at

P = Proposal.Status
pytestmark = pytest.mark.django_db


@pytest.fixture
def cast():
    cast = make_cast()
    proposal_at(cast, P.ASSIGNED)
    proposal_at(cast, P.SUBMITTED)
    return cast


def csv_rows(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith('attachment; filename="proposals-')
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))


def test_csv_of_a_filtered_list(cast):
    rows = csv_rows(client_for(cast.staff).get("/api/proposals/", {"format": "csv", "status": "assigned"}))
    header, *data = rows
    assert header[:4] == ["ID", "会议", "提案号", "案由"]
    assert {"状态", "状态名称", "第一提案人", "主办单位", "最近期限", "超期天数"} <= set(header)
    assert len(data) == 1
    row = dict(zip(header, data[0]))
    assert row["状态名称"] == "办理中" and row["主办单位"] == cast.agency.name
    assert row["会议"] == str(cast.session)


def test_csv_ignores_paging_and_keeps_the_order(cast):
    rows = csv_rows(client_for(cast.staff).get("/api/proposals/", {"format": "csv", "page_size": 1,
                                                                   "ordering": "-number"}))
    assert [r[2] for r in rows[1:]] == ["2", "1"]


def test_xlsx(cast):
    response = client_for(cast.staff).get("/api/proposals/", {"format": "xlsx"},
                                          HTTP_ACCEPT="application/json")  # the format parameter wins
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = list(sheet.values)
    assert values[0][:4] == ("ID", "会议", "提案号", "案由")
    assert len(values) == 3


@pytest.mark.parametrize("resource", ["assignments", "replies", "feedback", "contacts", "events", "proposers",
                                      "agencies", "sessions", "committees", "calendar-days", "reference-documents"])
def test_every_list_exports(cast, resource):
    for fmt in ("csv", "xlsx"):
        response = client_for(cast.staff).get(f"/api/{resource}/", {"format": fmt})
        assert response.status_code == 200, (resource, fmt)


def test_export_errors_stay_json(cast):
    response = client_for(cast.staff).get("/api/proposals/", {"format": "csv", "status": "lost"})
    assert response.status_code == 400
    assert "status" in response.json()


def test_export_follows_visibility(cast):
    rows = csv_rows(client_for(None).get("/api/proposals/", {"format": "csv"}))
    assert len(rows) == 1  # the header only
    assert client_for(cast.staff).get("/api/proposals/1/", {"format": "csv"}).status_code == 404
