from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    """The public portal: what anyone may read, without logging in."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "portal"
    verbose_name = _("公开平台")

    def ready(self):
        from django.contrib import admin
        from django.urls import reverse_lazy

        # The admin's "查看站点" (View site) link: the portal's home.
        admin.site.site_url = reverse_lazy("portal:home")
