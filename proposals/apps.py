from django.apps import AppConfig
from django.utils.translation import pgettext_lazy


class ProposalsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "proposals"
    # The app is named by its records, in the plural where the language has one.
    verbose_name = pgettext_lazy("plural", "提案")
