"""The Django admin as the tracker's working tool (one module per concern):

- base.py: permissions by role, status and due-date badges;
- actions.py / steps.py: the workflow steps, each a small form page calling a service;
- proposal.py, assignment.py, parties.py, calendar.py, extension_requests.py: the model admins;
- detail.py: the sections of a proposal's page (assignments, replies, timeline …);
- dashboard.py: the admin home for each role.
"""
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from proposals.admin import assignment, calendar, parties, proposal  # noqa: F401  (registers the models)
from proposals.admin import extension_requests  # noqa: F401  (registers the models)

admin.site.site_header = _("政协提案办理系统")
admin.site.site_title = _("政协提案办理系统")
admin.site.index_title = _("工作台")
