"""Open data: every list of the portal as CSV, with the filters of the page it comes from.

The files are written by the API's export writers (proposals.api.export: a BOM so that Excel reads
UTF-8, text made safe for a spreadsheet, streamed) and capped like the API's anonymous exports
(max_rows). The rows are what the pages show: portal.queries, for an anonymous visitor."""
from __future__ import annotations

from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from portal import figures, queries
from portal.views import not_found
from proposals.api.export import CHUNK, csv_response, max_rows, safe_text
from proposals.models import Agency, Session


def _text(value) -> str:
    if value is None:
        return ""
    return safe_text(str(value))


def _rate(value) -> str:
    return "" if value is None else f"{value:.4f}"


def _filename(name: str) -> str:
    return f"{name}-{timezone.localdate():%Y%m%d}"


def _too_many(limit: int) -> HttpResponse:
    return HttpResponse(_("行数超过上限(%(limit)s 行),请缩小筛选范围后分批下载。") % {"limit": limit},
                        status=400, content_type="text/plain; charset=utf-8")


def replies_csv(request):
    """The search's results (same parameters as /search/) as one row per published reply, every
    row (up to the anonymous export cap), in the search's order."""
    found = queries.search(request.GET)
    if found.proposals is None:
        return HttpResponse("; ".join(f"{k}: {' '.join(map(str, v))}" for k, v in found.errors.items()),
                            status=400, content_type="text/plain; charset=utf-8")
    replies = queries.with_signatures(queries.public_replies().defer("body", "assignment__proposal__body").filter(
        assignment__proposal__in=found.proposals.order_by().values("pk"))).order_by(
        "-assignment__proposal__session_id", "assignment__proposal__number_sort", "assignment__proposal_id",
        "assignment__role", "id")
    limit = max_rows(queries.ANONYMOUS)
    if replies[limit:limit + 1].exists():
        return _too_many(limit)
    site = request.build_absolute_uri("/")[:-1]
    headers = [_("会议"), _("提案号"), _("案由"), _("提案人"), _("承办单位"), _("标题"), _("文号"), _("成文日期"),
               _("公开日期"), _("办理结果分类"), _("网址")]

    def rows():
        for reply in replies.iterator(chunk_size=CHUNK):
            proposal = reply.assignment.proposal
            yield [_text(proposal.session), _text(proposal.number), _text(proposal.title),
                   _text("、".join(s.proposer.name for s in proposal.signatures.all())),
                   _text(reply.assignment.agency.name), _text(reply.title), _text(reply.doc_number),
                   reply.signed_on or "", reply.published_on or "", _text(reply.classification),
                   site + reverse("portal:reply_detail", args=[reply.pk])]

    return csv_response(headers, rows(), _filename("replies"))


def _figure_headers(first: str) -> list[str]:
    return [first, _("收到提案数"), _("交办数"), _("已办复"), _("办复率"), _("按期办复率"), _("平均办复工作日"),
            _("满意率"), "A", "B", "C", "D"]


def _figure_row(row: dict) -> list:
    return [_text(row["label"]), row["received"] if row["received"] is not None else "",
            "" if row["assigned"] is None else row["assigned"], "" if row["replied"] is None else row["replied"],
            _rate(row["reply_rate"]), _rate(row["on_time_reply_rate"]),
            "" if row["mean_days"] is None else row["mean_days"], _rate(row["satisfaction_rate"]),
            *["" if n is None else n for n in row["mix"]]]


def agency_scorecard_csv(request, pk: int):
    agency = Agency.objects.filter(pk=pk).first()
    if agency is None:
        return not_found(request)
    stats = queries.agency_scorecard(agency)
    table = figures.table_rows(figures.rows(stats, "session"))
    total = figures.table_rows([{**stats["total"], "group": {}, "label": _("合计"), "short": ""}])
    return csv_response(_figure_headers(_("会议")), [_figure_row(r) for r in table + total],
                        _filename(f"agency-{agency.pk}-scorecard"))


def session_report_csv(request, pk: int):
    session = Session.objects.select_related("committee").filter(pk=pk).first()
    if session is None:
        return not_found(request)
    stats = queries.session_figures(session, group_by="agency")
    table = figures.table_rows(figures.rows(stats, "agency"))
    total = figures.table_rows([{**stats["total"], "group": {}, "label": _("合计"), "short": ""}])
    return csv_response(_figure_headers(_("承办单位")), [_figure_row(r) for r in table + total],
                        _filename(f"session-{session.pk}-report"))


def agencies_csv(request):
    agencies, _errors = queries.agencies_with_replies(request.GET)
    rows = [[_text(a.name), _text(a.region), n] for a, n in agencies]
    return csv_response([_("承办单位"), _("地区"), _("已公开答复数")], rows, _filename("agencies"))


def sessions_csv(request):
    rows = [[_text(s.committee.name), s.term, s.number, s.year or "", _text(s.label), n]
            for s, n in queries.sessions_with_replies()]
    return csv_response([_("政协"), _("届"), _("次会议"), _("年度"), _("会议"), _("已公开答复数")], rows,
                        _filename("sessions"))
