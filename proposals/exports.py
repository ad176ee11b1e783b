"""Export jobs: a list past the synchronous export's cap (EXPORT_MAX_ROWS, proposals.api.export),
written to a file in the background and downloaded when ready (issue 9).

- export_job_create checks the request as the list would (its filters, run for the caller), the
  job row cap (EXPORT_JOB_MAX_ROWS) and the caller's unfinished jobs (EXPORT_JOB_MAX_PENDING);
- export_jobs_run_pending (``manage.py run_export_jobs``) claims queued jobs one at a time, writes
  each through the list's own ViewSet for the job's caller (proposals.api.export_registry: the
  visibility rules and filters are the list's, never copied) with the export's own writers, fails
  the jobs that ran past EXPORT_JOB_TIMEOUT_MINUTES, and deletes files EXPORT_JOB_KEEP_HOURS
  after they were written.

Every move of a job is one conditional UPDATE (TRANSITIONS): of two runners that reach for the
same queued job, one changes the row and runs it, the other changes nothing and moves on; the
same holds on SQLite and PostgreSQL, with no lock held while a file is written.
"""
from __future__ import annotations

import datetime
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.http import QueryDict
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from proposals.api.export import XLSXRenderer, write_csv, write_xlsx
from proposals.api.export_registry import by_basename, by_prefix, list_view
from proposals.models import ExportJob

logger = logging.getLogger(__name__)
S = ExportJob.Status

# The moves a job makes. A job that ran too long is failed rather than queued again: what made it
# run that long (its size, a runner killed by the memory limit) would make it do so again.
TRANSITIONS = {S.QUEUED: {S.RUNNING}, S.RUNNING: {S.DONE, S.FAILED}}
DEFAULTS = {
    "EXPORT_JOB_MAX_PENDING": 3,
    "EXPORT_JOB_MAX_ROWS": 2_000_000,
    "EXPORT_JOB_KEEP_HOURS": 24,
    "EXPORT_JOB_TIMEOUT_MINUTES": 60,
}
# An expired job still answers 410 ("expired") for this long, then its row is deleted (404).
FORGET_AFTER = datetime.timedelta(days=7)
CONTENT_TYPES = {"csv": "text/csv; charset=utf-8", "xlsx": XLSXRenderer.media_type}
CLAIM_BATCH = 20


def setting(name: str) -> int:
    return getattr(settings, name, DEFAULTS[name])


def export_root() -> Path:
    return Path(getattr(settings, "EXPORT_ROOT", Path(settings.BASE_DIR) / "var" / "exports"))


class ExportJobRefused(Exception):
    """The request for a job is refused; the API answers ``status_code`` with ``code``."""

    status_code = 400
    code = "invalid"

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


class TooManyExportJobs(ExportJobRefused):
    status_code = 429
    code = "too_many_export_jobs"


class ExportTooLarge(ExportJobRefused):
    code = "export_too_large"


class ExportFailed(Exception):
    """A job that cannot be written, with the reason its caller reads."""


def without_format(query: str) -> str:
    """The list's query string as a job keeps it: no leading "?", no ``format`` (the job's own)."""
    params = QueryDict(query.lstrip("?"), mutable=True)
    params.pop("format", None)
    return params.urlencode()


def unfinished_jobs(*, user, client_ip: str):
    """A caller's queued and running jobs: a user's own, or an anonymous address's."""
    jobs = ExportJob.objects.filter(status__in=ExportJob.UNFINISHED_STATUSES)
    if user is not None and user.is_authenticated:
        return jobs.filter(user=user)
    return jobs.filter(user__isnull=True, client_ip=client_ip)


def _check_pending(*, user, client_ip: str) -> None:
    limit = setting("EXPORT_JOB_MAX_PENDING")
    if unfinished_jobs(user=user, client_ip=client_ip).count() >= limit:
        raise TooManyExportJobs(_("未完成的导出任务已达上限(%(limit)s 个),请等待已有任务完成后再创建") % {
            "limit": limit})


