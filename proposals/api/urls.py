"""Routes of the proposals app: kebab-case plurals, registered on the one API router by
config/api.py."""
from django.urls import path

from proposals.api.assignment_views import AssignmentViewSet, ContactViewSet, ExtensionRequestViewSet
from proposals.api.correction_views import AssignmentCorrectionViewSet, ProposalCorrectionViewSet
from proposals.api.export_jobs import ExportJobViewSet
from proposals.api.proposal_views import ProposalViewSet
from proposals.api.views import (
    AgencyViewSet,
    CalendarDayViewSet,
    CommitteeViewSet,
    EventViewSet,
    ProposerViewSet,
    SessionViewSet,
)

ROUTES = [
    ("committees", CommitteeViewSet, "committee"),
    ("sessions", SessionViewSet, "session"),
    ("proposers", ProposerViewSet, "proposer"),
    ("agencies", AgencyViewSet, "agency"),
    ("proposals", ProposalViewSet, "proposal"),
    ("assignments", AssignmentViewSet, "assignment"),
    ("contacts", ContactViewSet, "contact"),
    ("events", EventViewSet, "event"),
    ("calendar-days", CalendarDayViewSet, "calendar-day"),
    ("extension-requests", ExtensionRequestViewSet, "extension-request"),
    # Exports past the synchronous cap of any list above or of the apps built on these.
    ("export-jobs", ExportJobViewSet, "export-job"),
]


# Paths beside the router's: the corrections (proposals.api.correction_views).
urlpatterns = [
    path("proposals/<str:pk>/correct/", ProposalCorrectionViewSet.as_view({"post": "correct"}),
         name="proposal-correct"),
    path("assignments/<str:pk>/correct/", AssignmentCorrectionViewSet.as_view({"post": "correct"}),
         name="assignment-correct"),
]
