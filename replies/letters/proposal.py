"""The proposal a letter answers: committee, session, number, title and proposers.

Only the letter's own text gives a field: searches end where the letter ends (links to other
letters are blanked before), and a field the letter does not give stays empty."""
from __future__ import annotations

import re

from . import patterns as P
from .entities import parse_salutation, place_of, proposer_kind
from .model import Builder, Lines, Span
from .normalize import cn_to_int

# Characters that end a place name when scanning backwards from '市政协'
# ('关于对市政协…' has no place; '昆明市政协' has one).
_PLACE_STOP = set("关于对在的第和向将经为由据交给及与是了把被从按请出席开届次号我本贵你您其该此即以所各全")
_SESSION_RES = (P.SESSION_SHORT_RE, P.SESSION_LONG_RE, P.SESSION_ORDINAL_RE, P.SESSION_TERM_FIRST_RE)
_SESSION_NAMES = {P.SESSION_SHORT_RE: "session_short", P.SESSION_LONG_RE: "session_long",
                  P.SESSION_ORDINAL_RE: "session_ordinal", P.SESSION_TERM_FIRST_RE: "session_term_first"}
_PROPOSER_WINDOW = 2000
# A committee completed with the place of the answering agency: usually right (a county bureau
# answers its county's committee), but not always (a county office answering the city's).
_INFERRED_COMMITTEE_CONFIDENCE = 0.7
_QUOTED_TITLE_CONFIDENCE = 0.8


def _session_match(norm: str, start: int, end: int):
    best = None
    for regex in _SESSION_RES:
        m = regex.search(norm, start, end)
        if m and (best is None or m.start() < best.start()):
            best = m
    return best or P.SESSION_PLACELESS_RE.search(norm, start, end)


def _place_before(norm: str, pos: int) -> str | None:
    run = re.search(r"[\u4e00-\u9fff]*$", norm[max(0, pos - 10):pos]).group()
    cut = max((i for i, ch in enumerate(run) if ch in _PLACE_STOP), default=-1)
    place = run[cut + 1:]
    return place if len(place) >= 2 else None


def _read_committee(b: Builder, norm: str, m, lead: str | None):
    groups = m.groupdict()
    how = _SESSION_NAMES.get(m.re, "session")
    if groups.get("place"):
        place = groups["place"]
        name = "全国政协" if place == "全国" else f"{place}政协"
        span = (m.start(), m.start("term")) if m.re is P.SESSION_LONG_RE else m.span("place")
        b.set("committee", name, *span, how=how)
        return
    level, national = groups.get("level"), groups.get("national")
    span = (m.start(), m.start("term"))
    if level == "全国" or national:
        b.set("committee", "全国政协", *span, how=how)
        return
    if not level:
        return
    place = _place_before(norm, m.start())
    if place:
        b.set("committee", f"{place}{level}政协", m.start() - len(place), span[1], how=how)
        return
    inferred = place_of(lead, level) if lead else None
    if inferred:
        b.set("committee", f"{inferred}政协", *span, how="session level + agency place",
              confidence=_INFERRED_COMMITTEE_CONFIDENCE)
        b.warn(f"committee inferred from agency place ('{lead}' -> '{inferred}政协')")
    else:
        b.warn(f"committee named only as '{level}政协' and no agency place to complete it")


def read_proposal(b: Builder, norm: str, lines: Lines, title, salutation, agencies: dict, header: dict,
                  end: int | None = None):
    end = len(norm) if end is None else end
    title_span = (title.start, title.end) if title is not None else None
    letter_from = salutation.start if salutation is not None else (title_span[0] if title_span else 0)

    m = _session_match(norm, *title_span) if title_span else None
    m = m or _session_match(norm, letter_from, end) or _session_match(norm, 0, end)
    number = None
    if m:
        _read_committee(b, norm, m, agencies.get("lead"))
        term, sess = cn_to_int(m.group("term")), cn_to_int(m.group("sess"))
        b.set("session", f"{m.group('term')}届{m.group('sess')}次会议", m.start("term"), m.end())
        b.set("term", term, *m.span("term"), how="session")
        b.set("session_number", sess, *m.span("sess"), how="session")
        n = P.NUMBER_AFTER_SESSION_RE.match(norm, m.end())
        if n:
            number = (n.group("num"), *n.span("num"), "number after session")
    if number is None:
        # The title, the letter, then the page's own heading above the letter.
        for s, e in ([title_span] if title_span else []) + [(letter_from, end), (0, letter_from)]:
            ref = P.proposal_ref(norm, s, e)
            if ref:
                number = (*ref, "proposal reference")
                break

    paren = _read_title(b, norm, letter_from, end, title_span, header)
    if number is None and paren is not None:
        number = (*paren, "number in brackets")
    if number is None:
        for found in header.get("proposal_number", []):
            n = re.fullmatch(rf"第?[ \t]*({P.NUM})[ \t]*号?", found.value)
            if n:
                number = (n.group(1), found.start + n.start(1), found.start + n.end(1), "header:proposal_number")
                break
    if number:
        b.set("proposal_number", *number[:3], how=number[3])
    else:
        b.warn("no proposal number found")
    _read_proposers(b, salutation, norm, letter_from, end, header)


