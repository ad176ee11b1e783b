""""导出 CSV" / "导出 XLSX" on the admin's lists: the list as it stands (its filters, search and
order, every page) as a spreadsheet.

Which rows: the changelist's own queryset (ChangeList.get_queryset, through the model admin's
get_queryset, hence the selectors' visibility), so that the file holds exactly what the list
shows, whatever the admin's filters are; its row count is the list's and is checked against the
caller's export cap (proposals.api.export.max_rows) before anything is written.

Which columns, and each row's values: the API's export of the same resource (``export_resource``,
the list's route under /api/), built for the same user (proposals.api.export_registry.list_view):
its serializer's labels are the headers, its queryset (with the same visibility) loads the rows,
its writers write the file. Nothing of what an export holds or who may read it is written twice.
"""
from __future__ import annotations

from django.contrib import messages
from django.contrib.admin.options import IS_POPUP_VAR, IncorrectLookupParameters
from django.contrib.admin.views.main import ERROR_FLAG, PAGE_VAR
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from proposals.api.export import CHUNK, EXPORT_FORMATS, csv_response, max_rows, xlsx_response
from proposals.api.export_registry import by_prefix, list_view

# Parameters of the list's URL that say nothing of which rows it holds.
NOT_FILTERS = (PAGE_VAR, ERROR_FLAG)


def list_query(request) -> str:
    """The list's query string without its page: what the export carries over."""
    query = request.GET.copy()
    for name in NOT_FILTERS:
        query.pop(name, None)
    return query.urlencode()


def rows_in_order(queryset, pks: list, row):
    """``row(obj)`` for each primary key in ``pks``, in that order, the objects read from
    ``queryset`` a chunk at a time (one query per CHUNK rows, plus the queryset's prefetches)."""
    for start in range(0, len(pks), CHUNK):
        chunk = pks[start:start + CHUNK]
        found = {obj.pk: obj for obj in queryset.filter(pk__in=chunk).order_by()}
        for pk in chunk:
            if pk in found:
                yield row(found[pk])


class ExportButtonsMixin:
    """Adds the export buttons to a model admin's changelist. ``export_resource`` names the API
    list whose columns the files have ("proposals", "assignments" …: proposals.api.urls.ROUTES)."""

    export_resource: str = ""
    change_list_template = "admin/exports/change_list.html"

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path("export/<str:fmt>/", self.admin_site.admin_view(self.export_view), name="%s_%s_export" % info),
        ] + super().get_urls()

    def export_links(self, request) -> list[dict]:
        if IS_POPUP_VAR in request.GET or by_prefix(self.export_resource) is None:
            return []
        query = list_query(request)
        return [{"label": label, "format": fmt,
                 "url": reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_export", args=[fmt])
                 + (f"?{query}" if query else "")}
                for fmt, label in (("csv", _("导出 CSV")), ("xlsx", _("导出 XLSX")))]

    def changelist_view(self, request, extra_context=None):
        extra = {"export_links": self.export_links(request)}
        return super().changelist_view(request, {**(extra_context or {}), **extra})

    def export_view(self, request, fmt: str):
        """The changelist at this query string, every page of it, as ``fmt`` (csv or xlsx)."""
        entry = by_prefix(self.export_resource)
        if fmt not in EXPORT_FORMATS or entry is None:
            raise Http404
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        back = reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_changelist")
        query = list_query(request)
        try:
            changelist = self.get_changelist_instance(request)
        except IncorrectLookupParameters:
            return HttpResponseRedirect(f"{back}?{ERROR_FLAG}=1")
        limit = max_rows(request.user, fmt)
        if changelist.result_count > limit:
            messages.error(request, _("导出行数超过上限(%(limit)s 行),请缩小筛选范围后分批导出") % {"limit": limit})
            return HttpResponseRedirect(back + (f"?{query}" if query else ""))
        pks = list(changelist.queryset.values_list("pk", flat=True))
        view = list_view(entry, user=request.user, query="")
        headers, row = view.export_columns()
        rows = rows_in_order(view.export_queryset(), pks, row)
        filename = f"{entry.viewset.export_filename}-{timezone.localdate():%Y%m%d}"
        if fmt == "csv":
            return csv_response(headers, rows, filename)
        return xlsx_response(headers, rows, filename, title=entry.viewset.export_filename)
