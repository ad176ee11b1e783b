"""Read a published reply letter (答复函) into a plain dataclass.

``parse_letter`` is pure: text in, ParsedLetter out, no I/O and no ORM. It matches on a
normalised copy of the text (Simplified characters, half-width punctuation) that has the
same length as the original, so every span it reports indexes the original text.
"""
from __future__ import annotations

import re

from . import patterns as P
from .dates import DATE_LINE_RE, find_date, reading_from_match
from .entities import is_agency, parse_salutation
from .fields import read_agencies, read_body, read_co_agencies, read_proposal, check_dates
from .header import (
    DOCNUM_RE, Found, doc_number_from, find_cc, find_classification, find_contact,
    find_disclosure, scan_header,
)
from .model import Builder as _Builder, Lines as _Lines, ParsedLetter, Span
from .normalize import normalize_with_count

__all__ = ["parse_letter", "ParsedLetter", "Span"]

_HEADER_WINDOW = 3000        # characters searched for a header block when nothing else bounds it
_SIGNATURE_LOOKBACK = 40     # lines searched backwards for the signature date


def parse_letter(text: str) -> ParsedLetter:
    """Parse one letter. Never raises: unexpected input yields kind "other" with a warning."""
    if not isinstance(text, str):
        text = "" if text is None else str(text)
    try:
        return _parse(text)
    except Exception as exc:  # the importer must survive any page; the warning says why
        return ParsedLetter(kind="other", reason="could not be parsed", source_text=text,
                            body=text.strip(), warnings=[f"parser error: {exc!r}"])


def _parse(source: str) -> ParsedLetter:
    norm, converted = normalize_with_count(source)
    lines = _Lines(norm)
    b = _Builder(source)

    if converted:
        b.warn(f"Traditional characters converted to Simplified for matching ({converted} characters)")
    lost = 0
    if "?" in norm or "\ufffd" in norm:
        lost = sum(len(m.group()) for m in P.LOST_CHAR_RE.finditer(norm))
    if lost:
        b.warn(f"characters lost in conversion ('?'): {lost}")

    title_idx, title_agency, title = _find_reply_title(lines)
    para_idx = _first_paragraph(lines)
    header_end = lines.bounds[para_idx][0] if para_idx is not None else min(len(norm), _HEADER_WINDOW)
    header, label_lines = scan_header(norm, 0, header_end)
    sal_idx, salutation = _find_salutation(lines, title_idx, para_idx, label_lines)
    if sal_idx is not None and lines.bounds[sal_idx][0] < header_end:
        # The letter's own metadata precedes the salutation; numbers after it are citations.
        header_end = lines.bounds[sal_idx][0]
        header, label_lines = scan_header(norm, 0, header_end)

    _read_header(b, norm, lines, header, label_lines, header_end)

    is_reply, reason = _classify(norm, lines, title_idx, sal_idx)
    if not is_reply and ("proposal_number" in header or "proposal_title" in header):
        is_reply, reason = True, ""
    b.set("kind", "reply" if is_reply else "other")
    b.set("reason", None if is_reply else reason)

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
                b.set("signed_on", reading.value, found.start + reading.start, found.start + reading.end)
                break
    end_idx = _letter_end(lines, sig, letter_start, is_reply)

    tail_start_idx = _tail_start(lines, letter_start, end_idx, sig, is_reply)
    tail_start = lines.bounds[tail_start_idx][0]
    tail_end = lines.bounds[end_idx][1]
    _read_tail(b, norm, header_end, tail_start, tail_end)

    agencies = read_agencies(b, norm, lines, header, title_agency, sig, is_reply)
    if is_reply:
        read_proposal(b, norm, lines, title, salutation, agencies, header)
        read_co_agencies(b, norm, header, lines.bounds[letter_start][0], tail_end)
    if salutation is not None:
        b.set("salutation", salutation.value, salutation.start, salutation.end)

    body_start = title_idx if title_idx is not None else (sal_idx if sal_idx is not None else 0)
    b.set("body", read_body(source, lines, body_start, end_idx, label_lines, sal_idx))
    check_dates(b, is_reply)
    return b.build()


# --- structure ---------------------------------------------------------------------

def _find_reply_title(lines: _Lines) -> tuple[int | None, Found | None, Found | None]:
    """The title line ('XX关于市政协…第55号提案的答复'), also when wrapped onto two lines."""
    for i in range(min(len(lines), 80)):
        if lines.furniture[i]:
            continue
        line = lines.text(i)
        if not 4 <= len(line) <= 160 or line.endswith(("。", ":")) or "收悉" in line or "如下" in line:
            continue
        if line.startswith(("名称", "标题", "称:", "称 ")):
            continue
        start, end = lines.stripped_span(i)
        title = line
        if not P.REPLY_TITLE_RE.search(line):
            nxt = i + 1
            if nxt >= len(lines) or len(line) > 60 or "关于" not in line:
                continue
            tail = lines.text(nxt)
            if not tail or len(tail) > 60 or tail.endswith(("。", ":")) or not P.REPLY_TITLE_RE.search(line + tail):
                continue
            title, end = line + tail, lines.stripped_span(nxt)[1]
        cut = title.find("关于")
        if cut < 0:
            cut = title.find("对")
        agency = title[:cut].strip() if cut > 0 else ""
        found = Found(agency, start, start + len(agency)) if is_agency(agency) else None
        return i, found, Found(title, start, end)
    return None, None, None


