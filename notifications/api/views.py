"""/api/notifications/ (one's own inbox: list, detail, mark read) and
/api/notification-preferences/me/ (one's own settings). Both need a login (401 without one);
another user's notification is a 404, as one that does not exist."""
from __future__ import annotations

from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, permissions, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotAuthenticated
from rest_framework.response import Response

from notifications import services
from notifications.api.serializers import (
    NotificationPreferenceSerializer,
    NotificationSerializer,
    ReadAllResultSerializer,
)
from notifications.filtersets import NotificationFilterSet, inbox_of
from notifications.preferences import preference_of, preference_update
from proposals.api.errors import BAD_REQUEST_SCHEMA, ErrorSerializer

NOT_AUTHENTICATED = OpenApiResponse(ErrorSerializer, description=gettext_lazy("需要登录:未登录,或令牌无效"))
NOT_FOUND = OpenApiResponse(ErrorSerializer, description=gettext_lazy("通知不存在,或不是发给你的"))
INVALID = OpenApiResponse(BAD_REQUEST_SCHEMA, description=gettext_lazy("输入有误:字段及原因"))


@extend_schema_view(
    list=extend_schema(
        summary="我的通知(站内消息)",
        description="只列出发给当前用户的站内消息:未读在前,其次按时间从新到旧。?unread=true 只列未读,"
                    "?unread=false 只列已读;?kind= 按类型(可多选,逗号分隔)。",
        responses={200: NotificationSerializer(many=True), 401: NOT_AUTHENTICATED}),
    retrieve=extend_schema(summary="通知详情", description="查看不会标为已读;标为已读请用 read 操作。",
                           responses={200: NotificationSerializer, 401: NOT_AUTHENTICATED, 404: NOT_FOUND}),
)
class NotificationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = NotificationSerializer
    filterset_class = NotificationFilterSet
    permission_classes = [permissions.IsAuthenticated]

    def get_queryset(self):
        return inbox_of(self.request.user)

    @extend_schema(summary="标为已读", request=None,
                   description="再次标为已读保留第一次的阅读时间。",
                   responses={200: NotificationSerializer, 401: NOT_AUTHENTICATED, 404: NOT_FOUND})
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        notice = self.get_object()
        services.notification_mark_read(user=request.user, notification=notice)
        return Response(self.get_serializer(notice).data)

    @extend_schema(summary="全部标为已读", request=None,
                   responses={200: ReadAllResultSerializer, 401: NOT_AUTHENTICATED})
    @action(detail=False, methods=["post"], url_path="read-all", filter_backends=[], pagination_class=None)
    def read_all(self, request):
        marked = services.notifications_mark_all_read(user=request.user)
        return Response(ReadAllResultSerializer({"marked": marked}).data)


class NotificationPreferenceViewSet(viewsets.GenericViewSet):
    """The signed-in user's own settings at .../me/; nobody reads or changes another's."""

    serializer_class = NotificationPreferenceSerializer
    permission_classes = [permissions.IsAuthenticated]
    filter_backends = []
    pagination_class = None

    def get_object(self):
        # The one object of this resource; also what the browsable API and OPTIONS ask for.
        if not self.request.user.is_authenticated:
            raise NotAuthenticated
        return preference_of(self.request.user)

    @extend_schema(methods=["GET"], summary="我的通知设置",
                   description="未保存过设置时返回默认值:中文、全部类型发邮件、逐条发送、无免打扰时段。",
                   responses={200: NotificationPreferenceSerializer, 401: NOT_AUTHENTICATED})
    @extend_schema(methods=["PUT", "PATCH"], summary="修改我的通知设置", request=NotificationPreferenceSerializer,
                   description="未给出的字段保持不变。免打扰时段须同时给出开始和结束时间(或同为 null),且两者不能相同。",
                   responses={200: NotificationPreferenceSerializer, 400: INVALID, 401: NOT_AUTHENTICATED})
    @action(detail=False, methods=["get", "put", "patch"])
    def me(self, request):
        preference = self.get_object()
        if request.method == "GET":
            return Response(self.get_serializer(preference).data)
        serializer = self.get_serializer(preference, data=request.data, partial=request.method == "PATCH")
        serializer.is_valid(raise_exception=True)
        preference = preference_update(user=request.user, **serializer.validated_data)
        return Response(self.get_serializer(preference).data)
