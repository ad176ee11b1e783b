"""The member's workspace, under /my/ (config.urls)."""
from django.urls import path

from workspace import steps, views

app_name = "workspace"

urlpatterns = [
    path("", views.proposal_list_view, name="proposals"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("proposals/new/", steps.draft_view, name="draft"),
    path("proposals/<int:pk>/", views.proposal_detail_view, name="proposal"),
    path("proposals/<int:pk>/edit/", steps.edit_view, name="edit"),
    path("proposals/<int:pk>/invite/", steps.invite_view, name="invite"),
    path("proposals/<int:pk>/submit/", steps.submit_view, name="submit"),
    path("proposals/<int:pk>/withdraw/", steps.withdraw_view, name="withdraw"),
    path("invitations/", views.invitation_list_view, name="invitations"),
    path("proposals/<int:pk>/accept/", steps.accept_view, name="accept"),
    path("proposals/<int:pk>/decline/", steps.decline_view, name="decline"),
    path("replies/<int:pk>/feedback/", steps.feedback_view, name="feedback"),
]
