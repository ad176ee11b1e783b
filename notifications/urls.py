"""The inbox and settings pages (notifications.views), mounted under the notification admin
(notifications.admin.NotificationAdmin.get_urls): /admin/notifications/notification/inbox/ …,
each behind the admin's login and open to every user of the admin."""
from __future__ import annotations

from django.urls import path

from notifications import views


def admin_urls(admin_site) -> list:
    """Named ``admin:notifications_inbox``, ``…_inbox_open``, ``…_inbox_read_all`` and
    ``admin:notifications_preferences``."""

    def page(view):
        def wrapped(request, **kwargs):
            return view(request, admin_site, **kwargs)

        return admin_site.admin_view(wrapped)

    return [
        path("inbox/", page(views.inbox_view), name="notifications_inbox"),
        path("inbox/<int:pk>/", page(views.open_view), name="notifications_inbox_open"),
        path("inbox/read-all/", page(views.read_all_view), name="notifications_inbox_read_all"),
        path("preferences/", page(views.preferences_view), name="notifications_preferences"),
    ]
