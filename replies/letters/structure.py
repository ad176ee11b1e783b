"""Where the parts of a letter are: the title line, the first paragraph and the salutation."""
from __future__ import annotations

import re

from . import patterns as P
from .entities import is_agency, parse_salutation
from .header import Found
from .model import Lines

_TITLE_SCAN_LINES = 80
_TITLE_TAIL_MAX = 60      # a wrapped title's continuation line is short
_SALUTATION_LINES = 40


def find_reply_title(lines: Lines) -> tuple[int | None, Found | None, Found | None]:
    """The title line ('XX关于市政协…第55号提案的答复'), also when wrapped onto two lines
    ('对临湘市政协十届三次会议第18号提案的' / '答 复'), and the agency printed in it or on the
    line above it ('潼关县民政局' / '关于对政协十届三次会议第52号提案的答复')."""
    for i in range(min(len(lines), _TITLE_SCAN_LINES)):
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
            if nxt >= len(lines) or len(line) > _TITLE_TAIL_MAX or not ("关于" in line or line.startswith("对")):
                continue
            tail = lines.text(nxt)
            if len(tail) <= 6:
                tail = re.sub(r"[ \t]+", "", tail)   # '答 复' is spaced out to fill the line
            if (not tail or len(tail) > _TITLE_TAIL_MAX or tail.endswith(("。", ":"))
                    or not P.REPLY_TITLE_RE.search(line + tail)):
                continue
            title, end = line + tail, lines.stripped_span(nxt)[1]
        return i, _title_agency(lines, i, title, start), Found(title, start, end)
    return None, None, None


def _title_agency(lines: Lines, idx: int, title: str, start: int) -> Found | None:
    cut = title.find("关于")
    if cut < 0:
        cut = title.find("对")
    agency = title[:cut].strip() if cut > 0 else ""
    if agency:
        return Found(agency, start, start + len(agency)) if is_agency(agency) else None
    # The agency on a line of its own above the title.
    for j in range(idx - 1, max(-1, idx - 3), -1):
        above = lines.text(j)
        if not above or lines.furniture[j]:
            continue
        if is_agency(above):
            s, e = lines.stripped_span(j)
            return Found(above, s, e)
        break
    return None


def first_paragraph(lines: Lines) -> int | None:
    for i in range(len(lines)):
        line = lines.text(i)
        if lines.furniture[i]:
            continue
        if (len(line) >= 60 and "。" in line) or len(line) >= 150:
            return i
    return None


_INLINE_SALUTATION_RE = re.compile(r"委员|同志|代表|尊敬|民革|民盟|民建|民进|农工|致公|九三学社|台盟|工商联|委员会|界别")
# A salutation without its colon: '尊敬的陈国兴、刘铭、张雯委员', '致公党广州市委员会'.
_BARE_SALUTATION_RE = re.compile(
    r"(?:尊敬的)?[\u4e00-\u9fff·、, ]{2,50}?(?:等)?(?:委员|同志)们?"
    r"|(?:尊敬的)?(?:民革|民盟|民建|民进|农工党|致公党|九三学社|台盟)[\u4e00-\u9fff]{1,12}(?:委员会|委)"
)


_OPENING_WORDS = ("提出", "提交", "收悉", "您", "你", "提案", "建议")


def _opening_follows(lines: Lines, idx: int) -> bool:
    """A salutation without its colon is trusted only right before the letter's opening
    ('…委员' then '您提出的…'), not a closing line such as '感谢各位委员'."""
    for j in range(idx + 1, min(len(lines), idx + 4)):
        text = lines.text(j)
        if text:
            return any(word in text[:60] for word in _OPENING_WORDS)
    return False


def find_salutation(lines: Lines, title_idx, para_idx, label_lines) -> tuple[int | None, Found | None]:
    """'陈丽琴委员:' on its own line or at the start of the first paragraph; a salutation whose
    colon was lost; the lead agency when a co-handler writes to it ('市市场监督管理局:')."""
    start = title_idx + 1 if title_idx is not None else 0
    stop = min(len(lines), (para_idx + 1) if para_idx is not None else start + _SALUTATION_LINES,
               start + _SALUTATION_LINES)
    for i in range(start, stop):
        line = lines.text(i)
        if not line or lines.furniture[i] or lines.bounds[i][0] in label_lines:
            continue
        s, _ = lines.stripped_span(i)
        colon = line.find(":")
        if colon < 0:
            if (_BARE_SALUTATION_RE.fullmatch(line) and _opening_follows(lines, i)
                    and parse_salutation(line + ":", 0)):
                return i, Found(line, s, s + len(line))
            continue
        if colon > 60:
            continue
        head, offset = line[:colon + 1], 0
        if "|" in head:
            # A table cell before the salutation ('释义 | 王福英、王玉琴委员:').
            offset = head.rindex("|") + 1
            offset += len(head[offset:]) - len(head[offset:].lstrip())
            head = head[offset:]
        parsed = parse_salutation(head, 0)
        if parsed and colon < len(line) - 1 and not _INLINE_SALUTATION_RE.search(head):
            # Text runs on after the colon: only trust an explicit addressee ('…委员:').
            parsed = None
        bare = head[:-1].strip()
        bare = bare[3:] if bare.startswith("尊敬的") else bare
        if parsed is not None or bare.startswith(("贵", "各位")) or (colon == len(line) - 1 and is_agency(bare)):
            return i, Found(head, s + offset, s + offset + len(head))
    return None, None
