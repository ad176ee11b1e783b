from django.apps import AppConfig
from django.utils.translation import pgettext_lazy


class NotificationsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "notifications"
    # The app is named by its records, in the plural where the language has one.
    verbose_name = pgettext_lazy("plural", "通知")

    def ready(self):
        from notifications.extensions import register

        register()
