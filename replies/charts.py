"""Charts of the figures as SVG drawn on the server: horizontal bar charts (grouped or stacked)
and line charts, returned as markup to put inline in a page.

Why SVG from the server rather than a vendored chart library: the pages need nothing but the
HTML (no script, no request to any other host, nothing to keep up to date), a chart prints and
screenshots exactly as it shows, and the figures are drawn from the same values as the table
beside them. The charts are plain functions of their data, with no database and no request.

Accessible: each chart is ``role="img"`` with a <title> and a <desc> that name what it shows
(``aria-labelledby`` points at both); each bar or point has its own <title> with its value (a
tooltip, and what a screen reader reads); series differ by more than colour (a legend, values
written beside bars, dash patterns on lines); the colours keep at least 3:1 against white. The
page puts the data table beside each chart (replies/figures).
"""
from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

WIDTH = 720
FONT = 12
LABEL_MAX = 220  # the widest category label column, in px; longer labels are cut with "…"
# Dark enough for white text inside a segment and for 3:1 against a white page.
BLUE, ORANGE, GREEN, RED, PURPLE, GREY = "#1f5f99", "#a64d00", "#2e7d32", "#c62828", "#6a1b9a", "#666666"
PALETTE = (BLUE, ORANGE, GREEN, PURPLE, RED, GREY)
DASHES = ("", "6 3", "2 3", "8 3 2 3")
GRID = "#c8c8c8"


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[float | None]
    color: str = BLUE


def percent(value) -> str:
    """A fraction as the figures give it (0.8667) written as a percentage (86.67%)."""
    return "—" if value is None else f"{value * 100:.2f}".rstrip("0").rstrip(".") + "%"


def number(value) -> str:
    if value is None:
        return "—"
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def _text_width(text: str, size: float = FONT) -> float:
    """Roughly: a CJK character is as wide as the font is high, a Latin one about 0.6 of it."""
    return sum(size if ord(ch) > 0x2E80 else size * 0.6 for ch in text)


def _fit(text: str, width: float) -> str:
    if _text_width(text) <= width:
        return text
    while text and _text_width(text + "…") > width:
        text = text[:-1]
    return text + "…"


def _nice_maximum(values) -> float:
    """A round axis end at or above the largest value, whose quarters are round too."""
    top = max((v for v in values if v is not None), default=0) or 1
    power = 10 ** math.floor(math.log10(top))
    return next(step * power for step in (1, 2, 4, 6, 8, 10) if step * power >= top)


def _svg(chart_id: str, title: str, desc: str, width: float, height: float, body: list[str]) -> SafeString:
    ident = escape(chart_id)
    head = (f'<svg xmlns="http://www.w3.org/2000/svg" class="figures-chart" id="{ident}" role="img" '
            f'aria-labelledby="{ident}-title {ident}-desc" viewBox="0 0 {width:.0f} {height:.0f}" '
            f'width="{width:.0f}" height="{height:.0f}" font-size="{FONT}" fill="currentColor">'
            f'<title id="{ident}-title">{escape(title)}</title><desc id="{ident}-desc">{escape(desc)}</desc>')
    return mark_safe(head + "".join(body) + "</svg>")  # every text in it went through escape()


def _legend(series: Sequence[Series], y: float, x: float = 0, dashed: bool = False) -> list[str]:
    parts = []
    for i, s in enumerate(series):
        if dashed:
            parts.append(f'<line x1="{x:.1f}" y1="{y + 6:.1f}" x2="{x + 22:.1f}" y2="{y + 6:.1f}" stroke="{s.color}" '
                         f'stroke-width="2.5" stroke-dasharray="{DASHES[i % len(DASHES)]}"/>')
            x += 28
        else:
            parts.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="12" height="12" fill="{s.color}"/>')
            x += 16
        parts.append(f'<text x="{x:.1f}" y="{y + 10:.1f}">{escape(s.name)}</text>')
        x += _text_width(s.name) + 16
    return parts


