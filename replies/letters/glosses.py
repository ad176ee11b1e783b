"""Pinyin glosses that mirror sites insert after characters ('關(guān)于', '據(jù)新華社').

Mirrors of government pages (seen on several Traditional copies in the evaluation set) gloss
characters with their reading in brackets. The glosses split words ('關(guān)于' is no longer
'關于'), so the parser reads a copy without them and maps every offset back to the page.
"""
from __future__ import annotations

import re

_TONED = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüńňǹḿ"
# A gloss: lowercase pinyin (toned or not) in ASCII or full-width brackets, right after a character.
GLOSS_RE = re.compile(rf"(?<=[\u3400-\u9fff])[(（](?:[a-z{_TONED}]{{1,7}})[)）]")
_TONED_GLOSS_RE = re.compile(rf"[(（][a-z]*[{_TONED}][a-z{_TONED}]*[)）]")
# Toneless words in brackets ('(de)', '(app)') also occur on ordinary pages; only a page that
# glosses with tone marks several times is treated as a glossed copy.
_MIN_TONED = 3


def _toned_glosses(text: str, limit: int) -> int:
    """How many toned glosses (_TONED_GLOSS_RE) the page holds, counted up to ``limit``. Each
    starts with a bracket: the brackets are found with str.find (in C), the pattern is tried at
    each of them only, not at every character. Glosses cannot overlap (a gloss holds no bracket),
    so this is the count of _TONED_GLOSS_RE.finditer."""
    count = 0
    for bracket in "(（":
        pos = text.find(bracket)
        while pos != -1:
            if _TONED_GLOSS_RE.match(text, pos):
                count += 1
                if count >= limit:
                    return count
            pos = text.find(bracket, pos + 1)
    return count


def strip_glosses(text: str) -> tuple[str, list[int] | None]:
    """Return (text without glosses, index) where index[i] is the offset in ``text`` of
    character i of the result, plus one final entry for the end; (text, None) when the page
    carries no glosses."""
    if _toned_glosses(text, _MIN_TONED) < _MIN_TONED:
        return text, None
    pieces: list[str] = []
    index: list[int] = []
    pos = 0
    for m in GLOSS_RE.finditer(text):
        pieces.append(text[pos:m.start()])
        index.extend(range(pos, m.start()))
        pos = m.end()
    pieces.append(text[pos:])
    index.extend(range(pos, len(text)))
    index.append(len(text))
    return "".join(pieces), index


def map_span(index: list[int], start: int, end: int) -> tuple[int, int]:
    """A [start, end) span of the stripped text as a span of the original page."""
    if end <= start:
        return index[start], index[start]
    return index[start], index[end - 1] + 1
