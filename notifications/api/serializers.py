"""The inbox and the notification settings in the API (fields listed explicitly; what may be
null says so)."""
from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from notifications.forms import quiet_hours_error
from notifications.models import Notification, NotificationPreference


CLOCK_TIME_PATTERN = r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?$"


@extend_schema_field({"type": "string", "pattern": CLOCK_TIME_PATTERN, "example": "18:00"})
class ClockTimeField(serializers.TimeField):
    """A time of day as "HH:MM" (read; "HH:MM:SS" is taken too): OpenAPI's ``format: time`` is
    RFC 3339's, with a UTC offset that a time of day on the user's clock does not have."""

    def __init__(self, **kwargs):
        super().__init__(format="%H:%M", input_formats=["%H:%M", "%H:%M:%S"], **kwargs)


class KindListField(serializers.ListField):
    """A list of notification kinds whose errors read as the API's other 400s do, a list of
    messages (ListField's own are keyed by the item's index)."""

    def __init__(self, **kwargs):
        super().__init__(child=serializers.ChoiceField(choices=Notification.Kind.choices), **kwargs)

    def to_internal_value(self, data):
        try:
            return super().to_internal_value(data)
        except serializers.ValidationError as exc:
            if not isinstance(exc.detail, dict):
                raise
            raise serializers.ValidationError([
                _("第 %(n)s 项:%(error)s") % {"n": int(index) + 1, "error": message}
                for index, messages in sorted(exc.detail.items(), key=lambda item: int(item[0]))
                for message in messages]) from None


class NotificationSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True, help_text="类型名称")
    link = serializers.CharField(read_only=True, help_text="相关页面的路径(管理后台);没有时为空")
    proposal = serializers.IntegerField(source="proposal_id", read_only=True, allow_null=True,
                                        help_text="相关提案的 id;没有时为 null")
    assignment = serializers.IntegerField(source="assignment_id", read_only=True, allow_null=True,
                                          help_text="相关交办的 id;没有时为 null")
    read_at = serializers.DateTimeField(read_only=True, allow_null=True, help_text="阅读时间;未读时为 null")
    unread = serializers.SerializerMethodField(help_text="是否未读")

    class Meta:
        model = Notification
        fields = ["id", "kind", "kind_label", "subject", "body", "link", "proposal", "assignment", "created_at",
                  "read_at", "unread"]
        read_only_fields = fields

    def get_unread(self, notice) -> bool:
        return notice.read_at is None


class ReadAllResultSerializer(serializers.Serializer):
    marked = serializers.IntegerField(help_text="本次标为已读的通知数")


class NotificationPreferenceSerializer(serializers.ModelSerializer):
    """GET answers the defaults while the user has saved nothing."""

    language = serializers.ChoiceField(choices=settings.LANGUAGES, required=False, help_text="通知的语言")
    email_kinds = KindListField(
        allow_null=True, allow_empty=True, required=False, max_length=len(Notification.Kind.choices),
        help_text="以电子邮件接收的通知类型;null 表示全部类型(包括今后新增的类型),[] 表示不收邮件。站内消息总是保留")
    daily_digest = serializers.BooleanField(required=False, help_text="每天一封汇总邮件,代替逐条邮件")
    quiet_start = ClockTimeField(required=False, allow_null=True,
                                 help_text="免打扰开始时间(如 18:00);与 quiet_end 同时给出,或同为 null")
    quiet_end = ClockTimeField(required=False, allow_null=True,
                               help_text="免打扰结束时间(如 08:30);免打扰时段和非工作日不发邮件")

    class Meta:
        model = NotificationPreference
        fields = ["language", "email_kinds", "daily_digest", "quiet_start", "quiet_end"]

    def validate_email_kinds(self, value):
        return None if value is None else sorted(set(value))

    def validate(self, attrs):
        current = self.instance

        def value(name):
            return attrs[name] if name in attrs else getattr(current, name, None)

        error = quiet_hours_error(value("quiet_start"), value("quiet_end"))
        if error is not None:
            raise serializers.ValidationError({error[0]: [error[1]]})
        return attrs

