"""Read a published reply letter (答复函) into a plain dataclass.

``parse_letter`` is pure: text in, ParsedLetter out, no I/O and no ORM. It matches on a
normalised copy of the text (Simplified characters, half-width punctuation) that has the
same length as the original, so every span it reports indexes the original text.
"""
from __future__ import annotations

import dataclasses
import re

from . import patterns as P
from .dates import DATE_LINE_RE, find_date, reading_from_match
from .entities import is_agency
from .fields import check_dates, read_agencies, read_body, read_co_agencies, read_opinion_roles
from .glosses import map_span, strip_glosses
from .header import (
    DOC_LINE_TAIL_RE, DOCNUM_RE, Found, doc_number_from, find_cc, find_classification, find_contact,
    find_disclosure, header_before, scan_header,
)
from .model import Builder as _Builder, Lines as _Lines, ParsedLetter, Span
from .normalize import normalize_with_count
from .proposal import read_proposal
from .recognition import OPINION, OTHER, PEOPLES_CONGRESS_REASON, REPLY, classify, other_title_found
from .structure import find_reply_title, find_salutation, first_paragraph

__all__ = ["parse_letter", "ParsedLetter", "Span"]

_HEADER_WINDOW = 3000        # characters searched for a header block when nothing else bounds it
_OPINION_REASON = "co-handling opinion (会办意见) from a co-handling agency: kept for reference, not a reply"
_SIGNATURE_LOOKBACK = 40     # lines searched backwards for the signature date
_AMBIGUOUS_DATE_CONFIDENCE = 0.4


def parse_letter(text: str) -> ParsedLetter:
    """Parse one letter. Never raises: unexpected input yields kind "other" with a warning."""
    if not isinstance(text, str):
        text = "" if text is None else str(text)
    try:
        clean, index = strip_glosses(text)
        if index is None:
            return _parse(text)
        return _map_back(_parse(clean), text, index)
    except Exception as exc:  # the importer must survive any page; the warning says why
        return ParsedLetter(kind="other", reason="could not be parsed", source_text=text,
                            body=text.strip(), warnings=[f"parser error: {exc!r}"])


def _map_back(parsed: ParsedLetter, text: str, index: list[int]) -> ParsedLetter:
    """A letter read without its pinyin glosses, with spans and evidence on the original page."""
    spans = {}
    for name, span in parsed.spans.items():
        if isinstance(span, list):
            spans[name] = [Span(*map_span(index, *s)) for s in span]
        else:
            spans[name] = Span(*map_span(index, *span))
    evidence = {name: dict(ev, span=list(map_span(index, *ev["span"])) if ev.get("span") else None)
                for name, ev in parsed.evidence.items()}
    removed = len(text) - (len(index) - 1)
    warnings = [f"pinyin glosses removed for matching ({removed} characters)", *parsed.warnings]
    return dataclasses.replace(parsed, source_text=text, spans=spans, evidence=evidence, warnings=warnings)


def _parse(source: str) -> ParsedLetter:
    norm, converted = normalize_with_count(source)
    lines = _Lines(norm)
    norm = _mask_nav_links(norm, lines)
    b = _Builder(source)

    if converted:
        b.warn(f"Traditional characters converted to Simplified for matching ({converted} characters)")
    lost = 0
    if "?" in norm or "\ufffd" in norm:
        lost = sum(len(m.group()) for m in P.LOST_CHAR_RE.finditer(norm))
    if lost:
        b.warn(f"characters lost in conversion ('?'): {lost}")

    title_idx, title_agency, title = find_reply_title(lines)
    para_idx = first_paragraph(lines)
    header_end = lines.bounds[para_idx][0] if para_idx is not None else min(len(norm), _HEADER_WINDOW)
    header, label_lines = scan_header(norm, 0, header_end)
    sal_idx, salutation = find_salutation(lines, title_idx, para_idx, label_lines)
    if sal_idx is not None and lines.bounds[sal_idx][0] < header_end:
        # The letter's own metadata precedes the salutation; numbers after it are citations.
        header_end = lines.bounds[sal_idx][0]
        header, label_lines = header_before(header, label_lines, header_end)

    _read_header(b, norm, lines, header, label_lines, header_end)

    letter_type, reason = classify(norm, lines, title_idx, sal_idx, salutation)
    if letter_type == OTHER and reason != PEOPLES_CONGRESS_REASON and (
            "proposal_number" in header or "proposal_title" in header):
        letter_type, reason = REPLY, ""
    # Opinions are read like replies; the importer keeps them as reference documents.
    is_reply = letter_type in (REPLY, OPINION)
    b.set("letter_type", letter_type)
    b.set("kind", "reply" if letter_type == REPLY else "other")
    b.set("reason", _OPINION_REASON if letter_type == OPINION else (reason or None))

    if title is not None:
        b.set("title", title.value, title.start, title.end)
    else:
        _other_title(b, norm, lines)

    letter_start = sal_idx if sal_idx is not None else (title_idx if title_idx is not None else 0)
    sig = _find_signature(b, norm, lines, letter_start, is_reply)
    if is_reply and "signed_on" not in b.values:
        for found in header.get("replied", []):
            reading = find_date(found.value)
            if reading and reading.value:
                b.set("signed_on", reading.value, found.start + reading.start, found.start + reading.end,
                      how="header:replied")
                break
    end_idx = _letter_end(lines, sig, letter_start, is_reply)

    tail_start_idx = _tail_start(lines, letter_start, end_idx, sig, is_reply)
    tail_start = lines.bounds[tail_start_idx][0]
    tail_end = lines.bounds[end_idx][1]
    _read_tail(b, norm, header_end, tail_start, tail_end)

    agencies = read_agencies(b, norm, lines, header, title_agency, sig, is_reply)
    if letter_type == OPINION:
        agencies = read_opinion_roles(b, norm, salutation, lines.bounds[letter_start][0], tail_end)
    if is_reply:
        read_proposal(b, norm, lines, title, salutation, agencies, header, tail_end)
        if letter_type == REPLY:
            read_co_agencies(b, norm, header, lines.bounds[letter_start][0], tail_end)
    if salutation is not None:
        b.set("salutation", salutation.value, salutation.start, salutation.end)

    body_start = title_idx if title_idx is not None else (sal_idx if sal_idx is not None else 0)
    b.set("body", read_body(source, lines, body_start, end_idx, label_lines, sal_idx))
    check_dates(b, is_reply)
    return b.build()