def _empty(chart_id, title, desc, message) -> SafeString:
    return _svg(chart_id, title, desc, WIDTH, 40, [f'<text x="0" y="24">{escape(message)}</text>'])


def _label_column(categories) -> float:
    return min(max((_text_width(c) for c in categories), default=0) + 10, LABEL_MAX)


def _axis(left: float, plot: float, top: float, bottom: float, maximum: float, fmt) -> list[str]:
    """Vertical grid lines at 0, ¼, ½, ¾ and the maximum, labelled above the plot."""
    parts = []
    for i in range(5):
        x = left + plot * i / 4
        parts.append(f'<line x1="{x:.1f}" y1="{top:.1f}" x2="{x:.1f}" y2="{bottom:.1f}" stroke="{GRID}"/>')
        parts.append(f'<text x="{x:.1f}" y="{top - 4:.1f}" text-anchor="middle" font-size="10">'
                     f'{escape(fmt(maximum * i / 4))}</text>')
    return parts


def bar_chart(chart_id: str, title: str, desc: str, categories: Sequence[str], series: Sequence[Series], *,
              fmt: Callable = percent, maximum: float | None = 1.0, empty: str = "—") -> SafeString:
    """Horizontal bars, one band per category and one bar per series in it, each value written
    after its bar. ``maximum`` is the axis end (rates: 1); None picks a round one."""
    if not categories:
        return _empty(chart_id, title, desc, empty)
    maximum = maximum or _nice_maximum(v for s in series for v in s.values)
    label_w, value_w = _label_column(categories), 64
    left, plot = label_w + 6, WIDTH - label_w - 6 - value_w
    top = 26 + (22 if len(series) > 1 else 0)
    bar, gap = 12, 2
    band = len(series) * (bar + gap) + 10
    height = top + band * len(categories) + 4
    body = _legend(series, 0) if len(series) > 1 else []
    body += _axis(left, plot, top, height - 4, maximum, fmt)
    for row, category in enumerate(categories):
        y0 = top + row * band + 5
        middle = y0 + (band - 10) / 2
        body.append(f'<text x="{label_w:.1f}" y="{middle + 4:.1f}" text-anchor="end"><title>{escape(category)}</title>'
                    f'{escape(_fit(category, label_w - 4))}</text>')
        for i, s in enumerate(series):
            value = s.values[row]
            y = y0 + i * (bar + gap)
            length = 0 if value is None else plot * min(max(value / maximum, 0), 1)
            tip = escape(f"{category} · {s.name}:{fmt(value)}")
            body.append(f'<rect x="{left:.1f}" y="{y:.1f}" width="{length:.1f}" height="{bar}" fill="{s.color}">'
                        f'<title>{tip}</title></rect>')
            body.append(f'<text x="{left + length + 4:.1f}" y="{y + bar - 2:.1f}" font-size="10">'
                        f'{escape(fmt(value))}</text>')
    return _svg(chart_id, title, desc, WIDTH, height, body)


def stacked_bar_chart(chart_id: str, title: str, desc: str, categories: Sequence[str], series: Sequence[Series], *,
                      fmt: Callable = percent, empty: str = "—") -> SafeString:
    """One horizontal bar per category, its segments the series' shares (fractions of 1, as the
    figures give them); a share wide enough is written inside its segment. A category with no
    share at all (nothing counted) shows "—"."""
    if not categories:
        return _empty(chart_id, title, desc, empty)
    label_w = _label_column(categories)
    left, plot = label_w + 6, WIDTH - label_w - 6 - 24
    top, bar, band = 48, 16, 24
    height = top + band * len(categories) + 4
    body = _legend(series, 0) + _axis(left, plot, top, height - 4, 1.0, percent)
    for row, category in enumerate(categories):
        y = top + row * band + 4
        body.append(f'<text x="{label_w:.1f}" y="{y + bar - 4:.1f}" text-anchor="end"><title>{escape(category)}</title>'
                    f'{escape(_fit(category, label_w - 4))}</text>')
        x = left
        shown = False
        for s in series:
            value = s.values[row]
            if not value:
                continue
            shown = True
            length = plot * min(value, 1)
            tip = escape(f"{category} · {s.name}:{fmt(value)}")
            body.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{length:.1f}" height="{bar}" fill="{s.color}">'
                        f'<title>{tip}</title></rect>')
            text = fmt(value)
            if _text_width(text, 10) + 6 <= length:
                body.append(f'<text x="{x + length / 2:.1f}" y="{y + bar - 4:.1f}" text-anchor="middle" '
                            f'font-size="10" fill="#ffffff">{escape(text)}</text>')
            x += length
        if not shown:
            body.append(f'<text x="{left + 4:.1f}" y="{y + bar - 4:.1f}">—</text>')
    return _svg(chart_id, title, desc, WIDTH, height, body)


