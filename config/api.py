"""The API under /api/: one router for every app's resources (proposals first, then replies,
which builds on it, then notifications, which builds on both), and the replies app's own paths
(figures, closing a proposal). Every exportable list is also made known to the export jobs
(proposals.api.export_registry)."""
from django.urls import include, path
from rest_framework.routers import DefaultRouter

from notifications.api.urls import ROUTES as NOTIFICATION_ROUTES
from proposals.api.export_registry import register_exportable
from proposals.api.urls import ROUTES as PROPOSAL_ROUTES
from proposals.api.urls import urlpatterns as proposal_paths
from replies.api.urls import ROUTES as REPLY_ROUTES
from replies.api.urls import urlpatterns as reply_paths

router = DefaultRouter()
for prefix, viewset, basename in (*PROPOSAL_ROUTES, *REPLY_ROUTES, *NOTIFICATION_ROUTES):
    router.register(prefix, viewset, basename=basename)
    register_exportable(prefix, viewset, basename)

urlpatterns = [path("", include(proposal_paths)), path("", include(reply_paths)), *router.urls]
