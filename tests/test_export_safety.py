"""Exports that cannot be abused (issue 9): a control character in a title no longer breaks
the XLSX export holding the row; a title that starts like a formula stays text; and a caller
cannot export more rows than its cap (fewer for the public than for staff) — a 400 in JSON
asks for narrower filters instead of a download that takes the server down."""
import io

import pytest
from django.test import override_settings
from openpyxl import load_workbook

from proposals.models import Proposal
from tests.api_support import bulk_proposals, client_for

pytestmark = pytest.mark.django_db


def _csv(response) -> str:
    return b"".join(response.streaming_content).decode("utf-8-sig")


def _xlsx_cells(response):
    book = load_workbook(io.BytesIO(response.content))
    return [cell.value for row in book.active.iter_rows() for cell in row]


def test_control_characters_and_formulas_are_made_safe():
    cast = bulk_proposals(3)
    first, second, _ = Proposal.objects.order_by("id")
    Proposal.objects.filter(pk=first.pk).update(title="关于\u0007响铃的提案")
    Proposal.objects.filter(pk=second.pk).update(title='=HYPERLINK("http://evil.example","点我")')
    response = client_for(cast.staff).get("/api/proposals/", {"format": "xlsx"})
    assert response.status_code == 200
    cells = _xlsx_cells(response)
    assert "关于响铃的提案" in cells
    assert '\'=HYPERLINK("http://evil.example","点我")' in cells
    csv_text = _csv(client_for(cast.staff).get("/api/proposals/", {"format": "csv"}))
    assert "\u0007" not in csv_text and "'=HYPERLINK" in csv_text


@override_settings(EXPORT_MAX_ROWS={"anonymous": 2, "user": 3, "staff": 10})
def test_each_caller_exports_up_to_its_cap():
    cast = bulk_proposals(4)  # answered publicly: the public sees all four
    refused = client_for(None).get("/api/proposals/", {"format": "csv"})
    assert refused.status_code == 400 and refused["Content-Type"].startswith("application/json")
    assert refused.json()["code"] == "export_too_large"
    assert client_for(None).get("/api/proposals/", {"format": "csv", "page_size": 1}).status_code == 400
    assert client_for(cast.plain).get("/api/proposals/", {"format": "xlsx"}).status_code == 400
    allowed = client_for(cast.staff).get("/api/proposals/", {"format": "csv"})
    assert allowed.status_code == 200
    assert len(_csv(allowed).strip().splitlines()) == 5  # headers + 4 rows


@override_settings(EXPORT_MAX_ROWS={"anonymous": 10, "user": 10, "staff": 10, "xlsx": 3})
def test_a_workbook_has_a_lower_cap_than_a_csv():
    # An XLSX is whole before its first byte: staff get 4 rows as CSV, but not as XLSX (issue 9).
    cast = bulk_proposals(4)
    assert client_for(cast.staff).get("/api/proposals/", {"format": "csv"}).status_code == 200
    refused = client_for(cast.staff).get("/api/proposals/", {"format": "xlsx"})
    assert refused.status_code == 400 and refused.json()["code"] == "export_too_large"