def line_chart(chart_id: str, title: str, desc: str, categories: Sequence[str], series: Sequence[Series], *,
               fmt: Callable = percent, maximum: float | None = 1.0, empty: str = "—") -> SafeString:
    """One line per series across the categories (sessions, in order), a marked point at each
    value; a missing value (nothing counted) breaks the line. Each series has its own dash."""
    if not categories:
        return _empty(chart_id, title, desc, empty)
    maximum = maximum or _nice_maximum(v for s in series for v in s.values)
    rotate = len(categories) > 4
    label_room = max(_text_width(_fit(c, 150)) for c in categories)
    inset = 16 if rotate else min(label_room / 2 + 4, (WIDTH - 76) / 4)  # room for the first and last labels
    # A rotated label reaches left of its point by cos 35° of its length.
    left, right, top, plot_h = max(52, label_room * 0.82 - inset + 4) if rotate else 52, 24, 40, 200
    bottom_room = (label_room * 0.6 + 16) if rotate else 24
    height = top + plot_h + bottom_room
    plot_w = WIDTH - left - right
    step = (plot_w - 2 * inset) / max(len(categories) - 1, 1)

    def x_of(i):
        return left + inset + (step * i if len(categories) > 1 else plot_w / 2 - inset)

    def y_of(v):
        return top + plot_h * (1 - min(max(v / maximum, 0), 1))

    body = _legend(series, 0, dashed=True)
    for i in range(5):
        y = top + plot_h * i / 4
        body.append(f'<line x1="{left}" y1="{y:.1f}" x2="{WIDTH - right}" y2="{y:.1f}" stroke="{GRID}"/>')
        body.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="10">'
                    f'{escape(fmt(maximum * (4 - i) / 4))}</text>')
    for i, category in enumerate(categories):
        x, y = x_of(i), top + plot_h + 14
        label = escape(_fit(category, 150))
        if rotate:
            body.append(f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="end" transform="rotate(-35 {x:.1f} {y:.1f})">'
                        f'<title>{escape(category)}</title>{label}</text>')
        else:
            body.append(f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="middle"><title>{escape(category)}</title>'
                        f'{label}</text>')
    for n, s in enumerate(series):
        dash = DASHES[n % len(DASHES)]
        runs, run = [], []
        for i, value in enumerate(s.values):
            if value is None:
                runs, run = runs + ([run] if run else []), []
            else:
                run.append((x_of(i), y_of(value)))
        runs += [run] if run else []
        for run in runs:
            if len(run) > 1:
                points = " ".join(f"{x:.1f},{y:.1f}" for x, y in run)
                body.append(f'<polyline points="{points}" fill="none" stroke="{s.color}" stroke-width="2.5"'
                            + (f' stroke-dasharray="{dash}"' if dash else "") + "/>")
        for i, value in enumerate(s.values):
            if value is not None:
                tip = escape(f"{categories[i]} · {s.name}:{fmt(value)}")
                body.append(f'<circle cx="{x_of(i):.1f}" cy="{y_of(value):.1f}" r="4" fill="{s.color}">'
                            f'<title>{tip}</title></circle>')
    return _svg(chart_id, title, desc, WIDTH, height, body)
