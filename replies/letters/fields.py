"""Field readers used by the parser: agencies (writer, lead, co-handlers, the roles in a
co-handling opinion), the body text and date plausibility checks. The proposal itself is read
in proposal.py."""
from __future__ import annotations

import datetime as dt
import re

from . import patterns as P
from .entities import LEVEL_CHARS, is_agency, same_agency, split_agencies
from .header import Found
from .model import Builder, Lines, Span

_PUBLICATION_LAG_DAYS = 366  # a signature this long before publication is suspicious


# --- agencies -------------------------------------------------------------------------

# Where the writing agency was read, and how far that is trusted. A metadata field names the
# publishing body, which is the writer on a government site's own disclosure page; a contact
# line names the office to call, usually the writer's own.
_AGENCY_CONFIDENCE = {"title": 1.0, "signature": 1.0, "header:lead": 0.9, "header:source": 0.8, "contact": 0.8}


def read_agencies(b: Builder, norm: str, lines: Lines, header, title_agency, sig, is_reply) -> dict:
    candidates: list[Found] = []
    how: dict[int, str] = {}

    def add(found: Found, source: str):
        candidates.append(found)
        how.setdefault(id(found), source)

    if title_agency:
        add(title_agency, "title")
    sig_agencies = sig["agencies"] if sig else []
    for f in sig_agencies[:1]:
        add(f, "signature")
    for key in ("lead", "source"):
        for f in header.get(key, []):
            if is_agency(f.value):
                add(f, f"header:{key}")
    unit = (b.values.get("contact") or {}).get("unit")
    span = b.spans.get("contact.unit")
    if unit and span and is_agency(unit):
        add(Found(unit, span.start, span.end), "contact")

    def confidence(found: Found) -> float:
        return _AGENCY_CONFIDENCE.get(how.get(id(found), ""), 0.8)

    if sig_agencies:
        first = sig_agencies[0]
        b.set("issuing_body", first.value, first.start, first.end, how="signature")
        line_idx = sig["agency_line"]
        line = lines.text(line_idx) if line_idx is not None else ""
        if "?" in line:
            b.warn(f"issuing body partly lost in conversion ('?'): '{line}'")
    elif candidates and is_reply:
        first = candidates[0]
        b.set("issuing_body", first.value, first.start, first.end, how=how[id(first)], confidence=confidence(first))

    if not is_reply or not candidates:
        if is_reply:
            b.warn("no lead agency found")
        return {"lead": None, "aliases": []}

    lead = candidates[0]
    for c in candidates[1:]:
        if same_agency(c.value, lead.value) and len(c.value) > len(lead.value):
            lead = c
    aliases: list[Found] = []
    for c in candidates:
        if c.value != lead.value and same_agency(c.value, lead.value):
            if all(a.value != c.value for a in aliases):
                aliases.append(c)
    # The same agency without its place name ('楚雄市教育体育局' -> '市教育体育局').
    m = re.match(rf"([\u4e00-\u9fff]{{2,10}}?)([{LEVEL_CHARS}])(.+)", lead.value)
    if m and all(a.value != m.group(2) + m.group(3) for a in aliases):
        short = m.group(2) + m.group(3)
        for hit in re.finditer(re.escape(short), norm):
            if norm[max(0, hit.start() - len(m.group(1))):hit.start()] != m.group(1):
                aliases.append(Found(short, hit.start(), hit.end()))
                break
    b.set("lead_agency", lead.value, lead.start, lead.end, how=how.get(id(lead), "header"), confidence=confidence(lead))
    b.set("lead_agency_aliases", [a.value for a in aliases])
    if aliases:
        b.spans["lead_agency_aliases"] = [Span(a.start, a.end) for a in aliases]
    return {"lead": lead.value, "aliases": [a.value for a in aliases]}