# --- structure ---------------------------------------------------------------------

def _mask_nav_links(norm: str, lines: _Lines) -> str:
    """Blank '上一条:…' / '下一篇:…' lines (same length): they name other letters."""
    if not any(word in norm for word in P.NAV_LINK_WORDS):  # str.find is many times faster than the pattern
        return norm
    pieces, pos, masked_lines = [], 0, []
    for m in P.NAV_LINK_RE.finditer(norm):
        i = lines.index_at(m.start())
        s, e = lines.bounds[i]
        if norm[s:m.start()].strip(" \t") or s < pos:
            continue  # not at the start of its line, or its line is masked already
        pieces.append(norm[pos:s])
        pieces.append(" " * (e - s))
        pos = e
        masked_lines.append(i)
    if not pieces:
        return norm
    pieces.append(norm[pos:])
    masked = "".join(pieces)
    for i in masked_lines:
        lines.blank(i, masked)
    return masked


def _read_header(b: _Builder, norm, lines: _Lines, header, label_lines, header_end):
    doc = None
    for key in ("doc_number", "ambiguous_number"):
        for found in header.get(key, []):
            doc = doc or doc_number_from(found)
    if doc is None:
        # A number on a line of its own, possibly followed by the signer ('舞建提字〔2021〕19号 签发人:付建喜').
        for i in range(lines.index_at(max(header_end - 1, 0)) + 1):
            if lines.furniture[i]:
                continue
            s, e = lines.stripped_span(i)
            m = DOCNUM_RE.match(norm, s, e)
            if m and DOC_LINE_TAIL_RE.fullmatch(norm, m.end(), e):
                doc = doc_number_from(Found(m.group(), s, m.end()))
                break
    if doc:
        b.set("doc_number", doc.value, doc.start, doc.end)

    index = header.get("index_number") or [
        f for f in header.get("ambiguous_number", [])
        if not DOCNUM_RE.fullmatch(f.value) and any(c.isdigit() for c in f.value) and " " not in f.value
    ]
    if index:
        b.set("index_number", index[0].value, index[0].start, index[0].end)

    for found in header.get("signer", []):
        name = found.value.split()[0]
        if 2 <= len(name) <= 6 and all("\u4e00" <= c <= "\u9fff" or c == "·" for c in name):
            b.set("signer", name, found.start, found.start + len(name))
            break

    for key, name in (("published", "published_on"), ("written", "written_on")):
        for found in header.get(key, []):
            reading = find_date(found.value)
            if reading and reading.value:
                b.set(name, reading.value, found.start + reading.start, found.start + reading.end)
                break


def _other_title(b: _Builder, norm: str, lines: _Lines):
    found = other_title_found(norm, lines)
    if found:
        b.set("title", found.value, found.start, found.end)


