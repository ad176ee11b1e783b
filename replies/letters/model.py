"""The parser's result types and the small helpers that build them."""
from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from dataclasses import dataclass, field
from itertools import accumulate, compress
from operator import add
from typing import NamedTuple, Union

from . import patterns as P


class Span(NamedTuple):
    """Character offsets [start, end) into ``ParsedLetter.source_text``."""
    start: int
    end: int


@dataclass(frozen=True)
class ParsedLetter:
    kind: str                               # "reply" | "other"
    reason: str | None = None               # why "other"; None for replies
    # "reply" (a lead or separately-assigned agency answers the proposers), "opinion" (a
    # co-handling agency's 会办意见: kind stays "other", the importer keeps it for reference)
    # or "other".
    letter_type: str = "other"
    title: str | None = None
    committee: str | None = None
    session: str | None = None
    term: int | None = None
    session_number: int | None = None
    proposal_number: str | None = None
    proposal_title: str | None = None
    proposers: list[str] = field(default_factory=list)
    proposer_kinds: list[str] = field(default_factory=list)
    proposers_more: bool = False
    salutation: str | None = None
    lead_agency: str | None = None
    lead_agency_aliases: list[str] = field(default_factory=list)
    co_agencies: list[str] = field(default_factory=list)
    issuing_body: str | None = None
    doc_number: str | None = None
    signed_on: dt.date | None = None
    published_on: dt.date | None = None
    written_on: dt.date | None = None
    document_date: dt.date | None = None
    signer: str | None = None
    index_number: str | None = None
    classification: str | None = None
    disclosure: str | None = None
    disclosure_reason: str | None = None
    contact: dict = field(default_factory=lambda: {"unit": None, "person": None, "phone": None})
    cc: list[str] = field(default_factory=list)
    body: str = ""
    warnings: list[str] = field(default_factory=list)
    source_text: str = ""
    spans: dict[str, Union[Span, list[Span]]] = field(default_factory=dict)
    # How each extracted field was found: {"how": pattern name, "span": [start, end] or None,
    # "confidence": 0..1}. Fields read below REVIEW_THRESHOLD are left empty (and warned about).
    evidence: dict[str, dict] = field(default_factory=dict)



_FURNITURE_MAX = 160


def furniture_lines(lines: list[str], stripped: list[str] | None = None) -> list[bool]:
    """Whether each line is page furniture (breadcrumbs, share buttons): a short line (furniture
    is short; long lines are text) in which FURNITURE_RE finds something, its ^ and $ at the ends
    of the stripped line. The short lines are searched all at once, stripped and joined by
    newlines (FURNITURE_ANYWHERE_RE, FURNITURE_LINE_START_RE): no part of either pattern can
    cross a line."""
    flags = [False] * len(lines)
    is_short = list(map(_FURNITURE_MAX.__ge__, map(len, lines)))
    short = list(compress(range(len(lines)), is_short))
    if not short:
        return flags
    parts = list(compress(stripped if stripped is not None else map(str.strip, lines), is_short))
    starts = list(accumulate(map((1).__add__, map(len, parts[:-1])), initial=0))
    joined = "\n".join(parts)
    for regex in (P.FURNITURE_ANYWHERE_RE, P.FURNITURE_LINE_START_RE):
        for m in regex.finditer(joined):
            flags[short[bisect_right(starts, m.start()) - 1]] = True
    return flags


class Lines:
    """Line offsets of the normalised text."""

    def __init__(self, norm: str):
        self.norm = norm
        lines = norm.split("\n")
        lengths = list(map(len, lines))
        # Each line starts one past the previous line's end (built in C: no loop per line here).
        starts = list(accumulate(map((1).__add__, lengths[:-1]), initial=0))
        self.bounds: list[tuple[int, int]] = list(zip(starts, map(add, starts, lengths)))
        # Each line stripped, once (the parser asks for some lines' text dozens of times).
        self.stripped = list(map(str.strip, lines))
        self.furniture = furniture_lines(lines, self.stripped)

    def __len__(self):
        return len(self.bounds)

    def text(self, i: int) -> str:
        return self.stripped[i]

    def blank(self, i: int, norm: str) -> None:
        """Line i was blanked (same length) in ``norm``, the text now read: it is furniture."""
        self.norm = norm
        self.stripped[i] = ""
        self.furniture[i] = True

    def stripped_span(self, i: int) -> tuple[int, int]:
        s, e = self.bounds[i]
        raw = self.norm[s:e]
        left = len(raw) - len(raw.lstrip())
        return s + left, s + left + len(raw.strip())

    def index_at(self, offset: int) -> int:
        lo, hi = 0, len(self.bounds) - 1
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if self.bounds[mid][0] <= offset:
                lo = mid
            else:
                hi = mid - 1
        return lo


# A field read with less confidence than this is not filled: the document is flagged for review.
REVIEW_THRESHOLD = 0.5
_EMPTY = {"proposers": [], "proposer_kinds": [], "co_agencies": []}


class Builder:
    def __init__(self, source: str):
        self.values: dict = {"source_text": source}
        self.spans: dict[str, Union[Span, list[Span]]] = {}
        self.warnings: list[str] = []
        self.evidence: dict[str, dict] = {}

    def set(self, name: str, value, start: int | None = None, end: int | None = None, *,
            how: str | None = None, confidence: float = 1.0):
        """Record a field; ``how`` names the pattern that found it (kept as evidence)."""
        self.values[name] = value
        if start is not None and end is not None and end > start:
            self.spans[name] = Span(start, end)
        if how is not None:
            span = [start, end] if start is not None and end is not None and end > start else None
            self.evidence[name] = {"how": how, "span": span, "confidence": round(confidence, 2)}

    def warn(self, message: str):
        if message not in self.warnings:
            self.warnings.append(message)

    def build(self) -> ParsedLetter:
        for name, ev in self.evidence.items():
            value = self.values.get(name)
            if ev["confidence"] >= REVIEW_THRESHOLD or value in (None, "", []):
                continue
            shown = value.isoformat() if hasattr(value, "isoformat") else value
            self.warn(f"{name} left empty for review ({ev['how']}, confidence {ev['confidence']:.2f}): '{shown}'")
            self.values[name] = _EMPTY.get(name)
            self.spans.pop(name, None)
        return ParsedLetter(warnings=self.warnings, spans=self.spans, evidence=self.evidence, **self.values)
