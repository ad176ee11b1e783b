"""A PDF's text layer in reading order, with the lines the layout wrapped joined again.

Read with pdfminer.six rather than pypdf: both decode Chinese fonts, but pypdf gives the text
in the order the content stream draws it (a signature block drawn first comes first, a
table comes column by column), while pdfminer gives every line with its position. From
those positions the text is rebuilt as a person reads it: lines top to bottom, the cells of
a table row side by side, and a line that runs to the right margin joined to the next one
when that one starts at the left margin (a new paragraph starts indented). That is what
puts back together a document number or a date that the layout wrapped ("曲政函〔2024〕2"
+ "57号"). Page numbers ("— 2 —", "第2页 共3页") are page furniture and are left out.

A PDF without text (a scan) or whose fonts carry no Unicode map is refused, never guessed:
it needs text recognition (OCR) first.
"""
from __future__ import annotations

import io
import logging
import re
import statistics
from dataclasses import dataclass

from replies.importing.formats import PDF, Extracted, Region
from replies.letters import UnreadableDocument

# A reply is a few pages; a report kept for reference some dozens. Past this the PDF is
# something else, and reading it would hold the import for minutes.
MAX_PDF_PAGES = 200
MIN_TEXT_CHARACTERS = 10      # fewer readable characters than this: no text layer (a scan)
UNMAPPED_LIMIT = 0.1          # share of characters without a Unicode value beyond which the text is refused
REPLACEMENT = "\ufffd"        # an unmapped character, as the parser's "lost in conversion" check knows it
# Pieces of one row set apart (table cells, tab stops) are joined by two spaces, as a web page's
# table cells are (replies.letters.html_to_text): "文号  曲政函〔2024〕257号" is a label and its value.
CELL_SEPARATOR = "  "

# pdfminer reports every oddity of a PDF as a logging warning; the import reports what matters.
logging.getLogger("pdfminer").setLevel(logging.ERROR)

_PAGE_NUMBER_RE = re.compile(
    r"^(?:[-—–－_·•\s]*\d{1,4}[-—–－_·•\s]*|第\s*\d{1,4}\s*页(?:\s*[,,/]?\s*共\s*\d{1,4}\s*页)?"
    r"|\d{1,4}\s*/\s*\d{1,4})$"
)
# A line that opens a numbered section ("一、", "(二)", "3.") starts a paragraph of its own.
_SECTION_RE = re.compile(r"^\s*(?:[一二三四五六七八九十]{1,3}、|[((][一二三四五六七八九十\d]{1,3}[))]|\d{1,2}[、..])")


def _wide(ch: str) -> bool:
    """Chinese characters and full-width punctuation: set without spaces between them."""
    return ch >= "\u2e80"


@dataclass
class _Line:
    x0: float
    x1: float
    top: float
    bottom: float
    size: float
    text: str


@dataclass
class _Row:
    """The lines of a page at one height: a line of text, or the cells of a table row."""

    page: int
    x0: float
    x1: float
    top: float
    bottom: float
    size: float
    text: str
    cells: int


class _Counts:
    def __init__(self):
        self.characters = 0
        self.unmapped = 0


def _line(item, counts: _Counts) -> _Line | None:
    """A pdfminer text line rebuilt from its characters. pdfminer guesses spaces from gaps,
    but justified Chinese text spreads every character (digits too: "2 0 2 4"), so its guesses
    are dropped: a space is put back only where the gap is wider than the line's usual gap by
    a quarter of a character, and never between two Chinese characters (a title set as
    "答  复  函" reads 答复函). Spaces the PDF draws as characters are kept as they are. A
    character without a Unicode value in its font becomes REPLACEMENT."""
    from pdfminer.layout import LTChar

    chars = [c for c in item if isinstance(c, LTChar)]
    if not chars:
        return None
    gaps = [b.x0 - a.x1 for a, b in zip(chars, chars[1:])]
    usual = statistics.median(gaps) if gaps else 0.0
    pieces = []
    for i, char in enumerate(chars):
        text = char.get_text()
        if text.startswith("(cid:"):
            counts.unmapped += 1
            text = REPLACEMENT
        counts.characters += len(text.strip())
        if i and text and pieces and gaps[i - 1] > usual + 0.25 * char.size \
                and not (_wide(pieces[-1][-1]) and _wide(text[0])) and not pieces[-1].isspace() and not text.isspace():
            pieces.append(" ")
        pieces.append(text)
    text = "".join(pieces).strip()
    if not text:
        return None
    return _Line(item.x0, item.x1, item.y1, item.y0, statistics.median(c.size for c in chars), text)


def _collect(container, lines: list, counts: _Counts) -> None:
    from pdfminer.layout import LTContainer, LTTextLineHorizontal

    for item in container:
        if isinstance(item, LTTextLineHorizontal):
            line = _line(item, counts)
            if line is not None:
                lines.append(line)
        elif isinstance(item, LTContainer):
            _collect(item, lines, counts)


