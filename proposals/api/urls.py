"""The API's routes: kebab-case plurals under /api/ (mounted by config/urls.py)."""
from django.urls import path
from rest_framework.routers import DefaultRouter

from proposals.api.assignment_views import AssignmentViewSet, ContactViewSet
from proposals.api.proposal_views import ProposalViewSet
from proposals.api.stats import StatsView
from proposals.api.views import (
    AgencyViewSet,
    CalendarDayViewSet,
    CommitteeViewSet,
    EventViewSet,
    ProposerViewSet,
    SessionViewSet,
)
from replies.api.urls import ROUTES as REPLY_ROUTES

router = DefaultRouter()
router.register("committees", CommitteeViewSet, basename="committee")
router.register("sessions", SessionViewSet, basename="session")
router.register("proposers", ProposerViewSet, basename="proposer")
router.register("agencies", AgencyViewSet, basename="agency")
router.register("proposals", ProposalViewSet, basename="proposal")
router.register("assignments", AssignmentViewSet, basename="assignment")
router.register("contacts", ContactViewSet, basename="contact")
router.register("events", EventViewSet, basename="event")
router.register("calendar-days", CalendarDayViewSet, basename="calendar-day")
for prefix, viewset, basename in REPLY_ROUTES:
    router.register(prefix, viewset, basename=basename)

urlpatterns = [
    path("stats/", StatsView.as_view(), name="stats"),
    *router.urls,
]