def export_job_create(*, user, client_ip: str, resource: str, format: str, query: str, language: str) -> ExportJob:
    """Queue an export of the list at ``/api/<resource>/?<query>`` for ``user`` (anonymous: None or
    AnonymousUser). Refused, before anything is written, as the list itself would refuse the
    request (a bad filter: the DRF ValidationError the list raises), when the list holds more than
    EXPORT_JOB_MAX_ROWS rows (default 2,000,000) or when the caller already has
    EXPORT_JOB_MAX_PENDING unfinished jobs (default 3; per user, per address for anonymous callers)."""
    entry = by_prefix(resource)
    if entry is None:
        raise ExportJobRefused(_("该列表不能导出:%(resource)s") % {"resource": resource})
    anonymous = user is None or not user.is_authenticated
    query = without_format(query)
    _check_pending(user=user, client_ip=client_ip)  # before the costlier count below
    queryset = list_view(entry, user=user, query=query, language=language).export_queryset()
    limit = setting("EXPORT_JOB_MAX_ROWS")
    if queryset.order_by()[limit:limit + 1].exists():
        raise ExportTooLarge(_("导出行数超过导出任务的上限(%(limit)s 行),请缩小筛选范围后分别导出") % {
            "limit": limit})
    with transaction.atomic():
        if not anonymous:
            # One user's requests for jobs queue behind each other here, so that two at the same
            # moment cannot both pass the count (SQLite serialises writers anyway). An anonymous
            # address has no row to lock: the export throttle bounds it.
            list(get_user_model().objects.select_for_update().filter(pk=user.pk).values_list("pk"))
        _check_pending(user=user, client_ip=client_ip)
        return ExportJob.objects.create(user=None if anonymous else user, client_ip=client_ip,
                                        resource=entry.basename, format=format, query=query, language=language)


# --- The runner ---------------------------------------------------------------------------------

@dataclass
class RunSummary:
    done: int = 0
    failed: int = 0
    timed_out: int = 0
    removed: int = 0
    failures: list[str] = field(default_factory=list)  # "<id>: <reason>", for the runner's log

    @property
    def any_failed(self) -> bool:
        return bool(self.failed or self.timed_out)


def export_job_claim(pk) -> ExportJob | None:
    """Take a queued job for this runner: queued → running, if nobody took it first."""
    now = timezone.now()
    if ExportJob.objects.filter(pk=pk, status=S.QUEUED).update(status=S.RUNNING, started_at=now) != 1:
        return None
    return ExportJob.objects.select_related("user").get(pk=pk)


def next_job() -> ExportJob | None:
    """The oldest queued job this runner could claim (None when the queue is empty)."""
    while True:
        queued = list(ExportJob.objects.filter(status=S.QUEUED).order_by("created_at").values_list(
            "pk", flat=True)[:CLAIM_BATCH])
        if not queued:
            return None
        for pk in queued:
            job = export_job_claim(pk)
            if job is not None:
                return job


def _finish(job: ExportJob, status: str, **fields) -> bool:
    """running → done or failed, if the job is still the one this runner claimed (not failed
    meanwhile for running too long)."""
    now = timezone.now()
    expires = now + datetime.timedelta(hours=setting("EXPORT_JOB_KEEP_HOURS"))
    return ExportJob.objects.filter(pk=job.pk, status=S.RUNNING, started_at=job.started_at).update(
        status=status, finished_at=now, expires_at=expires, **fields) == 1


def _capped(rows, limit: int, counter: list[int]):
    for row in rows:
        counter[0] += 1
        if counter[0] > limit:
            raise ExportFailed(_("导出行数超过导出任务的上限(%(limit)s 行),请缩小筛选范围后分别导出") % {
                "limit": limit})
        yield row


def _write(job: ExportJob, path: Path) -> int:
    """Write the job's file to ``path``; the number of rows written."""
    entry = by_basename(job.resource)
    if entry is None:
        raise ExportFailed(_("该列表已不能导出:%(resource)s") % {"resource": job.resource})
    if job.user is not None and not job.user.is_active:
        raise ExportFailed(_("申请导出的账号已停用"))
    view = list_view(entry, user=job.user, query=job.query, language=job.language)
    queryset = view.export_queryset()
    headers, row = view.export_columns()
    counter = [0]
    rows = _capped(view.export_rows(queryset, row), setting("EXPORT_JOB_MAX_ROWS"), counter)
    if job.format == ExportJob.Format.CSV:
        with open(path, "w", encoding="utf-8", newline="") as stream:
            write_csv(stream, headers, rows)
    else:
        with open(path, "wb") as stream:
            write_xlsx(stream, headers, rows, title=view.export_filename)
    return counter[0]


