"""The working-day calendar: staff add next year's holidays and make-up working days (调休上班日)
when the State Council publishes them; deadlines counted in working days read these rows."""
from django.contrib import admin
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from proposals.admin.base import ReferenceAdmin
from proposals.models import CalendarDay


@admin.register(CalendarDay)
class CalendarDayAdmin(ReferenceAdmin):
    list_display = ("date", "weekday", "kind", "name")
    list_filter = ("kind",)
    search_fields = ("name",)
    date_hierarchy = "date"
    ordering = ("-date",)
    list_per_page = 100

    @admin.display(description=_("星期"))
    def weekday(self, obj):
        return date_format(obj.date, "l")