def _read_title(b: Builder, norm: str, letter_from: int, end: int, title_span, header) -> tuple | None:
    """Set proposal_title; return the number printed in brackets after it, if any."""
    proposed = P.PROPOSED_RE.search(norm, letter_from, end) or P.PROPOSED_RE.search(norm, 0, end)
    key = None
    if proposed:
        key = "t" if proposed.group("t") else "t2"
    else:
        proposed = P.PROPOSED_PLAIN_RE.search(norm, letter_from, end)
        key = "t" if proposed else None
    if proposed:
        start, stop = proposed.span(key)
        if key == "t2":
            start, stop = _whole_quoted_title(norm, start, stop)
        value = norm[start:stop].strip()
        b.set("proposal_title", value, start, start + len(value), how="proposed")
        if proposed.group("paren"):
            p = P.PAREN_NUMBER_RE.search(proposed.group("paren"))
            if p:
                base = proposed.start("paren")
                return p.group("num"), base + p.start("num"), base + p.end("num")
        return None
    q = P.QUOTED_PROPOSAL_TITLE_RE.search(norm, letter_from, end) or P.QUOTED_PROPOSAL_TITLE_RE.search(norm, 0, end)
    if q:
        b.set("proposal_title", q.group("t"), *q.span("t"), how="quoted title", confidence=_QUOTED_TITLE_CONFIDENCE)
        return None
    if title_span:
        q = re.search(r"《(?P<t>[^》\n]{2,150})》", norm[title_span[0]:title_span[1]])
        if q:
            b.set("proposal_title", q.group("t"), title_span[0] + q.start("t"), title_span[0] + q.end("t"),
                  how="title line")
            return None
    for found in header.get("proposal_title", []):
        t = re.fullmatch(r"[《“\"「]?(.+?)[》”\"」]?", found.value)
        if t:
            b.set("proposal_title", t.group(1), found.start + t.start(1), found.start + t.end(1),
                  how="header:proposal_title")
            break
    return None


def _whole_quoted_title(norm: str, start: int, stop: int) -> tuple[int, int]:
    """'关于“加大河道治理投入”的提案': the quotes are inside the title, which keeps them."""
    before = norm[max(0, start - 6):start - 1].rstrip()
    tail = P.INNER_QUOTED_TAIL_RE.match(norm, stop)
    if before.endswith("关于") and tail:
        return max(0, start - 6) + len(before) - 2, tail.end()
    return start, stop


_MEMBER_PROPOSED_RE = re.compile(
    r"(?P<names>[\u4e00-\u9fff·]{2,4}(?:[、,][\u4e00-\u9fff·]{2,4}){0,9})(?P<more>等[\d一二三四五六七八九十]*[位名]?)?"
    r"委员(?:领衔|联名)?(?:提出|所提)"
)


def _read_proposers(b: Builder, salutation, norm: str, letter_from: int, end: int, header: dict):
    names: list[tuple[str, int, int]] = []
    more = False
    how = None
    window_end = min(end, letter_from + _PROPOSER_WINDOW)
    if salutation is not None:
        parsed = parse_salutation(salutation.value, salutation.start)
        if parsed:
            (names, more), how = parsed, "salutation"
    if not names:
        m = _MEMBER_PROPOSED_RE.search(norm, letter_from, window_end)
        if m:
            base = m.start("names")
            pos = 0
            for piece in re.split(r"[、,]", m.group("names")):
                at = m.group("names").find(piece, pos)
                pos = at + len(piece)
                names.append((piece, base + at, base + at + len(piece)))
            more, how = bool(m.group("more")), "member proposed"
    if not names:
        m = P.COLLECTIVE_PROPOSED_RE.search(norm, letter_from, window_end)
        if m:
            names, how = [(m.group("org"), *m.span("org"))], "collective proposed"
    if not names:
        for found in header.get("proposer", []):
            parsed = parse_salutation(found.value + ":", found.start)
            if parsed:
                (names, more), how = parsed, "header:proposer"
                break
    if names:
        b.set("proposers", [n for n, _, _ in names], how=how)
        b.set("proposer_kinds", [proposer_kind(n) for n, _, _ in names])
        b.spans["proposers"] = [Span(s, e) for _, s, e in names]
    b.set("proposers_more", more)
