"""The one place where errors become HTTP responses.

- bad input (serializer, filter or InvalidInput from a service): 400 ``{"field": ["reason"]}``, the
  errors of list items and nested objects under dotted keys (``{"ids.0": ["reason"]}``);
- a request that needs a login (an anonymous write) or a bad token: 401, with
  ``WWW-Authenticate: Token``;
- a step the object's state does not allow (TransitionNotAllowed): 400 ``{"detail", "code"}``;
- a step the user may not take on an object they can see (ActionForbidden): 403;
- an object the user may not see: 404, exactly as for one that does not exist;
- the object changed under the request (ConcurrentChange, a stale If-Match, a lost race): 409;
- the database stayed locked by another writer longer than the settings' timeout (SQLite): 503,
  with Retry-After; nothing was written, the same request may simply be sent again;
- JSON nested too deep: 400 ``{"detail", "code": "too_deep"}`` (proposals.api.parsers);
- outside DRF's views, Django's own 404 (an unknown path) and 500 (an unexpected exception): JSON
  ``{"detail", "code"}`` under /api/, the site's HTML pages elsewhere (page_not_found and
  server_error below, installed as handler404 and handler500 by config/urls.py).
"""
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, OperationalError
from django.db.models import ProtectedError
from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import defaults
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from proposals.services.errors import (
    ActionForbidden,
    ConcurrentChange,
    InvalidInput,
    ServiceError,
    TransitionNotAllowed,
)

NON_FIELD = "non_field_errors"
# Shown by the API and by the admin's step pages (proposals.admin.actions).
DATABASE_BUSY = gettext_lazy("系统正忙:其他用户正在保存修改,请稍后重试")
DATABASE_BUSY_RETRY_AFTER_SECONDS = 2


def is_database_locked(exc: BaseException) -> bool:
    """SQLite's answer when the write lock stayed taken past the connection's timeout
    (settings.DATABASES, OPTIONS "timeout"): a moment's contention, not a fault of the request."""
    return isinstance(exc, OperationalError) and "database is locked" in str(exc)


def _detail(message, code, status_code):
    return Response({"detail": str(message), "code": code}, status=status_code)


def tracker_exception_handler(exc, context):
    if isinstance(exc, InvalidInput):
        return Response({exc.field or NON_FIELD: [str(exc.message)]}, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, TransitionNotAllowed):
        return _detail(exc.message, "transition_not_allowed", status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, ActionForbidden):
        return _detail(exc.message, "permission_denied", status.HTTP_403_FORBIDDEN)
    if isinstance(exc, ConcurrentChange):
        return _detail(exc.message, "concurrent_change", status.HTTP_409_CONFLICT)
    if isinstance(exc, ServiceError):
        return _detail(exc.message, "invalid", exc.status_code)
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            return Response({k: [str(m) for m in v] for k, v in exc.message_dict.items()}, status=400)
        return Response({NON_FIELD: [str(m) for m in exc.messages]}, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, ProtectedError):
        return _detail(_("该记录仍被其他记录引用,不能删除"), "protected", status.HTTP_409_CONFLICT)
    if is_database_locked(exc):
        response = _detail(DATABASE_BUSY, "database_busy", status.HTTP_503_SERVICE_UNAVAILABLE)
        response["Retry-After"] = str(DATABASE_BUSY_RETRY_AFTER_SECONDS)
        return response
    if isinstance(exc, IntegrityError):
        # The serializers check uniqueness first; reaching here means a concurrent write won.
        return _detail(_("该记录已被他人修改,请刷新后重试"), "concurrent_change", status.HTTP_409_CONFLICT)
    response = exception_handler(exc, context)
    if response is not None and isinstance(response.data, dict) and "detail" in response.data:
        detail = response.data["detail"]
        response.data["code"] = getattr(detail, "code", None) or getattr(exc, "default_code", "error")
    elif response is not None and response.status_code == 400 and isinstance(response.data, (dict, list)):
        response.data = flat_errors(response.data)
    return response


