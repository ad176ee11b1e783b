"""Field readers used by the parser: agencies, the proposal reference, proposers,
co-handling agencies, the body text and date plausibility checks."""
from __future__ import annotations

import datetime as dt
import re

from . import patterns as P
from .entities import LEVEL_CHARS, is_agency, parse_salutation, place_of, proposer_kind
from .entities import same_agency, split_agencies
from .header import Found
from .model import Builder, Lines, Span
from .normalize import cn_to_int

_PUBLICATION_LAG_DAYS = 366  # a signature this long before publication is suspicious
# Characters that end a place name when scanning backwards from '市政协'
# ('关于对市政协…' has no place; '昆明市政协' has one).
_PLACE_STOP = set("关于对在的第和向将经为由据交给及与是了把被从按请出席开届次号我本贵你您其该此即以所各全")


# --- agencies -------------------------------------------------------------------------

def read_agencies(b: Builder, norm: str, lines: Lines, header, title_agency, sig, is_reply) -> dict:
    candidates: list[Found] = []
    if title_agency:
        candidates.append(title_agency)
    sig_agencies = sig["agencies"] if sig else []
    candidates.extend(sig_agencies[:1])
    for key in ("lead", "source"):
        candidates.extend(f for f in header.get(key, []) if is_agency(f.value))

    if sig_agencies:
        b.set("issuing_body", sig_agencies[0].value, sig_agencies[0].start, sig_agencies[0].end)
        line_idx = sig["agency_line"]
        line = lines.text(line_idx) if line_idx is not None else ""
        if "?" in line:
            b.warn(f"issuing body partly lost in conversion ('?'): '{line}'")
    elif candidates and is_reply:
        b.set("issuing_body", candidates[0].value, candidates[0].start, candidates[0].end)

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
    b.set("lead_agency", lead.value, lead.start, lead.end)
    b.set("lead_agency_aliases", [a.value for a in aliases])
    if aliases:
        b.spans["lead_agency_aliases"] = [Span(a.start, a.end) for a in aliases]
    return {"lead": lead.value, "aliases": [a.value for a in aliases]}


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
    names, spans = [], []
    for name, s, e in found:
        if name in names or any(x and same_agency(name, x) for x in excluded):
            continue
        names.append(name)
        spans.append(Span(s, e))
    if names:
        b.set("co_agencies", names)
        b.spans["co_agencies"] = spans


# --- the proposal ---------------------------------------------------------------------

def _session_match(norm: str, start: int, end: int):
    best = None
    for regex in (P.SESSION_SHORT_RE, P.SESSION_LONG_RE):
        m = regex.search(norm, start, end)
        if m and (best is None or m.start() < best.start()):
            best = m
    return best


def _place_before(norm: str, pos: int) -> str | None:
    run = re.search(r"[\u4e00-\u9fff]*$", norm[max(0, pos - 10):pos]).group()
    cut = max((i for i, ch in enumerate(run) if ch in _PLACE_STOP), default=-1)
    place = run[cut + 1:]
    return place if len(place) >= 2 else None


def _read_committee(b: Builder, norm: str, m, lead: str | None):
    if m.re is P.SESSION_LONG_RE:
        place = m.group("place")
        name = "全国政协" if place == "全国" else f"{place}政协"
        b.set("committee", name, m.start(), m.start("term"))
        return
    level, national = m.group("level"), m.group("national")
    span = (m.start(), m.start("term"))
    if level == "全国" or national:
        b.set("committee", "全国政协", *span)
        return
    if not level:
        return
    place = _place_before(norm, m.start())
    if place:
        b.set("committee", f"{place}{level}政协", m.start() - len(place), span[1])
        return
    inferred = place_of(lead, level) if lead else None
    if inferred:
        b.set("committee", f"{inferred}政协", *span)
        b.warn(f"committee inferred from agency place ('{lead}' -> '{inferred}政协')")
    else:
        b.warn(f"committee named only as '{level}政协' and no agency place to complete it")


