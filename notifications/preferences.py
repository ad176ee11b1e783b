"""A user's own notification settings: read (the defaults while the user has saved none) and
written, by the preferences page (notifications.views) and the API
(/api/notification-preferences/me/) alike."""
from __future__ import annotations

from django.db import transaction

from notifications.models import NotificationPreference

FIELDS = ("language", "email_kinds", "daily_digest", "quiet_start", "quiet_end")


def preference_of(user) -> NotificationPreference:
    """The user's settings; without a saved row, an unsaved one with the defaults the outbox
    applies to such a user (notifications.services.notify): Chinese, every kind by e-mail,
    single mails, no quiet hours."""
    return NotificationPreference.objects.filter(user=user).first() or NotificationPreference(user=user)


def preference_update(*, user, **values) -> NotificationPreference:
    """Save the user's settings: the first save creates the row. Values are validated by the
    caller's form or serializer (notifications.forms.quiet_hours_error); only FIELDS are
    written. Two first saves at once make one row (get_or_create retries the read)."""
    unknown = set(values) - set(FIELDS)
    if unknown:
        raise TypeError(f"not a preference: {', '.join(sorted(unknown))}")
    with transaction.atomic():
        preference, _created = NotificationPreference.objects.get_or_create(user=user)
        preference = NotificationPreference.objects.select_for_update().get(pk=preference.pk)
        for name, value in values.items():
            setattr(preference, name, value)
        preference.save()
    return preference
