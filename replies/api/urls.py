"""Routes of the replies app; registered on the one API router in proposals/api/urls.py."""
from replies.api.views import FeedbackViewSet, ReferenceDocumentViewSet, ReplyViewSet

ROUTES = [
    ("replies", ReplyViewSet, "reply"),
    ("feedback", FeedbackViewSet, "feedback"),
    ("reference-documents", ReferenceDocumentViewSet, "reference-document"),
]
