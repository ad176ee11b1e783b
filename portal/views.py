"""The public portal's pages. No login; what they show is what portal.queries reads for an
anonymous visitor (the visibility policy decides), whoever is logged in."""
from __future__ import annotations

from django.shortcuts import render
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from portal import figures, queries
from portal.highlight import has_match, highlight, snippet
from proposals.models import Agency, Session

SNIPPET_SOURCE = 4000  # characters of a long letter searched for the snippet's match


def not_found(request, message: str = ""):
    """The portal's own 404 (in the page's language), for an object that is not public or not there."""
    return render(request, "portal/404.html", {"message": message}, status=404)


def _query_without_page(request) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


def home(request):
    session = queries.current_session()
    headline = None
    if session is not None:
        headline = figures.headline(queries.session_figures(session, group_by="session")["total"])
    return render(request, "portal/home.html", {
        "latest": queries.latest_replies(),
        "session": session,
        "headline": headline,
        "committees": queries.committees(),
        "sessions": queries.recent_sessions(),
        "agencies": queries.top_agencies(),
        "topics": queries.topics(),
    })


def _result_row(proposal, terms):
    body = (proposal.body or "")[:SNIPPET_SOURCE]
    text = snippet(body, terms)
    if terms and not has_match(body, terms):
        letter = next((r.body for r in proposal.public_replies if has_match((r.body or "")[:SNIPPET_SOURCE], terms)),
                      None)
        if letter:
            text = snippet(letter[:SNIPPET_SOURCE], terms)
    return {"proposal": proposal, "replies": proposal.public_replies, "proposers": proposal.proposer_names,
            "title": highlight(proposal.title, terms), "snippet": text}


def _options(choices, selected: str) -> str:
    """A select's options as HTML, the selected one marked: hundreds of agencies, written in one go
    rather than by the template's loop."""
    first = format_html('<option value="">{}</option>', _("全部"))
    return first + format_html_join("", '<option value="{}"{}>{}</option>', (
        (value, mark_safe(" selected") if str(value) == selected else "", label) for value, label in choices))


def search_filters(found, choices) -> list[dict]:
    selected = found.selected
    return [
        {"name": "committee_id", "label": _("政协"),
         "options": _options(choices["committees"], selected["committee_id"])},
        {"name": "session_id", "label": _("会议"), "options": _options(choices["sessions"], selected["session_id"])},
        {"name": "agency_id", "label": _("承办单位"), "options": _options(choices["agencies"], selected["agency_id"])},
        {"name": "classification", "label": _("办理结果分类"),
         "options": _options(choices["classifications"], selected["classification"])},
        {"name": "year", "label": _("年度"), "options": _options([(y, y) for y in choices["years"]], selected["year"])},
    ]


def search(request):
    found = queries.search(request.GET)
    page, rows = None, []
    if found.proposals is not None:
        page = queries.search_page(found, request.GET.get("page"))
        rows = [_result_row(proposal, found.terms) for proposal in page.object_list]
    return render(request, "portal/search.html", {
        "search": found, "page": page, "rows": rows, "filters": search_filters(found, queries.filter_choices()),
        "query": _query_without_page(request),
    }, status=400 if found.errors else 200)


def reply_detail(request, pk: int):
    page = queries.reply_page(pk)
    if page is None:
        return not_found(request, _("该答复不存在或未公开。"))
    paragraphs = [line.strip() for line in (page.reply.body or "").splitlines() if line.strip()]
    return render(request, "portal/reply_detail.html", {"page": page, "reply": page.reply,
                                                        "proposal": page.proposal, "paragraphs": paragraphs})


def agency_list(request):
    agencies, errors = queries.agencies_with_replies(request.GET)
    return render(request, "portal/agency_list.html", {
        "agencies": agencies, "errors": errors, "q": (request.GET.get("q") or "").strip()[:100],
    }, status=400 if errors else 200)


def agency_detail(request, pk: int):
    agency = Agency.objects.filter(pk=pk).first()
    if agency is None:
        return not_found(request, _("该承办单位不存在。"))
    stats = queries.agency_scorecard(agency)
    groups = figures.rows(stats, "session")
    return render(request, "portal/agency_detail.html", {
        "agency": agency,
        "aliases": list(agency.aliases.values_list("name", flat=True)),
        "total": figures.table_rows([{**stats["total"], "group": {}, "label": _("合计"), "short": _("合计")}])[0],
        "satisfaction_hidden": figures.headline(stats["total"])["satisfaction_hidden"],
        "table": figures.table_rows(groups),
        "charts": figures.session_charts(groups, f"agency-{agency.pk}"),
        "page": queries.page_of(queries.public_replies().filter(assignment__agency_id=agency.pk),
                                request.GET.get("page")),
    })


def session_list(request):
    return render(request, "portal/session_list.html", {"sessions": queries.sessions_with_replies()})


def session_detail(request, pk: int):
    session = Session.objects.select_related("committee").filter(pk=pk).first()
    if session is None:
        return not_found(request, _("该会议不存在。"))
    stats = queries.session_figures(session, group_by="agency")
    groups = figures.rows(stats, "agency")
    history_stats = queries.committee_history(session.committee)
    history = figures.rows(history_stats, "session")
    total = stats["total"]
    return render(request, "portal/session_detail.html", {
        "session": session,
        "total": figures.table_rows([{**total, "group": {}, "label": _("合计"), "short": _("合计")}])[0],
        "figures": total,
        "satisfaction_hidden": figures.headline(total)["satisfaction_hidden"],
        "table": figures.table_rows(groups),
        "charts": figures.agency_charts(groups, total, f"session-{session.pk}"),
        "history": figures.table_rows(history),
        "history_charts": figures.session_charts(history, f"committee-{session.committee_id}")[:1],
        "latest": queries.latest_replies_of_session(session),
    })


def open_data(request):
    return render(request, "portal/open_data.html", {"sessions": queries.recent_sessions(limit=5)})
