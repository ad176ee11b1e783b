"""Is a page a reply to a proposal, a co-handling opinion (会办意见) or something else?

Replies and opinions are recognised on the Simplified, glosses-free text with the same rules
for every page. Look-alikes are refused with a reason a person can read: people's congress
suggestions answered in the same form, work summaries, notices, news items."""
from __future__ import annotations

from . import patterns as P
from .header import Found
from .model import Lines

_HEADER_WINDOW = 3000
_OPENING = 600           # characters after the salutation in which a letter says what it is
_OTHER_TITLE_LINES = 30

REPLY, OPINION, OTHER = "reply", "opinion", "other"
PEOPLES_CONGRESS_REASON = "reply to a people's congress suggestion (人大代表建议), not a proposal"
TEMPLATE_REASON = "template with placeholders (XX), not a letter"


def classify(norm: str, lines: Lines, title_idx, sal_idx, salutation: Found | None) -> tuple[str, str]:
    """(letter type, reason): REPLY, OPINION or OTHER with why."""
    own = _own_reference(norm, lines, title_idx, sal_idx)
    if _peoples_congress(own, salutation):
        return OTHER, PEOPLES_CONGRESS_REASON
    is_letter, reason = _is_letter(norm, lines, title_idx, sal_idx)
    if not is_letter:
        return OTHER, reason
    if _is_template(own):
        return OTHER, TEMPLATE_REASON
    if P.OPINION_RE.search(own) or P.LEAD_NAMED_RE.search(own):
        return OPINION, ""
    return REPLY, ""


def _is_template(own: str) -> bool:
    """Placeholders in two slots or more of the title and opening ('XX委员:', '第XX号')."""
    if not P.PLACEHOLDER_HINT_RE.search(own):
        return False
    return sum(1 for regex in P.PLACEHOLDER_SLOT_RES if regex.search(own)) >= P.TEMPLATE_MIN_SLOTS


def _own_reference(norm: str, lines: Lines, title_idx, sal_idx) -> str:
    """The title and the opening of the letter: where it says what it answers."""
    parts = []
    if title_idx is not None:
        parts.append(lines.text(title_idx) + lines.text(title_idx + 1) if title_idx + 1 < len(lines)
                     else lines.text(title_idx))
    start = lines.bounds[sal_idx][0] if sal_idx is not None else 0
    parts.append(norm[start:start + _OPENING])
    return "\n".join(parts)


def _peoples_congress(own: str, salutation: Found | None) -> bool:
    """A people's congress session or deputies addressed, and no CPPCC committee named."""
    if P.CPPCC_RE.search(own):
        return False
    if salutation is not None and salutation.value.rstrip(":").endswith(("委员", "委员们")):
        return False
    if P.PEOPLES_CONGRESS_RE.search(own):
        return True
    return salutation is not None and salutation.value.rstrip(":").endswith("代表")


def _is_letter(norm: str, lines: Lines, title_idx, sal_idx) -> tuple[bool, str]:
    if title_idx is not None:
        return True, ""
    head = norm[:6000]
    has_ref = P.proposal_ref(norm) is not None
    proposed = (P.PROPOSED_RE.search(norm) or P.PROPOSED_PLAIN_RE.search(norm)
                or P.QUOTED_PROPOSAL_TITLE_RE.search(norm))
    phrasing = P.REPLY_PHRASE_RE.search(norm) is not None
    title = other_title_text(norm, lines) or ""
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


def other_title_text(norm: str, lines: Lines) -> str | None:
    found = other_title_found(norm, lines)
    return found.value if found else None


def other_title_found(norm: str, lines: Lines) -> Found | None:
    m = P.ISSUED_TITLE_RE.search(norm, 0, min(len(norm), _HEADER_WINDOW))
    if m:
        return Found(m.group("t").strip(), m.start("t"), m.end("t"))
    for i in range(min(len(lines), _OTHER_TITLE_LINES)):
        if lines.furniture[i]:
            continue
        s, e = lines.stripped_span(i)
        m = P.OTHER_TITLE_RE.match(norm, s, e)
        if m:
            return Found(m.group().strip(), m.start(), m.end())
    return None
