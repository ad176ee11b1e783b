"""manage.py send_notifications [--loop [--interval SECONDS]] [--no-remind]

Sends the e-mail notifications that are due (notifications.delivery): each claimed by one run,
marked sent with the server's answer, or kept pending with the error and retried later with
back-off, flagged as failed after NOTIFICATION_MAX_ATTEMPTS. By default one pass, then exit —
for cron, every 5 minutes; exits 1 when a message failed for good in this run. ``--loop`` keeps
running (systemd), a pass every ``--interval`` seconds. Several runs may overlap: none sends a
notification another has sent.

Before delivering, the first pass of each day from NOTIFICATION_REMIND_TIME (07:30) on writes the
day's reminders, escalations and overdue digests (``manage.py remind``, notifications.reminders);
``--no-remind`` leaves that to a cron line of its own.
"""
import logging
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections
from django.utils.translation import gettext as _

from notifications.delivery import deliver_due
from notifications.management.commands.remind import reminder_line
from notifications.reminders import remind_if_due

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = ("Send the e-mail notifications that are due: one pass (default, for cron; exit 1 if a message "
            "failed for good) or a worker (--loop).")

    def add_arguments(self, parser):
        parser.add_argument("--loop", action="store_true", help="keep running, a pass every --interval seconds")
        parser.add_argument("--interval", type=float, default=60.0, metavar="SECONDS",
                            help="seconds between passes with --loop (default 60)")
        parser.add_argument("--no-remind", action="store_true",
                            help="do not write the day's reminders first (run manage.py remind from cron instead)")

    def handle(self, *args, loop=False, interval=60.0, no_remind=False, **options):
        self.remind = not no_remind
        if interval <= 0:
            raise CommandError(_("--interval 必须大于 0"), returncode=2)
        if not loop:
            summary = self.run_once()
            if summary.failed:
                raise CommandError(_("%(count)s 条通知发送失败,已停止重试") % {"count": summary.failed})
            return
        try:
            while True:
                # A worker outlives database and mail server restarts: a pass that fails is logged,
                # the next one starts on a fresh connection.
                close_old_connections()
                try:
                    self.run_once(quiet_when_idle=True)
                except Exception:  # noqa: BLE001
                    logger.exception("Notification delivery pass failed")
                time.sleep(interval)
        except KeyboardInterrupt:
            self.stdout.write(_("已停止"))

    def run_once(self, quiet_when_idle=False):
        if self.remind:
            try:
                reminders = remind_if_due()
            except Exception:  # noqa: BLE001 - the mail already due still goes; the next pass tries again
                logger.exception("Reminder run failed")
                self.stderr.write(_("提醒生成失败,详见日志;下一次运行时重试"))
            else:
                if reminders is not None:
                    self.stdout.write(reminder_line(reminders))
        summary = deliver_due()
        idle = not (summary.sent or summary.retrying or summary.deferred or summary.failed or summary.skipped
                    or summary.held)
        if not (quiet_when_idle and idle):
            self.stdout.write(_("通知邮件:发送 %(sent)s 条(%(mails)s 封),待重试 %(retrying)s 条,失败 %(failed)s 条,"
                                "未发送 %(skipped)s 条,免打扰顺延 %(held)s 条") % {
                "sent": summary.sent, "mails": summary.mails, "retrying": summary.retrying + summary.deferred,
                "failed": summary.failed, "skipped": summary.skipped, "held": summary.held})
        for failure in summary.failures:
            self.stderr.write("  " + failure)
        return summary