def flat_errors(errors) -> dict[str, list[str]]:
    """DRF's errors as the documented ``{"field": ["reason", …]}``: the errors of a list's items
    and of nested objects, which DRF nests (``{"ids": {"0": [...]}}``), under dotted keys
    (``ids.0``, ``contacts.1.date``)."""
    flat: dict[str, list[str]] = {}

    def walk(value, key):
        if isinstance(value, dict):
            for name, inner in value.items():
                walk(inner, f"{key}.{name}" if key else str(name))
        elif isinstance(value, list) and any(isinstance(inner, (dict, list)) for inner in value):
            for index, inner in enumerate(value):
                if inner:  # DRF leaves {} for the items without errors
                    walk(inner, f"{key}.{index}" if key else str(index))
        else:
            messages = value if isinstance(value, list) else [value]
            flat.setdefault(key or NON_FIELD, []).extend(str(m) for m in messages)

    walk(errors, "")
    return flat


API_PREFIX = "/api/"


def _is_api(request) -> bool:
    return request.path_info.startswith(API_PREFIX)


def _json_detail(message, code, status_code) -> JsonResponse:
    return JsonResponse({"detail": str(message), "code": code}, status=status_code,
                        json_dumps_params={"ensure_ascii": False})


def page_not_found(request, exception=None):
    """handler404: an unknown path under /api/ answers like every other API 404."""
    if _is_api(request):
        return _json_detail(_("接口地址不存在:%(path)s") % {"path": request.path}, "not_found", 404)
    return defaults.page_not_found(request, exception)


def server_error(request):
    """handler500: an exception nobody expected. The client learns only that it happened (the
    traceback goes to the log, never to the client)."""
    if _is_api(request):
        return _json_detail(_("服务器内部错误,已记录在日志中;请稍后重试,问题持续时请联系系统管理员"),
                            "server_error", 500)
    return defaults.server_error(request)


class ErrorSerializer(serializers.Serializer):
    """401, 403, 404, 409 and a disallowed step (400): a readable reason and a stable code."""

    detail = serializers.CharField(help_text="中文说明(Accept-Language: en 时为英文)")
    code = serializers.CharField(
        help_text="transition_not_allowed, permission_denied, not_authenticated, not_found, concurrent_change, "
                  "database_busy …")


BAD_REQUEST_SCHEMA = {
    "type": "object",
    "description": "输入有误时:键为出错的字段名(或 non_field_errors),值为原因列表;"
                   "当前状态不允许此操作时:detail 与 code(transition_not_allowed)。",
    "properties": {"detail": {"type": "string"}, "code": {"type": "string"},
                   "job": {"type": "string", "description": "export_too_large:可改用的异步导出任务接口"}},
    "additionalProperties": {"type": "array", "items": {"type": "string"}},
}


def error_responses(*codes):
    """The OpenAPI responses of these error codes, for extend_schema(responses=…); 401 goes with 403."""
    from drf_spectacular.utils import OpenApiResponse

    described = {
        400: OpenApiResponse(BAD_REQUEST_SCHEMA, description=gettext_lazy("输入有误:字段及原因;或当前状态不允许此操作")),
        401: OpenApiResponse(ErrorSerializer, description=gettext_lazy("需要登录:未登录,或令牌无效")),
        403: OpenApiResponse(ErrorSerializer, description=gettext_lazy("可以查看但无权执行此操作")),
        404: OpenApiResponse(ErrorSerializer, description=gettext_lazy("不存在或无权查看")),
        409: OpenApiResponse(ErrorSerializer, description=gettext_lazy("记录已被他人修改(并发变更或 If-Match 不符)")),
    }
    if 403 in codes:  # whatever needs a right needs a login first
        codes = sorted({*codes, 401})
    return {code: described[code] for code in codes}
