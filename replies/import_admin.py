"""Imported files and reference documents in the admin, with the import pages:

- 导入文件 › 导入答复函: upload one or more files, see each parse beside its source text,
  confirm to write the records (replies.importing.pages);
- 导入文件 › <file> › 原文核对: the source with every extracted field marked, beside the
  record, where staff correct it; records with parser warnings are flagged 待核对.
"""
from __future__ import annotations

from django.contrib import admin
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from proposals.roles import is_committee_staff
from replies.importing import pages
from replies.importing.warnings import warning_texts
from replies.models import ReferenceDocument, SourceDocument


def _source_link(source: SourceDocument):
    return format_html('<a href="{}">{}</a>', reverse("admin:replies_sourcedocument_source", args=[source.pk]),
                       _("原文核对"))


class VersionFilter(admin.SimpleListFilter):
    title = _("版本")
    parameter_name = "version"

    def lookups(self, request, model_admin):
        return [("current", _("当前")), ("superseded", _("已被更正版本取代"))]

    def queryset(self, request, queryset):
        if self.value() == "current":
            return queryset.filter(superseded_by__isnull=True)
        if self.value() == "superseded":
            return queryset.filter(superseded_by__isnull=False)
        return queryset


def _review_badge(needs_review: bool):
    if not needs_review:
        return "—"
    return format_html('<span class="tracker-badge" style="background:#ef6c00">{}</span>', _("待核对"))


@admin.register(SourceDocument)
class SourceDocumentAdmin(admin.ModelAdmin):
    """Imported files are records of what came in: read here, written by the importer only."""

    list_display = ("file_name", "kind", "proposal_link", "review", "warning_count", "version",
                    "imported_at", "source_link")
    list_filter = ("kind", "needs_review", VersionFilter)
    search_fields = ("file_name", "sha256", "identity", "proposal__title")
    list_select_related = ("proposal__session__committee",)
    date_hierarchy = "imported_at"
    ordering = ("-imported_at", "file_name")
    show_full_result_count = False
    actions = None
    fields = ("file_name", "kind", "reason", "identity", "sha256", "proposal", "reply", "needs_review",
              "warnings_display", "corrected_fields", "superseded_by", "imported_at", "source_link")
    readonly_fields = fields
    change_list_template = "admin/replies/sourcedocument/change_list.html"

    @admin.display(description=_("警告"))
    def warnings_display(self, obj):
        """The parser's warnings in the reader's language (replies.importing.warnings)."""
        return format_html_join(mark_safe("<br>"), "{}", ((w,) for w in warning_texts(obj.warnings))) or "—"

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("import/", wrap(lambda r: pages.upload_view(self, r)), name="replies_sourcedocument_import"),
            path("import/confirm/", wrap(lambda r: pages.confirm_view(self, r)),
                 name="replies_sourcedocument_import_confirm"),
            path("<path:object_id>/source/", wrap(lambda r, object_id: pages.source_view(self, r, object_id)),
                 name="replies_sourcedocument_source"),
        ] + super().get_urls()

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        extra = {"can_import": is_committee_staff(request.user) and request.user.has_perm(
            "replies.add_sourcedocument")}
        return super().changelist_view(request, {**(extra_context or {}), **extra})

    @admin.display(description=_("提案"), ordering="proposal__number_sort")
    def proposal_link(self, obj):
        if obj.proposal_id is None:
            return "—"
        return format_html('<a href="{}">{}</a>', reverse("admin:proposals_proposal_change",
                                                          args=[obj.proposal_id]), obj.proposal)

    @admin.display(description=_("核对"), ordering="needs_review")
    def review(self, obj):
        return _review_badge(obj.needs_review)

    @admin.display(description=_("警告"))
    def warning_count(self, obj):
        return len(obj.warnings) or "—"

    @admin.display(description=_("版本"))
    def version(self, obj):
        return _("已被更正版本取代") if obj.superseded_by_id else _("当前")

    @admin.display(description=_("原文"))
    def source_link(self, obj):
        return _source_link(obj)


@admin.register(ReferenceDocument)
class ReferenceDocumentAdmin(admin.ModelAdmin):
    """Documents that are not replies. Staff may correct the title, issuing body, number and date."""

    list_display = ("title", "issuing_body", "doc_number", "document_date", "review", "source_link")
    list_filter = ("source__needs_review",)
    search_fields = ("title", "issuing_body", "doc_number", "source__file_name")
    list_select_related = ("source",)
    fields = ("title", "issuing_body", "doc_number", "document_date", "reason", "source_link", "body")
    readonly_fields = ("reason", "source_link", "body")
    actions = None

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and is_committee_staff(request.user)

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("核对"), ordering="source__needs_review")
    def review(self, obj):
        return _review_badge(obj.source.needs_review)

    @admin.display(description=_("非答复原因"))
    def reason(self, obj):
        return obj.source.reason

    @admin.display(description=_("原文"))
    def source_link(self, obj):
        return _source_link(obj.source)
