"""Length-preserving text normalisation and Chinese numeral helpers.

The parser matches on a *normalised* copy of the letter (Simplified characters,
ASCII digits and punctuation) but reports offsets into the original text, so every
transformation here must map one character to exactly one character.
"""
from __future__ import annotations

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


def _t2s_same_length(text: str) -> str:
    """Convert Traditional to Simplified keeping the length (and so every offset)."""
    converted = _T2S.convert(text)
    if len(converted) == len(text):
        return converted
    # Phrase tables occasionally change the length; retry line by line and only
    # fall back to per-character conversion on the lines that changed.
    out = []
    for line in text.splitlines(keepends=True):
        conv_line = _T2S.convert(line)
        if len(conv_line) != len(line):
            conv_line = "".join(_t2s_char(ch) for ch in line)
        out.append(conv_line)
    return "".join(out)


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
    simplified = _t2s_same_length(text)
    changed = 0 if simplified == text else sum(1 for a, b in zip(text, simplified) if a != b)
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