def _rows(lines: list[_Line], page: int) -> list[_Row]:
    """Lines at the same height (overlapping by half a line) make one row, read left to right."""
    groups: list[list[_Line]] = []
    for line in sorted(lines, key=lambda l: (-l.top, l.x0)):
        if groups:
            last = groups[-1]
            top, bottom = max(l.top for l in last), min(l.bottom for l in last)
            overlap = min(top, line.top) - max(bottom, line.bottom)
            if overlap >= 0.5 * min(top - bottom, line.top - line.bottom):
                last.append(line)
                continue
        groups.append([line])
    rows = []
    for group in groups:
        group.sort(key=lambda l: l.x0)
        rows.append(_Row(page, group[0].x0, max(l.x1 for l in group), max(l.top for l in group),
                         min(l.bottom for l in group), statistics.median(l.size for l in group),
                         CELL_SEPARATOR.join(l.text for l in group), len(group)))
    # Page numbers stand alone at the top or the bottom of a page.
    while rows and _PAGE_NUMBER_RE.match(rows[-1].text):
        rows.pop()
    while rows and _PAGE_NUMBER_RE.match(rows[0].text):
        rows.pop(0)
    return rows


def _margin(values: list[float], tolerance: float, *, right: bool) -> float:
    """The outermost position that at least two rows share (one stray row does not move the
    margin); the outermost of all when no two rows share one."""
    ordered = sorted(values, reverse=right)
    for a, b in zip(ordered, ordered[1:]):
        if abs(a - b) <= tolerance:
            return a
    return ordered[0]


def _continues(a: _Row, b: _Row, left: float, right: float) -> bool:
    """Whether row ``b`` carries on the line of row ``a`` that the layout wrapped."""
    if a.cells != 1 or b.cells != 1 or _SECTION_RE.match(b.text):
        return False
    reaches_right = a.x1 >= right - 1.5 * a.size
    body_line = a.x0 <= left + 3 * a.size          # not a centred or right-aligned line
    starts_left = b.x0 <= left + 0.5 * b.size        # not indented: not a new paragraph
    close = a.page != b.page or a.bottom - b.top <= 1.5 * max(a.size, b.size)
    return reaches_right and body_line and starts_left and close


def _join(rows: list[_Row], pages: int) -> Extracted:
    if not rows:
        return Extracted("", PDF, (), pages)
    size = statistics.median(r.size for r in rows)
    left = _margin([r.x0 for r in rows], size / 2, right=False)
    right = _margin([r.x1 for r in rows], size / 2, right=True)
    out: list[str] = []
    length = 0
    page_starts: dict[int, int] = {}
    previous = None
    for row in rows:
        text = row.text
        # A wrapped line goes on without a space: Chinese has none, and the layout wraps
        # numbers and Latin words anywhere.
        if previous is not None and not _continues(previous, row, left, right):
            text = "\n" + text
        page_starts.setdefault(row.page, length + (1 if text.startswith("\n") else 0))
        out.append(text)
        length += len(text)
        previous = row
    joined = "".join(out)
    numbers = sorted(page_starts)
    regions = tuple(Region("page", n, page_starts[n], page_starts[m] if m else len(joined))
                    for n, m in zip(numbers, numbers[1:] + [None]))
    return Extracted(joined, PDF, regions, pages)


def pdf_to_text(data: bytes) -> Extracted:
    """The text of a PDF (see the module docstring). Raises UnreadableDocument."""
    from pdfminer.high_level import extract_pages
    from pdfminer.layout import LAParams
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect

    # boxes_flow=None: rows are ordered here, by position; all_texts: text inside forms too.
    params = LAParams(boxes_flow=None, all_texts=True)
    counts, rows, pages = _Counts(), [], 0
    try:
        for pages, page in enumerate(extract_pages(io.BytesIO(data), laparams=params), start=1):
            if pages > MAX_PDF_PAGES:
                raise UnreadableDocument(f"PDF too long: more than {MAX_PDF_PAGES} pages")
            lines: list[_Line] = []
            _collect(page, lines, counts)
            rows += _rows(lines, pages)
    except UnreadableDocument:
        raise
    except (PDFPasswordIncorrect, PDFEncryptionError):
        raise UnreadableDocument("encrypted PDF: it cannot be read without its password") from None
    except Exception as exc:  # pdfminer fails in many ways on a damaged file; none may sink an import
        raise UnreadableDocument(f"unreadable PDF: damaged or not a PDF ({type(exc).__name__})") from None
    if pages == 0:
        raise UnreadableDocument("unreadable PDF: damaged or not a PDF (no pages)")
    if counts.characters - counts.unmapped < MIN_TEXT_CHARACTERS:
        raise UnreadableDocument(f"scanned PDF without a text layer ({pages} page{'s' if pages != 1 else ''}): "
                                 f"run text recognition (OCR) first")
    if counts.unmapped > UNMAPPED_LIMIT * counts.characters:
        raise UnreadableDocument(f"PDF text cannot be decoded: {counts.unmapped} of {counts.characters} characters "
                                 f"have no Unicode value in their font; run text recognition (OCR) first")
    return _join(rows, pages)
