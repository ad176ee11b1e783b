"""manage.py run_export_jobs [--once | --loop [--interval SECONDS]]

Runs the export jobs asked for through /api/export-jobs/ (proposals.exports): fails the jobs
running past EXPORT_JOB_TIMEOUT_MINUTES, writes every queued job's file under EXPORT_ROOT, and
deletes files past EXPORT_JOB_KEEP_HOURS. By default one pass, then exit — for cron, every
minute; exits 1 when a job failed. ``--loop`` keeps running as a worker (systemd), a pass every
``--interval`` seconds. Several runners may run at once: each job is claimed by exactly one.
"""
import logging
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections
from django.utils.translation import gettext as _

from proposals.exports import export_jobs_run_pending

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = ("Run queued export jobs (/api/export-jobs/), fail stale ones and delete expired files: one pass "
            "(--once, the default, for cron; exit 1 if a job failed) or a worker (--loop).")

    def add_arguments(self, parser):
        mode = parser.add_mutually_exclusive_group()
        mode.add_argument("--once", action="store_true", help="one pass over the queue, then exit (default)")
        mode.add_argument("--loop", action="store_true", help="keep running, a pass every --interval seconds")
        parser.add_argument("--interval", type=float, default=10.0, metavar="SECONDS",
                            help="seconds between passes with --loop (default 10)")

    def handle(self, *args, loop=False, interval=10.0, **options):
        if interval <= 0:
            raise CommandError(_("--interval 必须大于 0"), returncode=2)
        if not loop:
            summary = self.run_once()
            if summary.any_failed:
                raise CommandError(_("%(count)s 个导出任务失败") % {"count": summary.failed + summary.timed_out})
            return
        try:
            while True:
                # A worker outlives database restarts: a pass that fails is logged, the next one
                # starts on a fresh connection.
                close_old_connections()
                try:
                    self.run_once(quiet_when_idle=True)
                except Exception:  # noqa: BLE001
                    logger.exception("Export job pass failed")
                time.sleep(interval)
        except KeyboardInterrupt:
            self.stdout.write(_("已停止"))

    def run_once(self, quiet_when_idle=False):
        summary = export_jobs_run_pending()
        idle = not (summary.done or summary.failed or summary.timed_out or summary.removed)
        if not (quiet_when_idle and idle):
            self.stdout.write(_("导出任务:完成 %(done)s 个,失败 %(failed)s 个,超时 %(timed_out)s 个;"
                                "删除过期文件 %(removed)s 个") % {
                "done": summary.done, "failed": summary.failed, "timed_out": summary.timed_out,
                "removed": summary.removed})
        for failure in summary.failures:
            self.stderr.write("  " + failure)
        return summary
