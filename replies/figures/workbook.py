"""A report as an XLSX workbook: a sheet of the filters it was read with, then one sheet per
table, Chinese headers, the values as the page shows them (rates as percentages of the same
fractions, not rounded again). Written with openpyxl's write-only mode, text made safe for a
spreadsheet by the exports' own safe_text (proposals.api.export)."""
from __future__ import annotations

import datetime
import re

from django.utils.translation import gettext as _

from proposals.api.export import safe_text
from replies.figures.tables import Cell

SHEET_NAME_MAX = 31  # Excel's limit
_NOT_IN_SHEET_NAMES = re.compile(r"[\[\]:*?/\\]")
FORMATS = {"rate": "0.00%", "days": "0.0"}


def _sheet_name(title: str, used: set[str]) -> str:
    name = _NOT_IN_SHEET_NAMES.sub("", str(title))[:SHEET_NAME_MAX] or "Sheet"
    base, n = name, 2
    while name in used:
        suffix = f" ({n})"
        name, n = base[:SHEET_NAME_MAX - len(suffix)] + suffix, n + 1
    used.add(name)
    return name


def _value(cell: Cell):
    if cell.value is None:
        return None
    if cell.kind == "text":
        return safe_text(str(cell.value))
    return cell.value


def write_report(target, report, conditions: list[tuple[str, str]]) -> None:
    """Write ``report`` (reports.Report) to ``target``, a path or a binary file object."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    book = Workbook(write_only=True)
    used: set[str] = set()
    bold = Font(bold=True)

    def header(sheet, texts):
        cells = []
        for text in texts:
            cell = WriteOnlyCell(sheet, value=safe_text(str(text)))
            cell.font = bold
            cells.append(cell)
        sheet.append(cells)

    about = book.create_sheet(_sheet_name(_("筛选条件"), used))
    header(about, [_("报表"), safe_text(str(report.title))])
    on = WriteOnlyCell(about, value=datetime.date.fromisoformat(report.on))
    on.number_format = "yyyy-mm-dd"
    about.append([safe_text(_("统计日期")), on])
    for label, value in conditions or [(_("筛选条件"), _("全部"))]:
        about.append([safe_text(label), safe_text(value)])
    for table in report.tables:
        sheet = book.create_sheet(_sheet_name(table.sheet or table.title, used))
        header(sheet, table.headers)
        for row in table.rows:
            cells = []
            for cell in row:
                written = WriteOnlyCell(sheet, value=_value(cell))
                if cell.kind in FORMATS:
                    written.number_format = FORMATS[cell.kind]
                cells.append(written)
            sheet.append(cells)
    book.save(target)