def read_proposal(b: Builder, norm: str, lines: Lines, title, salutation, agencies: dict, header: dict):
    title_span = (title.start, title.end) if title is not None else None
    letter_from = salutation.start if salutation is not None else (title_span[0] if title_span else 0)

    m = _session_match(norm, *title_span) if title_span else None
    m = m or _session_match(norm, letter_from, len(norm)) or _session_match(norm, 0, len(norm))
    number = None
    if m:
        _read_committee(b, norm, m, agencies.get("lead"))
        term, sess = cn_to_int(m.group("term")), cn_to_int(m.group("sess"))
        b.set("session", f"{m.group('term')}届{m.group('sess')}次会议", m.start("term"), m.end())
        b.set("term", term, *m.span("term"))
        b.set("session_number", sess, *m.span("sess"))
        n = P.NUMBER_AFTER_SESSION_RE.match(norm, m.end())
        if n:
            number = (n.group("num"), *n.span("num"))
    if number is None:
        for s, e in ([title_span] if title_span else []) + [(letter_from, len(norm))]:
            r = P.PROPOSAL_REF_RE.search(norm, s, e)
            if r:
                key = next(k for k in ("n1", "n2", "n3") if r.group(k))
                number = (r.group(key), *r.span(key))
                break

    proposed = P.PROPOSED_RE.search(norm, letter_from) or P.PROPOSED_RE.search(norm)
    key = None
    if proposed:
        key = "t" if proposed.group("t") else "t2"
    else:
        proposed = P.PROPOSED_PLAIN_RE.search(norm, letter_from)
        key = "t" if proposed else None
    if proposed:
        b.set("proposal_title", proposed.group(key).strip(), *proposed.span(key))
        if number is None and proposed.group("paren"):
            p = P.PAREN_NUMBER_RE.search(proposed.group("paren"))
            if p:
                base = proposed.start("paren")
                number = (p.group("num"), base + p.start("num"), base + p.end("num"))
    elif title_span:
        q = re.search(r"《(?P<t>[^》\n]{2,150})》", norm[title_span[0]:title_span[1]])
        if q:
            b.set("proposal_title", q.group("t"), title_span[0] + q.start("t"), title_span[0] + q.end("t"))
    if number is None:
        for found in header.get("proposal_number", []):
            n = re.fullmatch(rf"第?[ \t]*({P.NUM})[ \t]*号?", found.value)
            if n:
                number = (n.group(1), found.start + n.start(1), found.start + n.end(1))
                break
    if "proposal_title" not in b.values:
        for found in header.get("proposal_title", []):
            t = re.fullmatch(r"[《“\"「]?(.+?)[》”\"」]?", found.value)
            if t:
                b.set("proposal_title", t.group(1), found.start + t.start(1), found.start + t.end(1))
                break
    if number:
        b.set("proposal_number", *number)
    else:
        b.warn("no proposal number found")
    _read_proposers(b, salutation, norm, letter_from, header)


_MEMBER_PROPOSED_RE = re.compile(
    r"(?P<names>[\u4e00-\u9fff·]{2,4}(?:[、,][\u4e00-\u9fff·]{2,4}){0,9})(?P<more>等[\d一二三四五六七八九十]*[位名]?)?"
    r"委员(?:领衔|联名)?(?:提出|所提)"
)


def _read_proposers(b: Builder, salutation, norm: str, letter_from: int, header: dict):
    names: list[tuple[str, int, int]] = []
    more = False
    if salutation is not None:
        parsed = parse_salutation(salutation.value, salutation.start)
        if parsed:
            names, more = parsed
    if not names:
        m = _MEMBER_PROPOSED_RE.search(norm, letter_from, min(len(norm), letter_from + 2000))
        if m:
            base = m.start("names")
            pos = 0
            for piece in re.split(r"[、,]", m.group("names")):
                at = m.group("names").find(piece, pos)
                pos = at + len(piece)
                names.append((piece, base + at, base + at + len(piece)))
            more = bool(m.group("more"))
    if not names:
        for found in header.get("proposer", []):
            parsed = parse_salutation(found.value + ":", found.start)
            if parsed:
                names, more = parsed
                break
    if names:
        b.set("proposers", [n for n, _, _ in names])
        b.set("proposer_kinds", [proposer_kind(n) for n, _, _ in names])
        b.spans["proposers"] = [Span(s, e) for _, s, e in names]
    b.set("proposers_more", more)


# --- body and checks ------------------------------------------------------------------

def read_body(source: str, lines: Lines, start_idx: int, end_idx: int, label_lines, sal_idx) -> str:
    kept: list[str] = []
    for i in range(start_idx, end_idx + 1):
        if lines.furniture[i]:
            continue
        s, e = lines.bounds[i]
        if s in label_lines and (sal_idx is None or i < sal_idx):
            continue
        line = source[s:e].rstrip()
        if not line.strip():
            if kept and kept[-1] != "":
                kept.append("")
            continue
        kept.append(line)
    while kept and kept[-1] == "":
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
