"""manage.py load_calendar [--year YEAR ...]

Loads or refreshes statutory holidays and make-up working days (调休上班日) from the installed
chinese-calendar package: every year it knows, or the years given. Idempotent; a day staff
entered that the package does not list is kept. The deadlines that read a day it added or whose
kind it changed are flagged for review (proposals.services.calendar). Upgrade the package
(pip install -U chinesecalendar) once the State Council has published next year's arrangement.
"""
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from proposals.calendar import chinese_calendar_version
from proposals.services.calendar import calendar_days_load
from proposals.services.errors import InvalidInput

SHOWN_DATES = 10


def dates_text(dates) -> str:
    shown = ", ".join(day.isoformat() for day in dates[:SHOWN_DATES])
    return shown + (" …" if len(dates) > SHOWN_DATES else "")


class Command(BaseCommand):
    help = ("Load or refresh holidays and make-up working days from the installed chinese-calendar package "
            "(every year it knows, or --year). Safe to run again.")

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, action="append", dest="years", metavar="YEAR",
                            help="a year to load (repeat for several); default: every year the package knows")

    def handle(self, *args, years=None, **options):
        try:
            loads = calendar_days_load(years=years)
        except InvalidInput as error:
            raise CommandError(str(error)) from error
        self.stdout.write(_("chinese-calendar %(version)s") % {"version": chinese_calendar_version()})
        for load in loads:
            self.stdout.write(_("%(year)s年:新增 %(added)s 天,更改 %(changed)s 天,未变 %(unchanged)s 天") % {
                "year": load.year, "added": len(load.added), "changed": len(load.changed),
                "unchanged": load.unchanged})
            if load.added:
                self.stdout.write("  " + _("新增:%(dates)s") % {"dates": dates_text(load.added)})
            if load.changed:
                self.stdout.write("  " + _("更改:%(dates)s") % {"dates": dates_text(load.changed)})
            if load.kept:
                self.stdout.write("  " + _("保留(软件包中没有,可能由工作人员录入):%(dates)s") % {
                    "dates": dates_text(load.kept)})