def _first_paragraph(lines: _Lines) -> int | None:
    for i in range(len(lines)):
        line = lines.text(i)
        if lines.furniture[i]:
            continue
        if (len(line) >= 60 and "。" in line) or len(line) >= 150:
            return i
    return None


_INLINE_SALUTATION_RE = re.compile(r"委员|同志|代表|尊敬|民革|民盟|民建|民进|农工|致公|九三学社|台盟|工商联|委员会|界别")


def _find_salutation(lines: _Lines, title_idx, para_idx, label_lines) -> tuple[int | None, Found | None]:
    """'陈丽琴委员:' on its own line, or at the start of the first paragraph."""
    start = title_idx + 1 if title_idx is not None else 0
    stop = min(len(lines), (para_idx + 1) if para_idx is not None else start + 40, start + 40)
    for i in range(start, stop):
        line = lines.text(i)
        if not line or lines.furniture[i] or lines.bounds[i][0] in label_lines:
            continue
        colon = line.find(":")
        if colon < 0 or colon > 60:
            continue
        head = line[:colon + 1]
        parsed = parse_salutation(head, 0)
        if parsed and colon < len(line) - 1 and not _INLINE_SALUTATION_RE.search(head):
            # Text runs on after the colon: only trust an explicit addressee ('…委员:').
            parsed = None
        if parsed is not None or head.lstrip("尊敬的").startswith(("贵", "各位")):
            s, _ = lines.stripped_span(i)
            return i, Found(head, s, s + len(head))
    return None, None


def _read_header(b: _Builder, norm, lines: _Lines, header, label_lines, header_end):
    doc = None
    for key in ("doc_number", "ambiguous_number"):
        for found in header.get(key, []):
            doc = doc or doc_number_from(found)
    if doc is None:
        for i in range(lines.index_at(max(header_end - 1, 0)) + 1):
            if lines.furniture[i] or lines.bounds[i][0] in label_lines:
                continue
            s, e = lines.stripped_span(i)
            m = DOCNUM_RE.fullmatch(norm, s, e)
            if m:
                doc = doc_number_from(Found(m.group(), s, e))
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


def _classify(norm: str, lines: _Lines, title_idx, sal_idx) -> tuple[bool, str]:
    if title_idx is not None:
        title = lines.text(title_idx)
        if "人大" in title and "政协" not in title and "提案" not in title:
            return False, "reply to a people's congress suggestion (人大代表建议), not a proposal"
        return True, ""
    head = norm[:6000]
    has_ref = P.PROPOSAL_REF_RE.search(norm) is not None
    proposed = P.PROPOSED_RE.search(norm) or P.PROPOSED_PLAIN_RE.search(norm)
    phrasing = P.REPLY_PHRASE_RE.search(norm) is not None
    title = _other_title_text(norm, lines) or ""
    summary_like = any(w in title for w in ("总结", "报告")) or "工作总结" in head[:500]
    if not summary_like and ((has_ref and (phrasing or sal_idx is not None))
                             or (proposed and phrasing and "提案" in norm)):
        return True, ""
    if "总结" in title or "工作总结" in head[:500]:
        return False, "work summary (工作总结)"
    if P.NOTICE_RE.search(head) and P.NOTICE_ACTION_RE.search(head):
        return False, "policy document (印发 notice)"
    if title.endswith("报告"):
        return False, "report (报告)"
    if title.endswith("通知"):
        return False, "notice (通知)"
    return False, "no proposal reference (第N号提案) and no reply phrasing"


def _other_title_text(norm: str, lines: _Lines) -> str | None:
    found = _other_title_found(norm, lines)
    return found.value if found else None


def _other_title_found(norm: str, lines: _Lines) -> Found | None:
    m = P.ISSUED_TITLE_RE.search(norm, 0, min(len(norm), _HEADER_WINDOW))
    if m:
        return Found(m.group("t").strip(), m.start("t"), m.end("t"))
    for i in range(min(len(lines), 30)):
        if lines.furniture[i]:
            continue
        s, e = lines.stripped_span(i)
        m = P.OTHER_TITLE_RE.match(norm, s, e)
        if m:
            return Found(m.group().strip(), m.start(), m.end())
    return None


def _other_title(b: _Builder, norm: str, lines: _Lines):
    found = _other_title_found(norm, lines)
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
    reading = reading_from_match(m, b.values.get("published_on"))
    for w in reading.warnings:
        b.warn(w)
    name = "signed_on" if is_reply else "document_date"
    if reading.value:
        b.set(name, reading.value, reading.start, reading.end)
        if is_reply:
            b.set("document_date", reading.value)

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
