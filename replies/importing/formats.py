"""Files in, text out: the one place that decides how a file is read (issue 10).

Committees publish replies as web pages, text, PDF attachments and Word files. Pages and
text go to replies.letters.decode_document as before; a PDF's text layer is read by
replies.importing.pdf_text and a .docx by replies.importing.docx_text, each keeping where
its text came from (pages; paragraphs and tables) so that the source view can show it.
Anything else (.doc, images, spreadsheets, archives) is refused with a reason that says to
convert it to PDF or DOCX. Like the parser this is pure: bytes in, text out, no ORM.

Reasons are plain English lines, like the parser's warnings; replies.importing.warnings
gives them to a person in their language.
"""
from __future__ import annotations

import io
import os
import zipfile
from dataclasses import dataclass

from replies.letters import UnreadableDocument, decode_document

TEXT = "text"
PDF = "pdf"
DOCX = "docx"
TEXT_SUFFIXES = frozenset({".txt", ".text", ".htm", ".html", ".xhtml", ".shtml"})
# Refused by their suffix. A .wps or .ofd is as common in Chinese government offices as a
# .doc, and just as unreadable here.
UNSUPPORTED_SUFFIXES = frozenset({
    ".doc", ".dot", ".docm", ".wps", ".rtf", ".odt", ".ofd", ".xls", ".xlsx", ".et", ".ppt", ".pptx", ".dps",
    ".jpg", ".jpeg", ".png", ".gif", ".bmp", ".tif", ".tiff", ".webp", ".heic", ".zip", ".rar", ".7z", ".gz",
})
# Refused by their first bytes when the suffix says nothing.
_SIGNATURES = (
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "Office 97-2003: .doc/.xls/.wps"),
    (b"\x89PNG", "PNG"), (b"\xff\xd8\xff", "JPEG"), (b"GIF8", "GIF"), (b"II*\x00", "TIFF"), (b"MM\x00*", "TIFF"),
    (b"Rar!", "RAR"), (b"7z\xbc\xaf", "7z"), (b"\x1f\x8b", "gzip"), (b"{\\rtf", "RTF"),
)
# A DOCX is a ZIP of XML parts; one that unpacks to more than this is not a letter but a bomb.
MAX_UNPACKED_BYTES = 50_000_000


class UnsupportedFormat(UnreadableDocument):
    """A file in a format the importer does not read: convert it to PDF or DOCX."""

    def __init__(self, what: str):
        super().__init__(f"unsupported file format ({what}): convert it to PDF or DOCX")


@dataclass(frozen=True)
class Region:
    """Where a stretch of the extracted text came from: a PDF page, a DOCX paragraph or table
    (numbered from 1). ``start``/``end`` are offsets into the extracted text, as spans are."""

    kind: str   # "page" | "paragraph" | "table"
    number: int
    start: int
    end: int


@dataclass(frozen=True)
class Extracted:
    text: str
    format: str = TEXT
    regions: tuple[Region, ...] = ()
    pages: int | None = None

    def layout(self) -> dict | None:
        """What SourceDocument.parsed keeps as ``source_layout``; None for text and pages
        (their text is the file's own, so fixtures of text files stay as they were)."""
        if self.format == TEXT:
            return None
        layout = {"format": self.format, "regions": [[r.kind, r.number, r.start, r.end] for r in self.regions]}
        if self.pages is not None:
            layout["pages"] = self.pages
        return layout


def _suffix(file_name: str) -> str:
    return os.path.splitext(file_name or "")[1].lower()


def _zip_kind(data: bytes) -> str:
    """DOCX, or what else the ZIP package is."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            names = set(package.namelist())
    except (zipfile.BadZipFile, ValueError, OSError):
        return "ZIP"
    if "word/document.xml" in names:
        return DOCX
    if any(n.startswith("xl/") for n in names):
        return "XLSX"
    if any(n.startswith("ppt/") for n in names):
        return "PPTX"
    if "OFD.xml" in names:
        return "OFD"
    if "content.xml" in names:
        return "OpenDocument"
    return "ZIP"


def sniff(data: bytes) -> str | None:
    """PDF, DOCX, a description of another binary format, or None for text."""
    if data[:1024].lstrip()[:5] == b"%PDF-":
        return PDF
    if data.startswith(b"PK\x03\x04"):
        return _zip_kind(data)
    for signature, what in _SIGNATURES:
        if data.startswith(signature):
            return what
    return None


def extract_document(data: bytes, file_name: str = "") -> Extracted:
    """The text of a file, by its name's suffix (or, for a suffix not known, by its first
    bytes). Raises UnreadableDocument (UnsupportedFormat for formats not read at all)."""
    suffix = _suffix(file_name)
    if suffix in TEXT_SUFFIXES:
        return Extracted(decode_document(data, file_name))
    if suffix in UNSUPPORTED_SUFFIXES:
        raise UnsupportedFormat(suffix)
    if not data or data.isspace():
        raise UnreadableDocument("empty file")
    kind = sniff(data)
    if suffix == ".pdf":
        # The PDF standard lets a header follow some bytes of junk.
        if kind != PDF and data.find(b"%PDF-", 0, 1024) == -1:
            raise UnreadableDocument("unreadable PDF: not a PDF file (no %PDF header)")
        return _pdf(data)
    if suffix == ".docx" and kind not in (DOCX, PDF):
        if kind is None or kind == "ZIP":
            raise UnreadableDocument("unreadable DOCX: not a Word (.docx) package")
        raise UnsupportedFormat(kind)  # a .doc renamed .docx, say
    if kind == PDF:
        return _pdf(data)
    if kind == DOCX:
        return _docx(data)
    if kind is not None:
        raise UnsupportedFormat(kind)
    return Extracted(decode_document(data, file_name))


def _pdf(data: bytes) -> Extracted:
    from replies.importing.pdf_text import pdf_to_text

    return pdf_to_text(data)


def _docx(data: bytes) -> Extracted:
    from replies.importing.docx_text import docx_to_text

    return docx_to_text(data)
