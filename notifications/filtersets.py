"""The one FilterSet of the inbox, shared by the admin's inbox page (notifications.views) and the
API (/api/notifications/): read or unread, and by kind (conventions: proposals/filtersets.py)."""
from __future__ import annotations

import django_filters
from django.db.models import Case, IntegerField, Value, When
from django.utils.translation import gettext_lazy as _

from notifications.models import Notification
from proposals.filtersets import TrackerFilterSet


def inbox_of(user):
    """The user's own inbox, unread first, then the newest: nobody reads another's notices."""
    if not (user and user.is_authenticated):
        return Notification.objects.none()
    unread_first = Case(When(read_at__isnull=True, then=Value(0)), default=Value(1), output_field=IntegerField())
    return (Notification.objects.filter(recipient=user, channel=Notification.Channel.INBOX)
            .order_by(unread_first, "-created_at", "-id"))


class NotificationFilterSet(TrackerFilterSet):
    unread = django_filters.BooleanFilter(method="filter_unread", label=_("未读"),
                                          help_text=_("true:只列未读;false:只列已读"))
    kind = django_filters.MultipleChoiceFilter(choices=Notification.Kind.choices, label=_("类型"))

    class Meta:
        model = Notification
        fields = ["unread", "kind"]

    def filter_unread(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(read_at__isnull=value)
