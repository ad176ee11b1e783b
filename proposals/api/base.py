"""What every ViewSet of the API shares: serializers by action, export, and workflow steps
that call a service with optimistic concurrency (If-Match) and the error mapping of errors.py."""
from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import mixins, status, viewsets
from rest_framework.response import Response

from proposals.api.errors import error_responses
from proposals.api.export import ExportMixin
from proposals.api.permissions import ReadOrAuthenticated
from proposals.services.errors import ConcurrentChange, TransitionNotAllowed

FORMAT_PARAMETER = OpenApiParameter(
    "format", OpenApiTypes.STR, OpenApiParameter.QUERY, enum=["json", "csv", "xlsx"],
    description="json(默认)、csv 或 xlsx:csv / xlsx 下载筛选后的全部结果(不分页,中文表头)",
)
IF_MATCH_PARAMETER = OpenApiParameter(
    "If-Match", OpenApiTypes.STR, OpenApiParameter.HEADER, required=False,
    description="详情响应中的 ETag;记录此后若已被他人修改,返回 409 而不执行操作",
)
ACTION_ERRORS = error_responses(400, 403, 404, 409)


def etag(obj) -> str:
    """The version of a workflow object: its status and the time of its last change."""
    stamp = int(obj.updated_at.timestamp() * 1_000_000) if obj.updated_at else 0
    return f'"{obj.status}-{stamp}"'


class TrackerViewSet(ExportMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """List (with export) and detail (with an ETag) of what the user may see;
    ``list_serializer_class`` for lists, ``serializer_class`` for everything else."""

    permission_classes = [ReadOrAuthenticated]
    list_serializer_class = None

    def get_serializer_class(self):
        if self.action == "list" and self.list_serializer_class is not None:
            return self.list_serializer_class
        return super().get_serializer_class()

    def input(self, serializer_class, **kwargs):
        """Validated request data of an action (400 with the fields otherwise)."""
        serializer = serializer_class(data=self.request.data, context=self.get_serializer_context(), **kwargs)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    def retrieve(self, request, *args, **kwargs):
        instance = self.get_object()
        response = Response(self.get_serializer(instance).data)
        if hasattr(instance, "status") and hasattr(instance, "updated_at"):
            response["ETag"] = etag(instance)
        return response

    def detail_response(self, pk, status_code=status.HTTP_200_OK):
        """The object's new state, read again through the visible queryset with the detail serializer."""
        self.action = "retrieve"
        instance = self.filter_queryset_for_detail().filter(pk=pk).first()
        if instance is None:  # the step took the object out of the user's sight
            return Response({"id": pk}, status=status_code)
        response = Response(self.get_serializer(instance).data, status=status_code)
        if hasattr(instance, "status") and hasattr(instance, "updated_at"):
            response["ETag"] = etag(instance)
        return response

    def filter_queryset_for_detail(self):
        return self.get_queryset()

    def step(self, service, target: str, **kwargs) -> Response:
        """Run one workflow step on the object of the URL.

        404 if the user may not see it; 409 if the If-Match header names an older version, or if
        the service finds the object in another state than the one this request started from
        (somebody else moved it in between); otherwise the service decides (400/403)."""
        obj = self.get_object()
        model = type(obj)
        started = (obj.status, obj.updated_at)
        expected = self.request.headers.get("If-Match")
        try:
            with transaction.atomic():
                if expected and expected.strip() != "*":
                    current = model.objects.select_for_update().get(pk=obj.pk)
                    if expected.strip() != etag(current):
                        raise ConcurrentChange(_("该记录已被他人修改,请刷新后重试"))
                service(actor=self.request.user, **{target: obj}, **kwargs)
        except TransitionNotAllowed:
            now = model.objects.filter(pk=obj.pk).values_list("status", "updated_at").first()
            if now != started:
                raise ConcurrentChange(_("该记录已被他人修改,请刷新后重试")) from None
            raise
        return self.detail_response(obj.pk)
