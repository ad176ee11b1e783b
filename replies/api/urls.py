"""Routes of the replies app, mounted under /api/ by config/api.py: its resources on the one
router, and the proposal steps and figures that rest on replies."""
from django.urls import path

from replies.api.stats import StatsView
from replies.api.views import FeedbackViewSet, ProposalCloseViewSet, ReferenceDocumentViewSet, ReplyViewSet

ROUTES = [
    ("replies", ReplyViewSet, "reply"),
    ("feedback", FeedbackViewSet, "feedback"),
    ("reference-documents", ReferenceDocumentViewSet, "reference-document"),
]

urlpatterns = [
    path("stats/", StatsView.as_view(), name="stats"),
    path("proposals/<str:pk>/close/", ProposalCloseViewSet.as_view({"post": "close"}), name="proposal-close"),
]
