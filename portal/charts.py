"""Charts as SVG, drawn on the server: no script, no outside font or library, nothing fetched.

Why SVG from the server rather than a vendored chart library: the pages stay readable without
JavaScript (and under a CSP that forbids inline scripts), the same markup prints, and a chart is a
few hundred bytes of text that a test can read. Each chart is accessible on its own: ``role="img"``
with a ``<title>`` and a ``<desc>`` listing every value, and the page shows the same figures as a
table beside it.

Self-contained on purpose (Django's escaping and nothing else), so that another app may copy it.
Every function returns a safe string of ``<svg>…</svg>``; every text it is given is escaped.
Values are numbers or None (drawn as "—", no bar); rates are fractions 0..1.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

# Colours with at least 3:1 contrast against white (WCAG 1.4.11, graphical objects).
PALETTE = ("#1f5f99", "#9a5800", "#5d636b", "#8f1d1d", "#2f7a3d", "#6a3d9a")
INK, MUTED, GRID = "#1b1f24", "#4a5360", "#d0d6dd"
FONT = 14


def percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def number(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def _text_width(text: str) -> float:
    """Rough width in px at FONT size: CJK characters are square, Latin ones about half."""
    return sum(FONT if ord(ch) > 0x2E80 else FONT * 0.6 for ch in text)


def _clip(text: str, width: float) -> str:
    if _text_width(text) <= width:
        return text
    out = ""
    for ch in text:
        if _text_width(out + ch + "…") > width:
            return out + "…"
        out += ch
    return out


def _svg(chart_id: str, title: str, desc: str, width: int, height: int, body: list[str]) -> SafeString:
    return mark_safe(
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" role="img" aria-labelledby="{escape(chart_id)}-t {escape(chart_id)}-d" '
        f'font-family="inherit" font-size="{FONT}" class="chart-svg">'
        f'<title id="{escape(chart_id)}-t">{escape(title)}</title>'
        f'<desc id="{escape(chart_id)}-d">{escape(desc)}</desc>' + "".join(body) + "</svg>")


def bar_chart(items: Sequence[tuple[str, float | None]], *, chart_id: str, title: str,
              max_value: float | None = 1.0, fmt: Callable = percent, color: str = PALETTE[0],
              width: int = 480) -> SafeString:
    """Horizontal bars, one per (label, value): labels on the left (long Chinese agency names
    fit), the value written after the bar. ``max_value`` None: scaled to the largest value."""
    row, top = 26, 8
    label_w = min(190, max((_text_width(label) for label, _ in items), default=60) + 12)
    value_w = 64
    plot_w = max(80, width - label_w - value_w)
    peak = max_value if max_value is not None else max((v for _, v in items if v is not None), default=0) or 1
    height = top * 2 + row * max(1, len(items))
    body = [f'<line x1="{label_w}" y1="{top}" x2="{label_w}" y2="{height - top}" stroke="{GRID}"/>']
    for i, (label, value) in enumerate(items):
        y = top + i * row
        body.append(f'<text x="{label_w - 8}" y="{y + row * 0.65:.1f}" text-anchor="end" fill="{INK}">'
                    f'{escape(_clip(label, label_w - 12))}</text>')
        bar = 0.0 if value is None else max(0.0, min(1.0, value / peak)) * plot_w
        if bar:
            body.append(f'<rect x="{label_w}" y="{y + 5}" width="{bar:.1f}" height="{row - 10}" fill="{color}"/>')
        body.append(f'<text x="{label_w + bar + 6:.1f}" y="{y + row * 0.65:.1f}" fill="{MUTED}">'
                    f'{escape(fmt(value))}</text>')
    desc = "; ".join(f"{label}: {fmt(value)}" for label, value in items)
    return _svg(chart_id, title, desc, width, height, body)


def stacked_bar_chart(rows: Sequence[tuple[str, dict]], series: Sequence[tuple[str, str]], *, chart_id: str,
                      title: str, width: int = 480) -> SafeString:
    """One horizontal 100 % bar per (label, {key: count}), split by ``series`` [(key, name)]:
    the A/B/C/D mix. Segments wide enough carry their share; a legend sits on top."""
    row, legend_h = 26, 26
    label_w = min(190, max((_text_width(label) for label, _ in rows), default=60) + 12)
    plot_w = max(80, width - label_w - 16)
    height = legend_h + 8 + row * max(1, len(rows))
    body, x = [], 0.0
    for k, (_key, name) in enumerate(series):
        color = PALETTE[k % len(PALETTE)]
        body.append(f'<rect x="{x:.1f}" y="4" width="12" height="12" fill="{color}"/>'
                    f'<text x="{x + 16:.1f}" y="15" fill="{INK}">{escape(name)}</text>')
        x += 16 + _text_width(name) + 16
    descs = []
    for i, (label, counts) in enumerate(rows):
        y = legend_h + 4 + i * row
        body.append(f'<text x="{label_w - 8}" y="{y + row * 0.65:.1f}" text-anchor="end" fill="{INK}">'
                    f'{escape(_clip(label, label_w - 12))}</text>')
        total = sum((counts.get(key) or 0) for key, _ in series)
        parts = []
        if not total:
            body.append(f'<text x="{label_w}" y="{y + row * 0.65:.1f}" fill="{MUTED}">—</text>')
        offset = float(label_w)
        for k, (key, name) in enumerate(series):
            n = counts.get(key) or 0
            parts.append(f"{name} {n}")
            if not total or not n:
                continue
            w = n / total * plot_w
            body.append(f'<rect x="{offset:.1f}" y="{y + 5}" width="{w:.1f}" height="{row - 10}" '
                        f'fill="{PALETTE[k % len(PALETTE)]}"/>')
            share = percent(n / total)
            if w > _text_width(share) + 6:
                body.append(f'<text x="{offset + w / 2:.1f}" y="{y + row * 0.65:.1f}" text-anchor="middle" '
                            f'fill="#ffffff">{escape(share)}</text>')
            offset += w
        descs.append(f"{label}: " + ", ".join(parts))
    return _svg(chart_id, title, "; ".join(descs), width, height, body)


def line_chart(x_labels: Sequence[str], series: Sequence[tuple[str, Sequence[float | None]]], *, chart_id: str,
               title: str, max_value: float = 1.0, fmt: Callable = percent, width: int = 480,
               height: int = 260) -> SafeString:
    """Lines over the x labels (sessions), one per (name, values); a missing value breaks the
    line. The y axis runs from 0 to ``max_value`` with five grid lines."""
    left, right, top, legend_h, bottom = 66, 16, 10, 24, 44
    plot_w, plot_h = width - left - right, height - top - legend_h - bottom
    y0 = top + legend_h
    n = len(x_labels)
    inset = 28  # room for the first and last labels, centred on their points
    step = (plot_w - 2 * inset) / (n - 1) if n > 1 else 0

    def px(i):
        return left + (inset + i * step if n > 1 else plot_w / 2)

    def py(v):
        return y0 + plot_h - max(0.0, min(1.0, v / max_value)) * plot_h

    body, x = [], float(left)
    for k, (name, _values) in enumerate(series):
        color = PALETTE[k % len(PALETTE)]
        body.append(f'<line x1="{x:.1f}" y1="10" x2="{x + 16:.1f}" y2="10" stroke="{color}" stroke-width="3"/>'
                    f'<text x="{x + 20:.1f}" y="15" fill="{INK}">{escape(name)}</text>')
        x += 20 + _text_width(name) + 16
    for g in range(6):
        v = max_value * g / 5
        y = py(v)
        body.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="{GRID}"/>'
                    f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" fill="{MUTED}">{escape(fmt(v))}</text>')
    label_room = step if n > 1 else plot_w
    for i, label in enumerate(x_labels):
        body.append(f'<text x="{px(i):.1f}" y="{y0 + plot_h + 18:.1f}" text-anchor="middle" fill="{INK}">'
                    f'{escape(_clip(label, max(label_room - 4, 36)))}</text>')
    descs = []
    for k, (name, values) in enumerate(series):
        color = PALETTE[k % len(PALETTE)]
        path, pen_down = [], False
        for i, v in enumerate(values):
            if v is None:
                pen_down = False
                continue
            path.append(f"{'L' if pen_down else 'M'}{px(i):.1f},{py(v):.1f}")
            pen_down = True
            body.append(f'<circle cx="{px(i):.1f}" cy="{py(v):.1f}" r="3.5" fill="{color}"/>')
        if path:
            body.append(f'<path d="{" ".join(path)}" fill="none" stroke="{color}" stroke-width="2.5"/>')
        descs.append(f"{name}: " + ", ".join(f"{x_labels[i]} {fmt(v)}" for i, v in enumerate(values)))
    return _svg(chart_id, title, "; ".join(descs), width, height, body)
