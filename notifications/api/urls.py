"""Routes of the notifications app, registered on the one API router by config/api.py."""
from notifications.api.views import NotificationPreferenceViewSet, NotificationViewSet

ROUTES = [
    ("notifications", NotificationViewSet, "notification"),
    ("notification-preferences", NotificationPreferenceViewSet, "notification-preference"),
]
