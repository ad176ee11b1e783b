"""The public portal's pages, mounted at the site root after every other path (config.urls)."""
from django.urls import path

from portal import exports, feeds, views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search, name="search"),
    path("replies/<int:pk>/", views.reply_detail, name="reply_detail"),
    path("agencies/", views.agency_list, name="agency_list"),
    path("agencies/<int:pk>/", views.agency_detail, name="agency_detail"),
    path("agencies/<int:pk>/scorecard.csv", exports.agency_scorecard_csv, name="agency_scorecard_csv"),
    path("sessions/", views.session_list, name="session_list"),
    path("sessions/<int:pk>/", views.session_detail, name="session_detail"),
    path("sessions/<int:pk>/report.csv", exports.session_report_csv, name="session_report_csv"),
    path("data/", views.open_data, name="open_data"),
    path("data/replies.csv", exports.replies_csv, name="replies_csv"),
    path("data/agencies.csv", exports.agencies_csv, name="agencies_csv"),
    path("data/sessions.csv", exports.sessions_csv, name="sessions_csv"),
    path("feeds/replies/", feeds.LatestRepliesAtom(), name="feed"),
    path("feeds/replies.rss", feeds.LatestRepliesRss(), name="feed_rss"),
]
