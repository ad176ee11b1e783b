"""The working-day calendar: staff add next year's holidays and make-up working days (调休上班日)
when the State Council publishes them (or run ``manage.py load_calendar`` once the chinese-calendar
package knows them); deadlines counted in working days read these rows. The list says which
years are loaded and warns when next year is not. A change flags the deadlines that read the
changed days for review (proposals.services.calendar)."""
from django.contrib import admin, messages
from django.db import transaction
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, pgettext

from proposals.admin.base import ReferenceAdmin
from proposals.admin.exports import ExportButtonsMixin
from proposals.calendar import calendar_years
from proposals.models import CalendarDay
from proposals.selectors import today
from proposals.services.calendar import deadlines_flag_for_calendar_change


def year_ranges(years) -> str:
    """2004, 2005 … 2026, 2028 -> "2004—2026年、2028年"."""
    runs = []
    for year in sorted(years):
        if runs and year == runs[-1][1] + 1:
            runs[-1][1] = year
        else:
            runs.append([year, year])
    return pgettext("list separator", "、").join(
        gettext("%(first)s—%(last)s年") % {"first": first, "last": last} if first != last
        else gettext("%(year)s年") % {"year": first} for first, last in runs)


def report_flagged(request, count: int) -> None:
    """Tell staff how many assignments a change flagged for review (proposals.services.calendar)."""
    if count:
        messages.warning(request, ngettext("%(n)s 个交办的期限因此标记为待复核,请复核",
                                           "%(n)s 个交办的期限因此标记为待复核,请复核", count) % {"n": count})


@admin.register(CalendarDay)
class CalendarDayAdmin(ExportButtonsMixin, ReferenceAdmin):
    export_resource = "calendar-days"
    list_display = ("date", "weekday", "kind", "name")
    list_filter = ("kind",)
    search_fields = ("name",)
    date_hierarchy = "date"
    ordering = ("-date",)
    list_per_page = 100

    @admin.display(description=_("星期"))
    def weekday(self, obj):
        return date_format(obj.date, "l")

    def changelist_view(self, request, extra_context=None):
        if request.method == "GET":
            self.announce_years(request)
        return super().changelist_view(request, extra_context)

    def announce_years(self, request) -> None:
        """Which years are loaded (a year with holiday rows), and a warning when next year is not:
        until it is, deadlines that run into it count its weekdays as working days."""
        loaded = [row.year for row in calendar_years() if row.loaded]
        if loaded:
            messages.info(request, gettext("已载入节假日安排的年份:%(years)s") % {"years": year_ranges(loaded)})
        next_year = today().year + 1
        if next_year not in loaded:
            messages.warning(request, gettext(
                "尚未载入%(year)s年的节假日安排:国务院办公厅公布后,请在此录入或运行 manage.py load_calendar"
                " --year %(year)s。在此之前,跨入该年的期限按周一至周五计算,可能不准确。") % {"year": next_year})

    # --- writes: each change flags the deadlines that read the days it touched -------------------

    def save_model(self, request, obj, form, change):
        stored = CalendarDay.objects.filter(pk=obj.pk).values("date", "kind").first() if change else None
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            if stored is None:
                dates = [obj.date]
            elif (stored["date"], stored["kind"]) != (obj.date, obj.kind):
                dates = [stored["date"], obj.date]
            else:
                dates = []  # only the name changed: no date moves
            report_flagged(request, deadlines_flag_for_calendar_change(actor=request.user, dates=dates))

    def delete_model(self, request, obj):
        with transaction.atomic():
            day = obj.date
            super().delete_model(request, obj)
            report_flagged(request, deadlines_flag_for_calendar_change(actor=request.user, dates=[day]))

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            dates = list(queryset.values_list("date", flat=True))
            super().delete_queryset(request, queryset)
            report_flagged(request, deadlines_flag_for_calendar_change(actor=request.user, dates=dates))
