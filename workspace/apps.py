from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkspaceConfig(AppConfig):
    """The member's workspace (/my/): a proposer's own pages, built on the services of proposals
    and replies; nothing imports it."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "workspace"
    verbose_name = _("委员工作台")
