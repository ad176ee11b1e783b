"""The report pages in the admin, for the proposal committee's staff only (anyone else signed in
gets 403; the admin's login guards the rest): the session report and the agency scorecard, each
as a page (filters, tables, charts, a print stylesheet) and as an XLSX of the same tables.
Mounted under the reply admin's URLs (replies.admin.ReplyAdmin.get_urls)."""
from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Callable

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, QueryDict
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy

from proposals.api.export import XLSXRenderer
from proposals.roles import is_committee_staff
from replies.figures import reports
from replies.figures.query import figures_for, latest_session
from replies.figures.workbook import write_report


@dataclass(frozen=True)
class Page:
    kind: str
    slug: str  # of the URL and the file name
    title: str
    group_by: str  # replies.stats.GROUPS
    build: Callable
    everything: str  # the subtitle without any filter

    @property
    def url_name(self) -> str:
        return "replies_figures_" + self.slug.replace("-", "_")


PAGES = {
    "session": Page("session", "session-report", reports.SESSION_REPORT, "agency", reports.session_report,
                    gettext_lazy("全部提案")),
    "agency": Page("agency", "agency-scorecard", reports.AGENCY_SCORECARD, "session", reports.agency_scorecard,
                   gettext_lazy("全部承办单位")),
}


def may_see_figures(user) -> bool:
    return is_committee_staff(user)


def _query(request, page: Page) -> QueryDict:
    """The page's filters; a first visit to the session report (no query at all) shows the
    latest session."""
    if page.kind == "session" and not request.GET:
        latest = latest_session()
        if latest is not None:
            query = QueryDict(mutable=True)
            query["session_id"] = str(latest.pk)
            return query
    return request.GET


def report_view(request, admin_site, kind: str, fmt: str = "html"):
    if not may_see_figures(request.user):
        raise PermissionDenied
    page = PAGES[kind]
    figures = figures_for(request, _query(request, page), group_by=page.group_by)
    subtitle = ";".join(f"{label}:{value}" for label, value in figures.conditions) or str(page.everything)
    report = page.build(figures.stats, subtitle) if figures.stats is not None else None
    query = figures.params.urlencode()
    if fmt == "xlsx" and report is not None:
        buffer = io.BytesIO()
        write_report(buffer, report, figures.conditions)
        response = HttpResponse(buffer.getvalue(), content_type=XLSXRenderer.media_type)
        response["Content-Disposition"] = f'attachment; filename="{page.slug}-{timezone.localdate():%Y%m%d}.xlsx"'
        return response
    context = {
        **admin_site.each_context(request),
        "title": page.title,
        "report": report,
        "figures": figures,
        "page": page,
        "pages": [{"title": p.title, "url": reverse(f"admin:{p.url_name}"), "current": p.kind == kind}
                  for p in PAGES.values()],
        "xlsx_url": reverse(f"admin:{page.url_name}_xlsx") + (f"?{query}" if query else ""),
        "action_url": reverse(f"admin:{page.url_name}"),
    }
    return TemplateResponse(request, "admin/replies/figures/report.html", context,
                            status=400 if figures.errors else 200)


def figure_links() -> list[tuple[str, str]]:
    """(title, url) of each report page, for the admin home."""
    return [(str(p.title), reverse(f"admin:{p.url_name}")) for p in PAGES.values()]


def admin_urls(admin_site) -> list:
    """The pages' URLs, named ``admin:replies_figures_<page>`` and ``…_xlsx``."""
    urls = []
    for kind, page in PAGES.items():
        def view(request, kind=kind, fmt="html"):
            return report_view(request, admin_site, kind, fmt)

        urls += [
            path(f"figures/{page.slug}/", admin_site.admin_view(view), name=page.url_name),
            path(f"figures/{page.slug}/xlsx/", admin_site.admin_view(view), {"fmt": "xlsx"},
                 name=f"{page.url_name}_xlsx"),
        ]
    return urls

