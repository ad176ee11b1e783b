"""Committees, sessions, proposers and agencies: reference data that the proposal committee's staff keeps."""
from __future__ import annotations

from django.contrib import admin
from django.db import transaction
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from proposals.admin.base import ReferenceAdmin
from proposals.admin.calendar import report_flagged
from proposals.admin.exports import ExportButtonsMixin
from proposals.models import Agency, AgencyAlias, Committee, Proposer, Session
from proposals.models.committees import DeadlineRulesMixin
from proposals.roles import is_committee_staff
from proposals.selectors import visible_proposers
from proposals.services.calendar import deadlines_flag_for_rule_change, stored_rule_values
from proposals.visibility import Viewer, never_readable

RULES_FIELDSET = (_("期限规则(留空则沿用上级设置或默认值)"), {
    "fields": DeadlineRulesMixin.RULE_FIELDS, "classes": ("collapse",),
    "description": _("默认:答复3个月,延期后最长6个月,会办意见1个月,交办异议5个工作日,征询意见15个工作日,重新办理1个月。"),
})


class DeadlineRulesAdminMixin:
    """A changed deadline rule (or a session's fixed reply date) flags the stored deadlines it
    had set for review (proposals.services.calendar); the dates themselves are not recomputed."""

    def save_model(self, request, obj, form, change):
        before = stored_rule_values(obj) if change else {}
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            if before:
                report_flagged(request, deadlines_flag_for_rule_change(actor=request.user, owner=obj, before=before))


@admin.register(Committee)
class CommitteeAdmin(ExportButtonsMixin, DeadlineRulesAdminMixin, ReferenceAdmin):
    export_resource = "committees"
    list_display = ("name", "level", "region")
    list_filter = ("level",)
    search_fields = ("name", "region")
    fieldsets = ((None, {"fields": ("name", "level", "region")}), RULES_FIELDSET)


@admin.register(Session)
class SessionAdmin(ExportButtonsMixin, DeadlineRulesAdminMixin, ReferenceAdmin):
    export_resource = "sessions"
    list_display = ("__str__", "year", "opened_on", "closed_on", "reply_fixed_date")
    list_filter = ("committee", "year")
    search_fields = ("committee__name",)
    list_select_related = ("committee",)
    fieldsets = (
        (None, {"fields": ("committee", "term", "number", "year", "opened_on", "closed_on", "reply_fixed_date")}),
        RULES_FIELDSET,
    )


@admin.register(Proposer)
class ProposerAdmin(ExportButtonsMixin, ReferenceAdmin):
    """Contact details are internal (domain.md, Disclosure): only staff see them."""

    export_resource = "proposers"
    list_display = ("name", "kind", "committee", "sector")
    list_filter = ("kind", "committee")
    search_fields = ("name", "sector")
    list_select_related = ("committee",)
    raw_id_fields = ("user",)

    def get_queryset(self, request):
        return visible_proposers(request.user).select_related("committee", "user")

    def get_list_display(self, request):
        if is_committee_staff(request.user):
            return (*self.list_display, "phone", "user")
        return self.list_display

    def get_fields(self, request, obj=None):
        hidden = never_readable(Viewer.of(request.user), "proposals.proposer")
        fields = ["committee", "name", "kind", "sector", "phone", "email"]
        return [f for f in fields if f not in hidden] + (["user"] if is_committee_staff(request.user) else [])


class AgencyAliasInline(admin.TabularInline):
    model = AgencyAlias
    extra = 1
    verbose_name_plural = _("简称/别名")

    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request, obj) and is_committee_staff(request.user)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and is_committee_staff(request.user)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and is_committee_staff(request.user)


@admin.register(Agency)
class AgencyAdmin(ExportButtonsMixin, ReferenceAdmin):
    export_resource = "agencies"
    list_display = ("name", "aliases_display", "region", "level", "parent", "liaison_count")
    list_filter = ("level", "region")
    search_fields = ("name", "aliases__name", "region")
    list_select_related = ("parent",)
    inlines = (AgencyAliasInline,)
    filter_horizontal = ("liaisons",)
    fields = ("name", "parent", "region", "level", "liaisons")
    autocomplete_fields = ("parent",)

    def get_queryset(self, request):
        return (super().get_queryset(request).annotate(liaison_total=Count("liaisons", distinct=True))
                .prefetch_related("aliases"))

    def get_fields(self, request, obj=None):
        if is_committee_staff(request.user):
            return self.fields
        return ("name", "parent", "region", "level")

    @admin.display(description=_("简称"))
    def aliases_display(self, obj):
        return "、".join(alias.name for alias in obj.aliases.all()) or "—"

    @admin.display(description=_("联络员人数"), ordering="liaison_total")
    def liaison_count(self, obj):
        return obj.liaison_total


@admin.register(AgencyAlias)
class AgencyAliasAdmin(ReferenceAdmin):
    list_display = ("name", "agency")
    search_fields = ("name", "agency__name")
    list_select_related = ("agency",)
    autocomplete_fields = ("agency",)