def export_job_run(job: ExportJob) -> bool:
    """Write a claimed job's file and mark it done; on any error mark it failed. The reason the
    caller reads is a known one (too many rows, a disabled account) or a general one: the
    traceback goes to the log only, as for the API's 500s."""
    root = export_root()
    name = f"{job.pk}.{job.format}"
    part = root / f"{name}.part"
    with translation.override(job.language):
        try:
            root.mkdir(parents=True, exist_ok=True)
            rows = _write(job, part)
            os.replace(part, root / name)
        except Exception as exc:  # noqa: BLE001 - any failure fails the job, never the runner
            part.unlink(missing_ok=True)
            if isinstance(exc, ExportFailed):
                reason = str(exc)
            else:
                logger.exception("Export job %s failed", job.pk)
                reason = _("导出时发生内部错误,已记录在服务器日志中;请稍后重新创建导出任务")
            _finish(job, S.FAILED, error=reason)
            return False
    if not _finish(job, S.DONE, rows=rows, file=name):
        (root / name).unlink(missing_ok=True)  # failed for running too long meanwhile
        return False
    return True


def export_jobs_fail_stale(now=None) -> list[ExportJob]:
    """Fail the jobs running for longer than EXPORT_JOB_TIMEOUT_MINUTES (default 60): their runner
    died or hangs; a runner that finishes one later finds it failed and drops its file."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(minutes=setting("EXPORT_JOB_TIMEOUT_MINUTES"))
    stale = []
    for job in ExportJob.objects.filter(status=S.RUNNING, started_at__lt=cutoff):
        with translation.override(job.language):
            if _finish(job, S.FAILED, error=_("导出超时(超过 %(minutes)s 分钟),请缩小筛选范围后重新创建导出任务") % {
                    "minutes": setting("EXPORT_JOB_TIMEOUT_MINUTES")}):
                stale.append(job)
    return stale


def export_jobs_sweep(now=None) -> int:
    """Delete expired files (the job stays, answering 410, for FORGET_AFTER), forget jobs expired
    longer ago, and delete files no job names (a job deleted with its user, a part left by a
    killed runner) once they are older than the timeout. The number of files deleted."""
    now = now or timezone.now()
    root = export_root()
    removed = 0
    for job in ExportJob.objects.filter(expires_at__lt=now).exclude(file=""):
        (root / job.file).unlink(missing_ok=True)
        ExportJob.objects.filter(pk=job.pk, file=job.file).update(file="")
        removed += 1
    ExportJob.objects.filter(expires_at__lt=now - FORGET_AFTER).delete()
    if root.is_dir():
        named = set(ExportJob.objects.exclude(file="").values_list("file", flat=True))
        cutoff = (now - datetime.timedelta(minutes=setting("EXPORT_JOB_TIMEOUT_MINUTES"))).timestamp()
        for path in root.iterdir():
            if path.is_file() and path.name not in named and path.stat().st_mtime < cutoff:
                path.unlink(missing_ok=True)
                removed += 1
    return removed


def export_jobs_run_pending() -> RunSummary:
    """One pass of the runner: fail stale jobs, run every queued job, delete expired files."""
    summary = RunSummary()
    for job in export_jobs_fail_stale():
        summary.timed_out += 1
        summary.failures.append(f"{job.pk}: timeout")
    while (job := next_job()) is not None:
        if export_job_run(job):
            summary.done += 1
        else:
            summary.failed += 1
            failed = ExportJob.objects.filter(pk=job.pk).values_list("error", flat=True).first()
            summary.failures.append(f"{job.pk}: {failed or ''}")
    summary.removed = export_jobs_sweep()
    return summary


# --- Reading a job ------------------------------------------------------------------------------

def export_job_expired(job: ExportJob, now=None) -> bool:
    return job.expires_at is not None and job.expires_at <= (now or timezone.now())


def export_job_file(job: ExportJob) -> Path | None:
    """The finished, unexpired job's file, if it is still there."""
    if job.status != S.DONE or not job.file or export_job_expired(job):
        return None
    root = export_root().resolve()
    path = (root / job.file).resolve()
    return path if path.parent == root and path.is_file() else None


def export_job_filename(job: ExportJob) -> str:
    """The name the download is saved under: the list's, as for a synchronous export."""
    entry = by_basename(job.resource)
    stem = entry.viewset.export_filename if entry is not None else job.resource
    day = timezone.localtime(job.finished_at or job.created_at).date()
    return f"{stem}-{day:%Y%m%d}.{job.format}"


def export_job_prefix(job: ExportJob) -> str:
    """The route the job exports ("proposals"), as the caller named it."""
    entry = by_basename(job.resource)
    return entry.prefix if entry is not None else job.resource
