"""Pure reading of reply letters (答复函): bytes -> text -> ParsedLetter -> report row.

No Django imports here: the importer turns ParsedLetter into models in a separate step.
"""
from .decoding import UnreadableDocument, decode_document, html_to_text
from .model import ParsedLetter, Span
from .parser import parse_letter
from .report import REPORT_KEYS, to_report

__all__ = [
    "decode_document", "html_to_text", "parse_letter", "ParsedLetter", "Span",
    "UnreadableDocument", "to_report", "REPORT_KEYS",
]
