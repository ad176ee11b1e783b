"""The text of a Word (.docx) file, read with python-docx, in document order.

Each paragraph is a line; each row of a table is a line with its cells side by side (a
letter's metadata block is often a table: "文号  曲政函〔2024〕257号"); text in text boxes
(a red letterhead is often one) follows the paragraph that anchors it. Page headers and
footers are page furniture and are left out. The paragraphs and tables are numbered as
regions of the text, for the source view.
"""
from __future__ import annotations

import io
import zipfile

from replies.importing.formats import DOCX, MAX_UNPACKED_BYTES, Extracted, Region
from replies.letters import UnreadableDocument

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
# Cells of a row are set apart by two spaces, as a web page's table cells are
# (replies.letters.html_to_text), so that "文号  渝教提函〔2020〕93号" reads as a label and its value.
CELL_SEPARATOR = "  "
_MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"


class _Text:
    """The text being built, with the regions of what was appended."""

    def __init__(self):
        self.lines: list[str] = []
        self.length = 0
        self.regions: list[Region] = []
        self.counters = {"paragraph": 0, "table": 0}

    def add(self, kind: str, lines: list[str]) -> None:
        lines = [line.rstrip() for line in lines]
        while lines and not lines[-1].strip():
            lines.pop()
        if not any(line.strip() for line in lines):
            if self.lines and self.lines[-1] != "":
                self._append("")  # an empty paragraph: one blank line, however many there are
            return
        start = self.length + (1 if self.lines else 0)
        for line in lines:
            self._append(line)
        self.counters[kind] += 1
        self.regions.append(Region(kind, self.counters[kind], start, self.length))

    def _append(self, line: str) -> None:
        self.length += len(line) + (1 if self.lines else 0)
        self.lines.append(line)

    def text(self) -> str:
        return "\n".join(self.lines).rstrip()


def _paragraph_lines(paragraph) -> list[str]:
    """The paragraph's text (line breaks kept), then the text of its text boxes."""
    lines = paragraph.text.split("\n")
    for box in paragraph._p.iter(f"{_W}txbxContent"):
        # A text box is stored twice, as DrawingML and as a VML fallback: read it once.
        if any(a.tag == _MC_FALLBACK for a in box.iterancestors()):
            continue
        for p in box.iter(f"{_W}p"):
            text = "".join(t.text or "" for t in p.iter(f"{_W}t"))
            if text.strip():
                lines.append(text)
    return lines


def _table_lines(table) -> list[str]:
    lines = []
    for row in table.rows:
        cells, seen = [], set()
        for cell in row.cells:
            if id(cell._tc) in seen:  # a merged cell is returned once per grid column it spans
                continue
            seen.add(id(cell._tc))
            text = " ".join(p.text.replace("\n", " ").strip() for p in cell.paragraphs if p.text.strip())
            nested = [line for inner in cell.tables for line in _table_lines(inner)]
            cells.append(" ".join([text] + nested).strip())
        line = CELL_SEPARATOR.join(c for c in cells if c)
        if line:
            lines.append(line)
    return lines


def _blocks(parent, document):
    """Paragraphs and tables in document order, also inside content controls (w:sdt)."""
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    for child in parent.iterchildren():
        if child.tag == f"{_W}p":
            yield Paragraph(child, document)
        elif child.tag == f"{_W}tbl":
            yield Table(child, document)
        elif child.tag == f"{_W}sdt":
            for content in child.iterchildren(f"{_W}sdtContent"):
                yield from _blocks(content, document)


def _check_package(data: bytes) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            unpacked = sum(info.file_size for info in package.infolist())
    except (zipfile.BadZipFile, ValueError, OSError):
        raise UnreadableDocument("unreadable DOCX: damaged ZIP package") from None
    if unpacked > MAX_UNPACKED_BYTES:
        raise UnreadableDocument(f"unreadable DOCX: it unpacks to {unpacked} bytes (the limit is "
                                 f"{MAX_UNPACKED_BYTES})")


def docx_to_text(data: bytes) -> Extracted:
    """The text of a .docx (see the module docstring). Raises UnreadableDocument."""
    import docx
    from docx.table import Table

    _check_package(data)
    try:
        document = docx.Document(io.BytesIO(data))
        built = _Text()
        images = 0
        for block in _blocks(document.element.body, document):
            if isinstance(block, Table):
                built.add("table", _table_lines(block))
            else:
                built.add("paragraph", _paragraph_lines(block))
                images += len(block._p.findall(f".//{_W}drawing")) + len(block._p.findall(f".//{_W}pict"))
    except UnreadableDocument:
        raise
    except Exception as exc:  # python-docx fails in many ways on a damaged file; none may sink an import
        raise UnreadableDocument(f"unreadable DOCX: damaged or not a Word file ({type(exc).__name__})") from None
    text = built.text()
    if not text.replace("\u3000", "").strip():
        if images:
            raise UnreadableDocument("DOCX without text, only images (a scan?): run text recognition (OCR) first")
        raise UnreadableDocument("empty file (no text content)")
    return Extracted(text, DOCX, tuple(built.regions))
