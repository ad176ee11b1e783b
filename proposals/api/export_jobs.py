"""/api/export-jobs/: an export past the synchronous cap (proposals.api.export), asked for here,
written by ``manage.py run_export_jobs`` and downloaded when ready (proposals.exports).

Anyone may ask for a job, anonymous callers included (they export what the public sees); the
job's random id is what finds it again. A signed-in user sees their own jobs, staff every job,
an anonymous caller only anonymous jobs and only by id; any other job is a 404. The list of
one's jobs needs a login (an anonymous caller has no "own" to list).
"""
from __future__ import annotations

from django.core.exceptions import SuspiciousOperation
from django.http import FileResponse
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle, ScopedRateThrottle

from proposals import exports
from proposals.api.errors import BAD_REQUEST_SCHEMA, ErrorSerializer
from proposals.api.export import XLSXRenderer
from proposals.api.export_registry import exportable_prefixes
from proposals.api.throttling import ExportRateThrottle
from proposals.models import ExportJob
from proposals.roles import is_committee_staff

S = ExportJob.Status
UUID_PATTERN = "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
QUERY_MAX_LENGTH = 4000
# What a client polling a job that is not ready yet is told to wait (Retry-After, seconds).
POLL_SECONDS = 10


class ExportJobCreateSerializer(serializers.Serializer):
    resource = serializers.ChoiceField(
        choices=[], help_text="要导出的列表,即 /api/ 下的路径名:proposals、assignments、replies、feedback、events …")
    format = serializers.ChoiceField(choices=ExportJob.Format.choices, help_text="文件格式:csv 或 xlsx")
    query = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=QUERY_MAX_LENGTH, trim_whitespace=True,
        help_text="列表的筛选条件,与列表接口的查询字符串相同(如 status=filed&agency=市教委;format 不必给出)")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The exportable lists are known once the URLconf is loaded, not when this class is defined.
        self.fields["resource"].choices = exportable_prefixes()

    def validate_query(self, value):
        try:
            return exports.without_format(value)
        except SuspiciousOperation:  # more parameters than DATA_UPLOAD_MAX_NUMBER_FIELDS
            raise serializers.ValidationError(_("筛选条件的参数过多")) from None


class ExportJobSerializer(serializers.ModelSerializer):
    status_label = serializers.CharField(source="get_status_display", read_only=True,
                                         help_text="状态名称(排队中、正在导出、已完成、导出失败)")
    resource = serializers.SerializerMethodField(help_text="导出的列表(/api/ 下的路径名)")
    error = serializers.CharField(read_only=True, help_text="失败原因(未失败时为空)")
    url = serializers.SerializerMethodField(help_text="本任务的地址")
    download = serializers.SerializerMethodField(help_text="下载地址;文件未就绪、导出失败或已过期时为 null")

    class Meta:
        model = ExportJob
        fields = ["id", "status", "status_label", "resource", "format", "query", "rows", "error", "created_at",
                  "started_at", "finished_at", "expires_at", "url", "download"]
        read_only_fields = fields
        extra_kwargs = {"rows": {"help_text": "写入的行数(完成前为 null)"},
                        "expires_at": {"help_text": "文件的删除时间(完成前为 null);此后下载返回 410"}}

    @extend_schema_field(OpenApiTypes.STR)
    def get_resource(self, job) -> str:
        return exports.export_job_prefix(job)

    @extend_schema_field(OpenApiTypes.STR)
    def get_url(self, job) -> str:
        return reverse("export-job-detail", args=[job.pk])

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_download(self, job):
        if job.status != S.DONE or not job.file or exports.export_job_expired(job):
            return None
        return reverse("export-job-download", args=[job.pk])


class ExportJobAccess(permissions.BasePermission):
    """Asking for a job and following it by its id: anyone. The list of one's own jobs: a login."""

    def has_permission(self, request, view):
        return view.action != "list" or bool(request.user and request.user.is_authenticated)


class ExportJobRateThrottle(ExportRateThrottle):
    """Asking for a job counts against the export scope, as a synchronous export does."""

    def allow_request(self, request, view):
        if getattr(view, "action", None) != "create":
            return True
        return ScopedRateThrottle.allow_request(self, request, view)


class ExportJobPagination(PageNumberPagination):
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100


def _error(message, code: str, status_code: int) -> Response:
    return Response({"detail": str(message), "code": code}, status=status_code)


def _described(description: str) -> OpenApiResponse:
    return OpenApiResponse(ErrorSerializer, description=description)


NOT_AUTHENTICATED = _described(gettext_lazy("令牌无效;列出自己的导出任务需要登录"))
NOT_FOUND = _described(gettext_lazy("导出任务不存在,或不是你创建的"))


