"""The figures of replies.stats made ready for a page: rows in a stable order, short session
labels, the charts (portal.charts) and the table beside them. Nothing is computed here that
replies.stats computes: rates, counts and means are read from its result as they are."""
from __future__ import annotations

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from portal import charts
from proposals.numerals import to_chinese_numeral

CLASSES = ("A", "B", "C", "D")


def session_short(key: str | None, fallback: str = "") -> str:
    """"曲靖市政协/6/3" -> 六届三次 (Chinese) or 6-3 (other languages): the x axis of a chart."""
    parts = (key or "").rsplit("/", 2)
    if len(parts) != 3 or not (parts[1].isdigit() and parts[2].isdigit()):
        return fallback
    term, number = int(parts[1]), int(parts[2])
    if (get_language() or "").startswith("zh"):
        return _("%(term)s届%(number)s次") % {"term": to_chinese_numeral(term), "number": to_chinese_numeral(number)}
    return _("%(term)s届%(number)s次") % {"term": term, "number": number}


def _session_order(group: dict) -> tuple:
    parts = (group.get("key") or "").rsplit("/", 2)
    if len(parts) == 3 and parts[1].isdigit() and parts[2].isdigit():
        return parts[0], int(parts[1]), int(parts[2])
    return group.get("name") or "", 0, 0


def rows(stats: dict, group_by: str) -> list[dict]:
    """One row per group: sessions in chronological order, agencies by name."""
    groups = list(stats.get("groups") or [])
    if group_by == "session":
        groups.sort(key=lambda g: _session_order(g["group"]))
    else:
        groups.sort(key=lambda g: g["group"].get("name") or "")
    out = []
    for g in groups:
        label = g["group"].get("name") or ""
        if group_by == "session":
            short = session_short(g["group"].get("key"), label)
        else:
            short = label
        out.append({**g, "label": label, "short": short})
    return out


def _mix(figures: dict) -> dict:
    return {c: (figures.get("classification") or {}).get(c, 0) for c in CLASSES}


def _satisfaction(figures: dict):
    return (figures.get("satisfaction") or {}).get("satisfaction_rate")


def headline(figures: dict | None) -> dict | None:
    """The three figures of the home page, from a stats total."""
    if not figures:
        return None
    return {"suppressed": figures.get("suppressed"), "received": figures.get("received"),
            "reply_rate": figures.get("reply_rate"), "on_time_reply_rate": figures.get("on_time_reply_rate"),
            "satisfaction_rate": _satisfaction(figures), "satisfaction_hidden": _satisfaction(figures) is None}


def table_rows(groups: list[dict]) -> list[dict]:
    """What the figures' table shows per row (a template-friendly flat dict)."""
    out = []
    for g in groups:
        mix = _mix(g)
        out.append({
            "id": g["group"].get("id"), "label": g["label"], "short": g["short"], "suppressed": g.get("suppressed"),
            "received": g.get("received"), "assigned": g.get("assigned"), "replied": g.get("replied"),
            "reply_rate": g.get("reply_rate"), "on_time_reply_rate": g.get("on_time_reply_rate"),
            "mean_days": g.get("mean_working_days_to_reply"), "satisfaction_rate": _satisfaction(g),
            "overdue_now": g.get("overdue_now"), "mix": [mix[c] if not g.get("suppressed") else None for c in CLASSES],
        })
    return out


def _series_names() -> list[tuple[str, str]]:
    return [(c, _("%(class)s类") % {"class": c}) for c in CLASSES]


def session_charts(groups: list[dict], prefix: str) -> list[dict]:
    """Over sessions (an agency's scorecard, a committee's history): rates as lines, the mean
    working days as bars, the A/B/C/D mix as stacked bars."""
    shown = [g for g in groups if not g.get("suppressed")]
    if not shown:
        return []
    labels = [g["short"] for g in shown]
    return [
        {"svg": charts.line_chart(labels, [(_("办复率"), [g.get("reply_rate") for g in shown]),
                                           (_("按期办复率"), [g.get("on_time_reply_rate") for g in shown])],
                                  chart_id=f"{prefix}-rates", title=_("各次会议的办复率和按期办复率")),
         "caption": _("各次会议的办复率和按期办复率")},
        {"svg": charts.bar_chart([(g["short"], g.get("mean_working_days_to_reply")) for g in shown],
                                 chart_id=f"{prefix}-days", title=_("平均办复工作日"), max_value=None,
                                 fmt=charts.number, color=charts.PALETTE[1]),
         "caption": _("平均办复工作日")},
        {"svg": charts.stacked_bar_chart([(g["short"], _mix(g)) for g in shown], _series_names(),
                                         chart_id=f"{prefix}-mix", title=_("办理结果分类(A/B/C/D)")),
         "caption": _("办理结果分类(A/B/C/D)")},
    ]


def agency_charts(groups: list[dict], total: dict, prefix: str) -> list[dict]:
    """Across agencies (a session's report): the two rates as bars, the mix as stacked bars with
    the session's own mix on top."""
    shown = [g for g in groups if not g.get("suppressed")]
    if not shown:
        return []
    mix_rows = [(_("全部"), _mix(total))] + [(g["label"], _mix(g)) for g in shown]
    return [
        {"svg": charts.bar_chart([(g["label"], g.get("reply_rate")) for g in shown], chart_id=f"{prefix}-reply",
                                 title=_("各承办单位办复率")),
         "caption": _("各承办单位办复率")},
        {"svg": charts.bar_chart([(g["label"], g.get("on_time_reply_rate")) for g in shown],
                                 chart_id=f"{prefix}-ontime", title=_("各承办单位按期办复率"),
                                 color=charts.PALETTE[4]),
         "caption": _("各承办单位按期办复率")},
        {"svg": charts.stacked_bar_chart(mix_rows, _series_names(), chart_id=f"{prefix}-mix",
                                         title=_("办理结果分类(A/B/C/D)")),
         "caption": _("办理结果分类(A/B/C/D)")},
    ]
