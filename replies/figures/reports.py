"""The two report pages as data: sections of tables (tables.py) and charts (replies.charts), each
chart with the table of the values it draws.

- The session report: the handling report's tables over the filtered proposals (by default the
  latest session) and the same figures per agency, with bar charts of the rates by agency and
  the A/B/C/D and satisfaction mixes as stacked bars.
- The agency scorecard: the same figures per session, for one agency (or all together), with
  line charts of the rates over the sessions, the mean working days and the A/B/C/D mix.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from proposals.models import Session
from replies import charts
from replies.charts import BLUE, GREEN, GREY, ORANGE, PURPLE, RED, Series
from replies.figures import tables
from replies.figures.tables import LABELS, RATES, RATING_LABELS, Table
from replies.stats import CLASSES

SESSION_REPORT = gettext_lazy("会议办理情况报告")
AGENCY_SCORECARD = gettext_lazy("承办单位办理情况评分卡")
CLASS_COLORS = dict(zip(CLASSES, (GREEN, BLUE, ORANGE, GREY)))
RATE_COLORS = dict(zip(RATES, (BLUE, ORANGE, GREEN)))
RATING_COLORS = {"satisfied": GREEN, "basically": BLUE, "dissatisfied": RED}


@dataclass
class Chart:
    key: str
    svg: SafeString
    table: Table  # the values the chart draws


@dataclass
class Section:
    key: str
    title: str
    tables: list[Table] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)


@dataclass
class Report:
    kind: str  # "session" or "agency"
    title: str
    subtitle: str
    sections: list[Section]
    on: str  # the day overdue is counted on

    @property
    def tables(self) -> list[Table]:
        """The report's own tables (the workbook's sheets), without the charts' data."""
        return [t for s in self.sections for t in s.tables]


def _rates_chart(key, title, group_header, labels, rows) -> Chart:
    series = [Series(str(LABELS[r]), [tables.figure(f, r) for f in rows], RATE_COLORS[r]) for r in RATES]
    desc = _("%(n)s项,每项三个比率:办复率、按期办复率、满意率;数值见旁边的表格") % {"n": len(labels)}
    svg = charts.bar_chart(f"chart-{key}", title, desc, labels, series, empty=_("暂无数据"))
    return Chart(key, svg, tables.chart_table(key, title, group_header, labels,
                                              [(s.name, "rate", s.values) for s in series]))


def _mix_chart(key, title, group_header, labels, rows, kind: str) -> Chart:
    """The A/B/C/D shares (``kind="classification"``) or the ratings' shares (``"satisfaction"``)."""
    if kind == "classification":
        series = [Series(c, [(f.get("classification") or {}).get("shares", {}).get(c) for f in rows],
                         CLASS_COLORS[c]) for c in CLASSES]
    else:
        series = [Series(str(RATING_LABELS[r]), [(f.get("satisfaction") or {}).get(f"{r}_rate") for f in rows],
                         RATING_COLORS[r]) for r in RATING_COLORS]
    desc = _("%(n)s项的构成(占比),每项一条堆叠条形;数值见旁边的表格") % {"n": len(labels)}
    svg = charts.stacked_bar_chart(f"chart-{key}", title, desc, labels, series, empty=_("暂无数据"))
    return Chart(key, svg, tables.chart_table(key, title, group_header, labels,
                                              [(s.name, "rate", s.values) for s in series]))


def session_report(stats: dict, subtitle: str) -> Report:
    """``stats``: proposal_stats(group_by="agency")."""
    total, groups = stats["total"], [{"label": g["group"]["name"], "figures": g} for g in stats["groups"]]
    labels, rows = [g["label"] for g in groups], [g["figures"] for g in groups]
    agency = _("承办单位")
    handling, results = tables.grouped_tables("agency", groups, total)
    mix_labels, mix_rows = [_("合计")] + labels, [total] + rows
    return Report("session", str(SESSION_REPORT), subtitle, [
        Section("overview", _("总体情况"), [
            tables.proposals_table(total), tables.handling_table(total),
            tables.classification_table(total), tables.satisfaction_table(total)]),
        Section("agency_handling", handling.title, [handling], [
            _rates_chart("agency-rates", _("各承办单位办复率、按期办复率、满意率"), agency, labels, rows)]),
        Section("agency_results", results.title, [results], [
            _mix_chart("agency-classes", _("各承办单位办理结果分类(A/B/C/D 占比)"), agency, mix_labels, mix_rows,
                       "classification"),
            _mix_chart("agency-satisfaction", _("各承办单位满意度构成"), agency, mix_labels, mix_rows,
                       "satisfaction")]),
    ], stats["on"])


def _in_session_order(groups: list[dict]) -> list[dict]:
    """The sessions in the order they met (replies.stats sorts its groups by name): committee,
    term, session. Labelled by the session alone when they are all one committee's."""
    sessions = {s.pk: s for s in Session.objects.select_related("committee").filter(
        pk__in=[g["group"]["id"] for g in groups])}
    known = [g for g in groups if g["group"]["id"] in sessions]
    known.sort(key=lambda g: (sessions[g["group"]["id"]].committee.name, sessions[g["group"]["id"]].term,
                              sessions[g["group"]["id"]].number))
    one_committee = len({sessions[g["group"]["id"]].committee_id for g in known}) == 1
    return [{"label": sessions[g["group"]["id"]].label if one_committee else str(sessions[g["group"]["id"]]),
             "figures": g} for g in known]


def agency_scorecard(stats: dict, subtitle: str) -> Report:
    """``stats``: proposal_stats(group_by="session"), for the agencies of the filters."""
    total, groups = stats["total"], _in_session_order(stats["groups"])
    labels, rows = [g["label"] for g in groups], [g["figures"] for g in groups]
    session = _("会议")
    handling, results = tables.grouped_tables("session", groups, total)
    rate_series = [Series(str(LABELS[r]), [tables.figure(f, r) for f in rows], RATE_COLORS[r]) for r in RATES]
    rates_title = _("各次会议办复率、按期办复率、满意率")
    rates = Chart("session-rates", charts.line_chart(
        "chart-session-rates", rates_title,
        _("折线图,%(n)s次会议,三条折线:办复率、按期办复率、满意率;数值见旁边的表格") % {"n": len(labels)},
        labels, rate_series, empty=_("暂无数据")),
        tables.chart_table("session-rates", rates_title, session, labels,
                           [(s.name, "rate", s.values) for s in rate_series]))
    days = [f.get("mean_working_days_to_reply") for f in rows]
    days_title = _("各次会议平均办复工作日")
    days_chart = Chart("session-days", charts.bar_chart(
        "chart-session-days", days_title, _("条形图,%(n)s次会议的平均办复工作日;数值见旁边的表格") % {"n": len(labels)},
        labels, [Series(str(LABELS["mean_working_days_to_reply"]), days, PURPLE)], fmt=charts.number, maximum=None,
        empty=_("暂无数据")),
        tables.chart_table("session-days", days_title, session, labels,
                           [(str(LABELS["mean_working_days_to_reply"]), "days", days)]))
    return Report("agency", str(AGENCY_SCORECARD), subtitle, [
        Section("session_handling", handling.title, [handling], [rates, days_chart]),
        Section("session_results", results.title, [results], [
            _mix_chart("session-classes", _("各次会议办理结果分类(A/B/C/D 占比)"), session, labels, rows,
                       "classification"),
            _mix_chart("session-satisfaction", _("各次会议满意度构成"), session, labels, rows, "satisfaction")]),
    ], stats["on"])
