"""The matched words of a search, marked in the text as printed (server-side, escaped).

The search compares normalised text (proposals.search.normalise: Simplified, lower case), while a
page shows the text as printed, sometimes in Traditional characters. So each stretch of text
without spaces is normalised on its own: Traditional-to-Simplified conversion keeps the number of
characters in almost every case, and where it does not, the stretch is converted character by
character, so that a position in the normalised text is the same position in the printed one.
"""
from __future__ import annotations

import re

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from proposals.search import normalise

_STRETCHES = re.compile(r"\S+|\s+")


def _aligned(text: str) -> str:
    """``text`` normalised with every character where it stood (same length)."""
    out = []
    for piece in _STRETCHES.findall(text):
        if piece.isspace():
            out.append(" " * len(piece))
            continue
        converted = normalise(piece)
        if len(converted) != len(piece):
            converted = "".join(c if len(c) == 1 else ch for ch, c in ((ch, normalise(ch) or ch) for ch in piece))
        out.append(converted)
    return "".join(out)


def spans(text: str, terms: list[str]) -> list[tuple[int, int]]:
    """Where the (normalised) terms occur in ``text``, merged, in order."""
    if not text or not terms:
        return []
    folded = _aligned(text)
    found = []
    for term in terms:
        start = folded.find(term)
        while start != -1:
            found.append((start, start + len(term)))
            start = folded.find(term, start + 1)
    merged: list[tuple[int, int]] = []
    for start, end in sorted(found):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _marked(text: str, found: list[tuple[int, int]], offset: int = 0) -> str:
    out, pos = [], 0
    for start, end in found:
        start, end = start - offset, end - offset
        if end <= 0 or start >= len(text):
            continue
        start, end = max(start, 0), min(end, len(text))
        out.append(escape(text[pos:start]))
        out.append(f"<mark>{escape(text[start:end])}</mark>")
        pos = end
    out.append(escape(text[pos:]))
    return "".join(out)


def highlight(text: str, terms: list[str]) -> SafeString:
    """The whole text, escaped, with every occurrence of the terms in ``<mark>``."""
    return mark_safe(_marked(text or "", spans(text or "", terms)))


def snippet(text: str, terms: list[str], length: int = 120) -> SafeString:
    """About ``length`` characters of the text around its first match (the start when nothing
    matches), escaped and marked; an ellipsis where it was cut."""
    text = " ".join((text or "").split())
    found = spans(text, terms)
    start = max(0, found[0][0] - length // 3) if found else 0
    end = min(len(text), start + length)
    start = max(0, min(start, end - length))
    piece = text[start:end]
    inner = [(s, e) for s, e in found if e > start and s < end]
    return mark_safe(("…" if start else "") + _marked(piece, inner, offset=start) + ("…" if end < len(text) else ""))


def has_match(text: str, terms: list[str]) -> bool:
    return bool(spans(text, terms))
