"""Length-preserving text normalisation and Chinese numeral helpers.

The parser matches on a *normalised* copy of the letter (Simplified characters,
ASCII digits and punctuation) but reports offsets into the original text, so every
transformation here must map one character to exactly one character.
"""
from __future__ import annotations

import operator
import re
from functools import lru_cache

import opencc

_T2S = opencc.OpenCC("t2s")

# Full-width ASCII block (U+FF01..U+FF5E) maps to U+0021..U+007E; the ideographic
# space to a plain space. A few bracket look-alikes are folded onto the ones the
# document-number regexes expect.
_FULLWIDTH = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}
_FULLWIDTH.update({
    0x3000: 0x20,        # ideographic space
    0x00A0: 0x20,        # no-break space (from &nbsp;)
    0xFE5D: ord("〔"),   # small tortoise-shell brackets
    0xFE5E: ord("〕"),
    0x3014: ord("〔"),
    0x3015: ord("〕"),
    0xFE55: ord(":"),    # small colon
    0xFE30: ord(":"),
    0x2236: ord(":"),    # ratio sign used as a colon
    0xFF61: ord("。"),   # half-width ideographic full stop
})
# Exotic spaces (en/em spaces pad signature lines, zero-width spaces come from HTML).
_FULLWIDTH.update({cp: 0x20 for cp in (*range(0x2000, 0x200C), 0x202F, 0x205F, 0xFEFF)})



@lru_cache(maxsize=4096)
def _t2s_char(ch: str) -> str:
    converted = _T2S.convert(ch)
    return converted if len(converted) == 1 else ch


# OpenCC's t2s tables change these characters and no others: every character it converts
# on its own (found once per process by converting each CJK code point alone), plus the few
# it changes only inside a phrase (覆 in 答覆 and 批覆…). A line holding none of them comes
# out of OpenCC unchanged, so it is not sent there: most letters are Simplified and only a
# line or two of theirs holds such a character. tests/replies/test_normalize_speed.py checks
# both against OpenCC's own dictionaries.
T2S_PHRASE_ONLY = "么俱哩坏彷沈甦瞭藉衹覆"
T2S_PROBED_RANGES = ((0x2E80, 0xA000), (0xF900, 0xFB00), (0x20000, 0x32400))
_LINE_CACHE_MAX = 2000  # characters: longer lines are converted without caching


def t2s_changed_characters() -> set[str]:
    """Every character t2s may change (see above)."""
    chars = [chr(cp) for low, high in T2S_PROBED_RANGES for cp in range(low, high)]
    converted = _T2S.convert("\n".join(chars)).split("\n")
    return {a for a, b in zip(chars, converted) if a != b} | set(T2S_PHRASE_ONLY)


@lru_cache(maxsize=1)
def t2s_convertible() -> re.Pattern:
    """A character class that holds every character t2s may change. Characters beyond the
    BMP are taken as a whole range: listed one by one they would make re test each of them
    in turn at every position (100 times slower); lines holding them are simply converted."""
    bmp = sorted(ch for ch in t2s_changed_characters() if ord(ch) <= 0xFFFF)
    return re.compile("[" + "".join(re.escape(ch) for ch in bmp) + "\U00010000-\U0010FFFF]")


def _t2s_line_uncached(line: str) -> str:
    converted = _T2S.convert(line)
    if len(converted) == len(line):
        return converted
    # Phrase tables occasionally change the length: fall back to one character at a time.
    return "".join(_t2s_char(ch) for ch in line)


# Letters of one site share lines (closing formulas, page furniture): convert each once.
_t2s_line_cached = lru_cache(maxsize=4096)(_t2s_line_uncached)


def _t2s_counted(text: str) -> tuple[str, int]:
    """Traditional to Simplified keeping the length (and so every offset), and the number of
    characters changed. Only the lines that hold a convertible character go through OpenCC:
    its phrases never span a line break, so converting line by line gives the same text."""
    convertible = t2s_convertible()
    hit = convertible.search(text)
    if hit is None:
        return text, 0
    out, pos, changed = [], 0, 0
    while hit is not None:
        start = text.rfind("\n", 0, hit.start()) + 1
        end = text.find("\n", hit.end())
        end = len(text) if end == -1 else end
        line = text[start:end]
        converted = (_t2s_line_cached if len(line) <= _LINE_CACHE_MAX else _t2s_line_uncached)(line)
        if converted != line:
            changed += sum(map(operator.ne, line, converted))
        out.append(text[pos:start])
        out.append(converted)
        pos = end
        hit = convertible.search(text, end)
    out.append(text[pos:])
    return "".join(out), changed


def _t2s_same_length(text: str) -> str:
    """Convert Traditional to Simplified keeping the length (and so every offset)."""
    return _t2s_counted(text)[0]


_FOLD_RE = re.compile("[" + "".join(re.escape(chr(cp)) for cp in sorted(_FULLWIDTH)) + "]")


def _fold(match: re.Match) -> str:
    return chr(_FULLWIDTH[ord(match.group())])


def fold_width(text: str) -> str:
    """Full-width ASCII and odd spaces to their plain forms (one character each)."""
    # re.sub only touches the (few) matching characters; str.translate with a dict
    # costs a lookup per character, which dominates on long letters.
    return _FOLD_RE.sub(_fold, text)


def normalize_with_count(text: str) -> tuple[str, int]:
    """normalize() plus the number of characters the Traditional->Simplified step changed."""
    simplified, changed = _t2s_counted(text)
    return fold_width(simplified), changed


def normalize(text: str) -> str:
    """Return a copy of ``text`` with the same length, in Simplified characters,
    with full-width ASCII folded to half-width."""
    return normalize_with_count(text)[0]


# --- Chinese numerals ---------------------------------------------------------

_DIGITS = {
    "〇": 0, "零": 0, "○": 0, "Ｏ": 0, "O": 0, "o": 0, "０": 0,
    "一": 1, "壹": 1, "二": 2, "贰": 2, "两": 2, "三": 3, "叁": 3, "四": 4, "肆": 4,
    "五": 5, "伍": 5, "六": 6, "陆": 6, "七": 7, "柒": 7, "八": 8, "捌": 8,
    "九": 9, "玖": 9,
}
_UNITS = {"十": 10, "拾": 10, "百": 100, "佰": 100}

CN_NUM_CHARS = "〇零○一二三四五六七八九十百两壹贰叁肆伍陆柒捌玖拾佰"


def cn_to_int(s: str) -> int | None:
    """'六' -> 6, '十' -> 10, '十一' -> 11, '二十' -> 20, '一百零二' -> 102, '12' -> 12.

    Digit-by-digit strings without units ('二〇二四') are read positionally.
    Returns None for anything that is not a number.
    """
    s = s.strip().lstrip("第")
    if not s:
        return None
    if s.isdigit():
        return int(fold_width(s))
    if not any(ch in _UNITS for ch in s):
        if all(ch in _DIGITS for ch in s):
            return int("".join(str(_DIGITS[ch]) for ch in s))
        return None
    total, current = 0, 0
    for ch in s:
        if ch in _DIGITS:
            current = _DIGITS[ch]
        elif ch in _UNITS:
            total += (current or 1) * _UNITS[ch]
            current = 0
        else:
            return None
    return total + current