def _find_signature(b: _Builder, norm, lines: _Lines, letter_start: int, is_reply: bool) -> dict | None:
    """The date that closes the letter, and the agency printed above or before it."""
    hits = []
    if is_reply:
        seen = 0
        for i in range(len(lines) - 1, letter_start, -1):
            if not lines.text(i) or lines.furniture[i]:
                continue
            seen += 1
            if seen > _SIGNATURE_LOOKBACK:
                break
            s, e = lines.bounds[i]
            m = DATE_LINE_RE.fullmatch(norm, s, e)
            if m:
                hits.append((i, m))
                break
    else:
        # A notice prints issuer and date under its number, before the text.
        for i in range(min(len(lines), 25)):
            s, e = lines.bounds[i]
            m = DATE_LINE_RE.fullmatch(norm, s, e) if not lines.furniture[i] else None
            if m:
                hits.append((i, m))
                break
    if not hits:
        return None
    idx, m = hits[0]
    reference = b.values.get("published_on")
    reading = reading_from_match(m, reference)
    for w in reading.warnings:
        b.warn(w)
    name = "signed_on" if is_reply else "document_date"
    if reading.value:
        b.set(name, reading.value, reading.start, reading.end, how="signature date",
              confidence=_date_confidence(reading, reference))
        if is_reply:
            b.set("document_date", reading.value, how="signature date",
                  confidence=_date_confidence(reading, reference))

    bodies: list[Found] = []
    if m.group("agency"):
        bodies = _agency_pieces(norm, m.start("agency"), m.end("agency"))
    agency_line = idx if bodies else None
    # Joint issuers stack their names on consecutive lines above the date.
    j = idx - 1
    while not m.group("agency") and j > letter_start and idx - j <= 4:
        if lines.text(j):
            s, e = lines.stripped_span(j)
            pieces = _agency_pieces(norm, s, e)
            if not pieces or len(pieces) < len(re.split(r"[?\s、,]+", lines.text(j).strip("?"))) - 1:
                break
            bodies = pieces + bodies
            agency_line = j
        elif bodies:
            break
        j -= 1
    return {"idx": idx, "agencies": bodies, "agency_line": agency_line}


def _date_confidence(reading, reference) -> float:
    """Run-together digits ('2020114') may read two ways: with no publication date to choose
    by, the choice is a guess and the date is left for a person."""
    if not any("run-together" in w for w in reading.warnings):
        return 1.0
    if any("ambiguous" in w for w in reading.warnings):
        return _AMBIGUOUS_DATE_CONFIDENCE if reference is None else 0.6
    return 0.9


def _agency_pieces(norm: str, start: int, end: int) -> list[Found]:
    """'中共张掖市委办公室?张掖市人民政府办公' -> the complete agency names on the line."""
    out: list[Found] = []
    pos = start
    text = norm[start:end]
    for piece in re.split(r"[?\s、,]+", text):
        if not piece:
            continue
        at = norm.find(piece, pos, end)
        pos = at + len(piece)
        if is_agency(piece):
            out.append(Found(piece, at, at + len(piece)))
    return out


def _letter_end(lines: _Lines, sig, letter_start: int, is_reply: bool) -> int:
    if sig and is_reply:
        end = sig["idx"]
        i = end + 1
        while i < len(lines) and i <= sig["idx"] + 8:
            line = lines.text(i)
            if lines.furniture[i]:
                break
            if line and P.DOC_LINE_TAIL_RE.search(line):
                end = i
            elif line:
                break
            i += 1
        return end
    end = len(lines) - 1
    while end > letter_start and (not lines.text(end) or lines.furniture[end]):
        end -= 1
    return end


def _tail_start(lines: _Lines, letter_start: int, end_idx: int, sig, is_reply: bool) -> int:
    """Contact blocks and copies sit at the end; search only the last part of the letter."""
    if sig and is_reply:
        start = sig["agency_line"] if sig["agency_line"] is not None else sig["idx"]
        return max(letter_start, start - 12)
    return max(letter_start, end_idx - 12)


def _read_tail(b: _Builder, norm: str, header_end: int, tail_start: int, tail_end: int):
    contact = find_contact(norm, tail_start, tail_end)
    b.set("contact", {k: (v.value if v else None) for k, v in contact.items()})
    for key, found in contact.items():
        if found:
            b.spans[f"contact.{key}"] = Span(found.start, found.end)
    cc = find_cc(norm, tail_start, tail_end)
    if cc:
        b.set("cc", [f.value for f in cc])
        b.spans["cc"] = [Span(f.start, f.end) for f in cc]
    regions = [(0, header_end), (tail_start, tail_end)]
    cls = find_classification(norm, regions)
    if cls:
        b.set("classification", cls.value, cls.start, cls.end)
    disclosure, reason = find_disclosure(norm, regions)
    if disclosure:
        b.set("disclosure", disclosure.value, disclosure.start, disclosure.end)
    if reason:
        b.set("disclosure_reason", reason.value, reason.start, reason.end)