def read_opinion_roles(b: Builder, norm: str, salutation, start: int, end: int) -> dict:
    """A co-handling opinion: the lead agency is the addressee ('市市场监督管理局:') or the one
    named as lead ('由市教育局主办,我局会办'); the writer (signature or title) is the co-handler."""
    writer = b.values.get("issuing_body") or b.values.get("lead_agency")
    writer_span = b.spans.get("issuing_body") or b.spans.get("lead_agency")
    lead = None
    if salutation is not None:
        name = salutation.value.rstrip(":").strip()
        name = name[3:] if name.startswith("尊敬的") else name
        if is_agency(name):
            at = salutation.start + salutation.value.find(name)
            lead = (name, at, at + len(name), "salutation")
    m = P.LEAD_NAMED_RE.search(norm, start, end)
    if lead is None and m and is_agency(m.group("lead")):
        lead = (m.group("lead"), m.start("lead"), m.end("lead"), "lead_named")
    b.values.pop("lead_agency_aliases", None)
    b.spans.pop("lead_agency_aliases", None)
    if lead:
        b.set("lead_agency", lead[0], lead[1], lead[2], how=lead[3])
    else:
        b.values.pop("lead_agency", None)
        b.spans.pop("lead_agency", None)
        b.evidence.pop("lead_agency", None)
        b.warn("co-handling opinion: the lead agency is not named")
    if writer:
        b.set("issuing_body", writer, *(writer_span or (None, None)), how="opinion writer")
        b.set("co_agencies", [writer])
        if writer_span:
            b.spans["co_agencies"] = [writer_span]
    return {"lead": lead[0] if lead else None, "aliases": []}


def co_agencies_marked(norm: str, start: int, end: int) -> list[tuple[int, str]]:
    """(offset, name) of each '市财政局(会办)' in norm[start:end]: the Han characters right before
    the mark, 2 to CO_AGENCY_MARKED_MAX of them (the nearest), none taken twice. The same as
    finding ``[HAN]{2,40}\\((?:会办|协办)(?:单位)?\\)`` left to right, without trying each
    character of the letter as the start of a name."""
    found = []
    taken = start  # a name never reaches back into the previous mark
    for m in P.CO_AGENCY_MARK_RE.finditer(norm, start, end):
        at = m.start()
        floor = max(taken, at - P.CO_AGENCY_MARKED_MAX)
        first = at
        while first > floor and "\u3400" <= norm[first - 1] <= "\u9fff":
            first -= 1
        if at - first >= 2:
            found.append((first, norm[first:at]))
            taken = m.end()
    return found


def read_co_agencies(b: Builder, norm: str, header, start: int, end: int):
    lead = b.values.get("lead_agency")
    excluded = [lead] + b.values.get("lead_agency_aliases", []) if lead else []
    found: list[tuple[str, int, int]] = []
    for f in header.get("co", []):
        found.extend((n, f.start + s, f.start + e) for n, s, e in split_agencies(f.value))
    for regex in P.CO_AGENCY_RES:
        for m in regex.finditer(norm, start, end):
            base = m.start("v")
            found.extend((n, base + s, base + e) for n, s, e in split_agencies(m.group("v")))
    for base, value in co_agencies_marked(norm, start, end):
        found.extend((n, base + s, base + e) for n, s, e in split_agencies(value))
    names, spans = [], []
    for name, s, e in found:
        if name in names or any(x and same_agency(name, x) for x in excluded):
            continue
        names.append(name)
        spans.append(Span(s, e))
    if names:
        b.set("co_agencies", names)
        b.spans["co_agencies"] = spans


# --- body and checks ------------------------------------------------------------------

def read_body(source: str, lines: Lines, start_idx: int, end_idx: int, label_lines, sal_idx) -> str:
    """The letter's lines of ``source`` from start_idx to end_idx, without page furniture and the
    header's label lines (those above the salutation), trailing spaces and runs of blank lines."""
    src = source.split("\n")  # the same lines as the normalised text's (normalising keeps every length)
    furniture = lines.furniture
    last_label = end_idx if sal_idx is None else min(end_idx, sal_idx - 1)
    labelled = {i for i in map(lines.index_at, label_lines) if i <= last_label} if label_lines else ()
    kept: list[str] = []
    for i in range(start_idx, end_idx + 1):
        if furniture[i] or i in labelled:
            continue
        line = src[i].rstrip()
        if line:
            kept.append(line)
        elif kept and kept[-1]:
            kept.append("")
    while kept and not kept[-1]:
        kept.pop()
    return "\n".join(kept)


def check_dates(b: Builder, is_reply: bool):
    signed, published = b.values.get("signed_on"), b.values.get("published_on")
    if is_reply and signed is None:
        b.warn("no signature date")
    if signed and published:
        if signed > published:
            b.warn(f"signature date {signed.isoformat()} is after publication {published.isoformat()}")
        elif (published - signed).days > _PUBLICATION_LAG_DAYS:
            b.warn(f"signature date {signed.isoformat()} is more than a year before publication")
    for name in ("signed_on", "published_on", "document_date"):
        value = b.values.get(name)
        if value and not dt.date(1980, 1, 1) <= value <= dt.date.today() + dt.timedelta(days=366):
            b.warn(f"implausible {name.replace('_', ' ')}: {value.isoformat()}")
