"""Routes of the proposals app: kebab-case plurals, registered on the one API router by
config/api.py."""
from proposals.api.assignment_views import AssignmentViewSet, ContactViewSet
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
]
