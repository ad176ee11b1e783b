import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ExportJob(models.Model):
    """An export too large to download at once (past the caller's EXPORT_MAX_ROWS): asked for
    through the API, written to a file under settings.EXPORT_ROOT by ``manage.py run_export_jobs``
    (proposals.exports), downloaded until it expires. Its random id is what lets an anonymous
    caller find it again."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("正在导出")
        DONE = "done", _("已完成")
        FAILED = "failed", _("导出失败")

    class Format(models.TextChoices):
        CSV = "csv", "CSV"
        XLSX = "xlsx", "XLSX"

    UNFINISHED_STATUSES = (Status.QUEUED, Status.RUNNING)

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # A user's exports go with the user (their files are then swept as files no job names).
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="export_jobs",
        verbose_name=_("用户"),
    )
    # The address the throttles count by (proposals.api.throttling): an anonymous caller's pending jobs.
    client_ip = models.CharField(_("客户端地址"), max_length=64, blank=True)
    # The router's basename of the list ("proposal", "reply" …: proposals.api.export_registry).
    resource = models.CharField(_("导出列表"), max_length=64)
    format = models.CharField(_("文件格式"), max_length=4, choices=Format.choices)
    query = models.TextField(_("筛选条件"), blank=True)
    # Headers and labels are written in the language of the request that asked for the job.
    language = models.CharField(_("语言"), max_length=16)
    status = models.CharField(_("状态"), max_length=8, choices=Status.choices, default=Status.QUEUED)
    rows = models.PositiveIntegerField(_("行数"), null=True, blank=True)
    error = models.TextField(_("失败原因"), blank=True)
    # Relative to settings.EXPORT_ROOT; emptied when the expired file is deleted.
    file = models.CharField(_("文件"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    expires_at = models.DateTimeField(_("过期时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("导出任务")
        verbose_name_plural = pgettext_lazy("plural", "导出任务")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=models.Q(format__in=["csv", "xlsx"]), name="export_job_format_valid"),
            models.CheckConstraint(condition=models.Q(status__in=["queued", "running", "done", "failed"]),
                                   name="export_job_status_valid"),
        ]
        indexes = [
            # The runner's queue (oldest queued first) and its sweeps (stale running, expired).
            models.Index(fields=["status", "created_at"], name="export_job_status_idx"),
            models.Index(fields=["expires_at"], name="export_job_expires_idx"),
            # A caller's jobs: the list, and the count of unfinished ones.
            models.Index(fields=["user", "status"], name="export_job_user_idx"),
            models.Index(fields=["client_ip", "status"], name="export_job_client_idx"),
        ]

    def __str__(self):
        return f"{self.resource}.{self.format} ({self.get_status_display()}) {self.pk}"
