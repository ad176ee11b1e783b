from django.apps import AppConfig
from django.utils.translation import pgettext_lazy


class RepliesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "replies"
    # The app is named by its records, in the plural where the language has one.
    verbose_name = pgettext_lazy("plural", "答复")

    def ready(self):
        from replies.extensions import register

        register()
