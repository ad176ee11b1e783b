"""Any filtered list as a spreadsheet: ``?format=csv`` or ``?format=xlsx``, Chinese headers,
every row that the filters select (no paging), in the list's order, up to a cap per caller
(EXPORT_MAX_ROWS: fewer for the public than for staff; beyond it, a 400 asks for narrower
filters or an export job: proposals.api.export_jobs). The writers below serve both: streamed to
the client here, written to a file by the job runner (proposals.exports). Text is made safe for
a spreadsheet: characters a workbook cannot hold are dropped (one control character used to
break every XLSX export holding the row) and a text that starts like a formula is kept as text
(a leading apostrophe), so an exported title can never run as a formula in the reader's
spreadsheet."""
from __future__ import annotations

import csv
import datetime
import io
import re
from collections.abc import Callable, Iterable, Iterator

from django.conf import settings
from django.http import HttpResponse, StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import BaseRenderer
from rest_framework.response import Response

from proposals.api.renderers import FastJSONRenderer as JSONRenderer
from proposals.roles import is_committee_staff

EXPORT_FORMATS = ("csv", "xlsx")
CHUNK = 2000
# Rows one synchronous export may carry, by caller; settings.EXPORT_MAX_ROWS overrides.
# A synchronous export holds a worker until its last row: the caps keep the longest within an app
# server's timeout (benchmarks/export.py: 50,000 proposals as CSV in 11 s on SQLite, and an event
# row costs several times a proposal's). A workbook is whole before its first byte (a zip): fewer
# rows, for everyone. Past these, an export job (proposals.exports) writes the file in the background.
DEFAULT_MAX_ROWS = {"staff": 50_000, "user": 20_000, "anonymous": 10_000, "xlsx": 10_000}
# A worksheet holds at most 1,048,576 rows (Excel's limit): a longer export goes on to further sheets.
SHEET_ROWS = 1_048_576
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class CSVRenderer(BaseRenderer):
    """Selects the CSV export; the file itself is written by ExportMixin.list."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):  # pragma: no cover - errors go to JSON
        return JSONRenderer().render(data)


class XLSXRenderer(CSVRenderer):
    media_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    format = "xlsx"
    charset = None


class FormatFirstNegotiation(DefaultContentNegotiation):
    """``?format=`` wins over the Accept header: a script asking for JSON errors may still
    download ?format=csv."""

    def select_renderer(self, request, renderers, format_suffix=None):
        wanted = format_suffix or request.query_params.get(self.settings.URL_FORMAT_OVERRIDE)
        if wanted:
            renderer = self.filter_renderers(renderers, wanted)[0]
            return renderer, renderer.media_type
        return super().select_renderer(request, renderers, format_suffix)


def safe_text(text: str) -> str:
    """Text a spreadsheet keeps as text: no control characters, no formula."""
    text = _ILLEGAL.sub("", text)
    return "'" + text if text.startswith(_FORMULA_START) else text


def max_rows(user, fmt: str = "csv") -> int:
    """How many rows this caller may export at once, in this format."""
    caps = {**DEFAULT_MAX_ROWS, **getattr(settings, "EXPORT_MAX_ROWS", {})}
    if is_committee_staff(user):
        cap = caps["staff"]
    else:
        cap = caps["user"] if getattr(user, "is_authenticated", False) else caps["anonymous"]
    return min(cap, caps["xlsx"]) if fmt == "xlsx" else cap


def _cell(value):
    """A value a spreadsheet shows as a person expects: labels, dates, plain text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
    if isinstance(value, str):
        return safe_text(value)
    if isinstance(value, (int, float, datetime.date)):
        return value
    if isinstance(value, dict):
        for key in ("label", "name", "key", "title", "text"):
            if key in value:
                return _cell(value[key])
        return "; ".join(f"{k}: {_cell(v)}" for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return "、".join(str(_cell(v)) for v in value)
    return str(value)


def serializer_columns(serializer_class, context) -> tuple[list[str], Callable[[object], list]]:
    """Headers and a row function from a list serializer: each field's label, its value flattened."""
    serializer = serializer_class(context=context)
    fields = [(name, field) for name, field in serializer.fields.items() if not field.write_only]
    headers = [str(field.label or name) for name, field in fields]

    def row(obj):
        data = serializer_class(obj, context=context).data
        return [_cell(data.get(name)) for name, _field in fields]

    return headers, row


class _Echo:
    def write(self, value):
        return value


def csv_lines(headers: list[str], rows: Iterable[list]) -> Iterator[str]:
    """The CSV text, line by line: a BOM (so that Excel reads the Chinese headers as UTF-8),
    the headers, then one line per row."""
    writer = csv.writer(_Echo())
    yield "\ufeff"
    yield writer.writerow(headers)
    for row in rows:
        yield writer.writerow([v.isoformat(sep=" ") if isinstance(v, datetime.datetime) else v for v in row])


def write_csv(stream, headers: list[str], rows: Iterable[list]) -> None:
    """Write the CSV to a text file opened with ``encoding="utf-8", newline=""``."""
    for line in csv_lines(headers, rows):
        stream.write(line)


def write_xlsx(target, headers: list[str], rows: Iterable[list], title: str) -> None:
    """Write the workbook (openpyxl's write-only mode: rows go to a temporary file, not to memory)
    to ``target``, a path or a binary file object. Past SHEET_ROWS the rows continue on a new
    sheet with the same headers."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    title = title or "Sheet1"

    def new_sheet(number: int):
        sheet = book.create_sheet(title=title[:31] if number == 1 else f"{title[:26]} ({number})")
        sheet.append(headers)
        return sheet

    sheet, sheets, used = new_sheet(1), 1, 1
    for row in rows:
        if used == SHEET_ROWS:
            sheets += 1
            sheet, used = new_sheet(sheets), 1
        sheet.append(row)
        used += 1
    book.save(target)


def csv_response(headers: list[str], rows: Iterable[list], filename: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(csv_lines(headers, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def xlsx_response(headers: list[str], rows: Iterable[list], filename: str, title: str) -> HttpResponse:
    buffer = io.BytesIO()
    write_xlsx(buffer, headers, rows, title)
    response = HttpResponse(buffer.getvalue(), content_type=XLSXRenderer.media_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response


def too_large_response(limit: int) -> Response:
    """400 for an export past the caller's cap, pointing at the export jobs that go beyond it."""
    job_url = reverse("export-job-list")
    return Response({"detail": _("导出行数超过上限(%(limit)s 行):请缩小筛选范围后分批导出,"
                                 "或通过 %(job)s 创建异步导出任务,完成后下载") % {"limit": limit, "job": job_url},
                     "code": "export_too_large", "job": job_url}, status=400)


class ExportMixin:
    """Adds ``?format=csv|xlsx`` to a ViewSet's list. Columns come from ``export_serializer_class``
    (default: the list serializer); its field labels are the headers."""

    export_serializer_class = None
    export_filename = "export"
    content_negotiation_class = FormatFirstNegotiation
    # Spreadsheets only (proposals.api.throttling.ExportRateThrottle); the JSON list keeps the user's rate.
    throttle_scope = "export"

    def get_renderers(self):
        renderers = super().get_renderers()
        if getattr(self, "action", None) == "list":
            renderers += [CSVRenderer(), XLSXRenderer()]
        return renderers

    def finalize_response(self, request, response, *args, **kwargs):
        # An error while exporting (a bad filter, say) is still explained in JSON.
        if isinstance(response, Response) and response.status_code >= 400 and getattr(
                request, "accepted_renderer", None) is not None and request.accepted_renderer.format in EXPORT_FORMATS:
            request.accepted_renderer, request.accepted_media_type = JSONRenderer(), JSONRenderer.media_type
        return super().finalize_response(request, response, *args, **kwargs)

    def export_rows(self, queryset, row):
        for obj in queryset.iterator(chunk_size=CHUNK):
            yield row(obj)

    # The export jobs (proposals.exports) build their file through these same three methods, on a
    # view made for the job's caller: one home for what a list exports and to whom.
    def export_queryset(self):
        return self.filter_queryset(self.get_queryset())

    def export_columns(self) -> tuple[list[str], Callable[[object], list]]:
        serializer_class = self.export_serializer_class or self.get_serializer_class()
        return serializer_columns(serializer_class, self.get_serializer_context())

    def list(self, request, *args, **kwargs):
        fmt = getattr(request.accepted_renderer, "format", None)
        if fmt not in EXPORT_FORMATS:
            return super().list(request, *args, **kwargs)
        queryset = self.export_queryset()
        limit = max_rows(request.user, fmt)
        # The cap is asked of the database before the download starts: a query it refuses is an
        # error in JSON, not a 200 file cut off after its headers (issue 9). The rows themselves
        # are read only as the download is (a server-side cursor on PostgreSQL).
        if queryset[limit:limit + 1].exists():
            return too_large_response(limit)
        headers, row = self.export_columns()
        filename = f"{self.export_filename}-{timezone.localdate():%Y%m%d}"
        rows = self.export_rows(queryset, row)
        if fmt == "csv":
            return csv_response(headers, rows, filename)
        return xlsx_response(headers, rows, filename, title=self.export_filename)
