"""manage.py remind [--on YYYY-MM-DD] [--batch N]

Writes the day's reminders (N working days before a reply, co-handling opinion, objection or
feedback deadline, and on the day itself), escalations and overdue digests from the stored
deadlines (notifications.reminders). Idempotent: run it as often as you like, each notice is
written once. ``--on`` runs as of another date (catching up a day the run missed, tests).
``send_notifications`` runs the same once a day unless given ``--no-remind``.
"""
import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from notifications.reminders import BATCH, remind


def reminder_line(summary) -> str:
    from notifications.models import Notification

    K = Notification.Kind
    return _("提醒 %(date)s:读取交办 %(assignments)s 项、答复 %(replies)s 项;写入即将到期提醒 %(before)s 条、"
             "今日到期提醒 %(due)s 条、逾期督促 %(escalation)s 条、逾期汇总 %(digest)s 条(通知记录 %(rows)s 条)") % {
        "date": summary.on.isoformat(), "assignments": summary.assignments, "replies": summary.replies,
        "before": summary.count(K.REMINDER_BEFORE), "due": summary.count(K.REMINDER_DUE),
        "escalation": summary.count(K.ESCALATION), "digest": summary.count(K.OVERDUE_DIGEST),
        "rows": sum(summary.rows.values())}


class Command(BaseCommand):
    help = ("Write the day's deadline reminders, escalations and overdue digests (each once, however often it "
            "runs); --on YYYY-MM-DD runs as of that date.")

    def add_arguments(self, parser):
        parser.add_argument("--on", metavar="YYYY-MM-DD", help="run as of this date (default: today)")
        parser.add_argument("--batch", type=int, default=BATCH, help=f"assignments read per query (default {BATCH})")

    def handle(self, *args, on=None, batch=BATCH, **options):
        day = None
        if on:
            try:
                day = datetime.date.fromisoformat(on)
            except ValueError:
                raise CommandError(_("--on 应为日期,如 2024-06-03"), returncode=2) from None
        if batch < 1:
            raise CommandError(_("--batch 必须大于 0"), returncode=2)
        self.stdout.write(reminder_line(remind(on=day, batch=batch)))