@extend_schema_view(
    list=extend_schema(summary="我的导出任务(需登录)", responses={200: ExportJobSerializer(many=True),
                                                          401: NOT_AUTHENTICATED}),
    retrieve=extend_schema(summary="导出任务状态", responses={200: ExportJobSerializer, 401: NOT_AUTHENTICATED,
                                                         404: NOT_FOUND}),
    create=extend_schema(
        summary="创建导出任务(超过同步导出上限时使用)", request=ExportJobCreateSerializer,
        description=(
            "按列表接口的筛选条件在后台导出全部结果(不受同步导出上限限制,但不超过导出任务的行数上限,默认 2,000,000 行),"
            "返回 202 与任务;完成后从 download 地址下载。筛选条件当即按列表接口的规则检查:有误时返回 400,"
            "字段与原因与列表接口相同。每个调用者(登录用户,或匿名调用者的地址)同时未完成的任务默认最多 3 个,"
            "超过时返回 429(too_many_export_jobs);创建任务与同步导出共用导出频率限制。文件保留 24 小时。"),
        responses={
            202: ExportJobSerializer,
            400: OpenApiResponse(BAD_REQUEST_SCHEMA, description=gettext_lazy(
                "输入或筛选条件有误(字段及原因),或结果超过导出任务的行数上限(code 为 export_too_large)")),
            401: NOT_AUTHENTICATED,
            429: _described(gettext_lazy(
                "未完成的导出任务已达上限(code 为 too_many_export_jobs),或请求过于频繁(throttled,见 Retry-After)")),
        }),
)
class ExportJobViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = ExportJobSerializer
    permission_classes = [ExportJobAccess]
    pagination_class = ExportJobPagination
    filter_backends = []
    lookup_value_regex = UUID_PATTERN
    throttle_scope = "export"

    def get_throttles(self):
        return [*super().get_throttles(), ExportJobRateThrottle()]

    def get_queryset(self):
        user = self.request.user
        jobs = ExportJob.objects.order_by("-created_at")
        if self.action == "list":  # one's own, staff included
            return jobs.filter(user=user)
        if is_committee_staff(user):
            return jobs
        if user.is_authenticated:
            return jobs.filter(user=user)
        return jobs.filter(user__isnull=True)

    def perform_content_negotiation(self, request, force=False):
        # A download is a file whatever the Accept header asks for; its errors are still JSON.
        return super().perform_content_negotiation(request, force=force or self.action == "download")

    def create(self, request, *args, **kwargs):
        serializer = ExportJobCreateSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        try:
            job = exports.export_job_create(
                user=request.user, client_ip=AnonRateThrottle().get_ident(request),
                language=translation.get_language() or "zh-hans", **serializer.validated_data)
        except exports.ExportJobRefused as refused:
            return _error(refused.message, refused.code, refused.status_code)
        data = self.get_serializer(job).data
        return Response(data, status=status.HTTP_202_ACCEPTED, headers={"Location": data["url"]})

    @extend_schema(
        summary="下载导出文件", description="任务完成后返回文件(CSV 或 XLSX,中文表头);文件保留到 expires_at。",
        responses={
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.BINARY, description="CSV 文件(UTF-8,带 BOM)"),
            (200, XLSXRenderer.media_type): OpenApiResponse(OpenApiTypes.BINARY, description="XLSX 文件"),
            401: NOT_AUTHENTICATED,
            404: NOT_FOUND,
            409: _described(gettext_lazy(
                "文件尚未就绪(export_not_ready,见 Retry-After),或导出失败(export_failed,见任务的 error)")),
            410: _described(gettext_lazy("文件已过期并删除(export_expired),请重新创建导出任务")),
        })
    @action(detail=True, methods=["get"])
    def download(self, request, pk=None):
        job = self.get_object()
        if job.status in ExportJob.UNFINISHED_STATUSES:
            response = _error(_("导出任务尚未完成(%(status)s),请稍后再试") % {"status": job.get_status_display()},
                              "export_not_ready", status.HTTP_409_CONFLICT)
            response["Retry-After"] = str(POLL_SECONDS)
            return response
        if job.status == S.FAILED:
            return _error(_("导出失败:%(reason)s") % {"reason": job.error}, "export_failed", status.HTTP_409_CONFLICT)
        path = exports.export_job_file(job)
        if path is None:
            return _error(_("导出文件已过期并删除,请重新创建导出任务"), "export_expired", status.HTTP_410_GONE)
        return FileResponse(open(path, "rb"), as_attachment=True, filename=exports.export_job_filename(job),
                            content_type=exports.CONTENT_TYPES[job.format])
