"""The tables of the annual handling report, laid out once from replies.stats' output and drawn
twice: as HTML on the report pages and as sheets of the XLSX (workbook.py).

Every number in them is a figure replies.stats.proposal_stats returned, as it returned it; a
table only chooses which figures go where. Rates stay fractions (the page writes them as
percentages, the workbook as a percentage format over the same value).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

from django.utils.translation import gettext_lazy as _

from replies.charts import number, percent
from replies.models import Feedback, Reply
from replies.stats import CLASSES, PROPOSAL_COUNTS

# The figures' names as a report heads them.
LABELS = {
    "received": _("收到提案"),
    "filed": _("立案"),
    "not_filed": _("不予立案"),
    "merged": _("并案"),
    "converted": _("转为意见建议"),
    "withdrawn": _("撤案"),
    "assigned": _("交办(主办、分办)"),
    "replied": _("已办复"),
    "reply_rate": _("办复率"),
    "replied_on_time": _("按期办复"),
    "on_time_reply_rate": _("按期办复率"),
    "overdue_now": _("当前超期"),
    "mean_working_days_to_reply": _("平均办复工作日"),
    "urged": _("催办次数"),
    "urged_assignments": _("被催办交办数"),
    "satisfaction_rate": _("满意率(满意+基本满意)"),
}
KINDS = {"reply_rate": "rate", "on_time_reply_rate": "rate", "mean_working_days_to_reply": "days"}
HANDLING = ("assigned", "replied", "reply_rate", "replied_on_time", "on_time_reply_rate", "overdue_now",
            "mean_working_days_to_reply")
URGES = ("urged", "urged_assignments")
RATING_LABELS = dict(Feedback.Rating.choices)
RATES = ("reply_rate", "on_time_reply_rate", "satisfaction_rate")


class Cell(NamedTuple):
    value: object
    kind: str = "text"  # "text", "count", "rate" (a fraction) or "days"

    @property
    def text(self) -> str:
        if self.kind == "rate":
            return percent(self.value)
        if self.kind in ("count", "days"):
            return number(self.value)
        return "—" if self.value is None else str(self.value)

    @property
    def raw(self) -> str:
        """The value as replies.stats gave it (a fraction for a rate), for the page's data-value."""
        return "" if self.value is None else str(self.value)


@dataclass
class Table:
    key: str
    title: str
    headers: list
    rows: list[list[Cell]] = field(default_factory=list)
    sheet: str = ""  # the worksheet's name, when shorter than the title
    total_row: bool = False  # the last row is the total of the rows above


def figure(figures: dict, name: str):
    """A figure by name; the ratings and classes sit one level down in the stats' output."""
    if name == "satisfaction_rate":
        return (figures.get("satisfaction") or {}).get(name)
    return figures.get(name)


def _cell(figures: dict, name: str) -> Cell:
    return Cell(figure(figures, name), KINDS.get(name, "rate" if name.endswith("_rate") else "count"))


def shows_urges(figures: dict) -> bool:
    """The 催办 figures, when replies.stats gives them (null for a caller who may not see them)."""
    return all(figures.get(name) is not None for name in URGES)


def _key_values(key, title, figures: dict, names) -> Table:
    return Table(key, title, [_("指标"), _("数值")], [[Cell(LABELS[n]), _cell(figures, n)] for n in names])


def proposals_table(total: dict) -> Table:
    return _key_values("proposals", _("提案收办情况"), total, PROPOSAL_COUNTS)


def handling_table(total: dict) -> Table:
    names = HANDLING + (URGES if shows_urges(total) else ())
    return _key_values("handling", _("办理情况"), total, names)


def classification_table(total: dict) -> Table:
    mix = total.get("classification") or {}
    labels = dict(Reply.Classification.choices)
    rows = [[Cell(labels[c]), Cell(mix.get(c), "count"), Cell((mix.get("shares") or {}).get(c), "rate")]
            for c in CLASSES]
    rows.append([Cell(_("合计")), Cell(mix.get("total"), "count"), Cell(None, "rate")])
    return Table("classification", _("办理结果分类"), [_("分类"), _("件数"), _("占比")], rows, total_row=True)


def satisfaction_table(total: dict) -> Table:
    s = total.get("satisfaction") or {}
    rows = [[Cell(RATING_LABELS[r]), Cell(s.get(r), "count"), Cell(s.get(f"{r}_rate"), "rate")]
            for r in ("satisfied", "basically", "dissatisfied")]
    rows += [
        [Cell(_("已评价合计")), Cell(s.get("total"), "count"), Cell(None, "rate")],
        [Cell(RATING_LABELS["not_rated"]), Cell(s.get("not_rated"), "count"), Cell(None, "rate")],
        [Cell(LABELS["satisfaction_rate"]), Cell(None, "count"), Cell(s.get("satisfaction_rate"), "rate")],
    ]
    return Table("satisfaction", _("满意度测评"), [_("评价"), _("件数"), _("占比")], rows)


def _grouped(key, title, sheet, group_header, groups: list[dict], total: dict, columns) -> Table:
    """One row per group (agency or session), then the total, over the given columns:
    (header, (figures) -> Cell)."""
    rows = [[Cell(g["label"])] + [cell(g["figures"]) for _h, cell in columns] for g in groups]
    rows.append([Cell(_("合计"))] + [cell(total) for _h, cell in columns])
    return Table(key, title, [group_header] + [h for h, _c in columns], rows, sheet, total_row=True)


def _figure_column(name):
    return LABELS[name], lambda figures: _cell(figures, name)


def handling_columns(total: dict) -> list:
    names = ("received",) + HANDLING + (URGES[:1] if shows_urges(total) else ())
    return [_figure_column(n) for n in names]


def results_columns() -> list:
    classes = [(c, (lambda c: lambda f: Cell((f.get("classification") or {}).get(c), "count"))(c)) for c in CLASSES]
    ratings = [(RATING_LABELS[r], (lambda r: lambda f: Cell((f.get("satisfaction") or {}).get(r), "count"))(r))
               for r in ("satisfied", "basically", "dissatisfied", "not_rated")]
    return classes + ratings + [_figure_column("satisfaction_rate")]


def grouped_tables(by: str, groups: list[dict], total: dict) -> list[Table]:
    """The per-agency (session report) or per-session (scorecard) tables."""
    header = _("承办单位") if by == "agency" else _("会议")
    if by == "agency":
        titles = (_("各承办单位办理情况"), _("各承办单位办理结果与满意度"))
        sheets = (_("各单位办理情况"), _("各单位办理结果"))
    else:
        titles = (_("各次会议办理情况"), _("各次会议办理结果与满意度"))
        sheets = (_("各次会议办理情况"), _("各次会议办理结果"))
    return [
        _grouped(f"{by}_handling", titles[0], sheets[0], header, groups, total, handling_columns(total)),
        _grouped(f"{by}_results", titles[1], sheets[1], header, groups, total, results_columns()),
    ]


def chart_table(key, title, group_header, labels, series_columns) -> Table:
    """The data table beside a chart: one row per category, one column per series, each value the
    one the chart draws. ``series_columns``: [(header, kind, values)]."""
    rows = [[Cell(label)] + [Cell(values[i], kind) for _h, kind, values in series_columns]
            for i, label in enumerate(labels)]
    return Table(key, title, [group_header] + [h for h, _k, _v in series_columns], rows)
