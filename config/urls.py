from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from config.health import health

urlpatterns = [
    path("health/", health, name="health"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/schema/swagger/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    path("api/schema/redoc/", SpectacularRedocView.as_view(url_name="schema"), name="redoc"),
    path("api/auth/", include("rest_framework.urls")),
    path("api/", include("config.api")),
    path("my/", include("workspace.urls")),
    # The public portal last: its root-level paths must never shadow the ones above.
    path("", include("portal.urls")),
]

# Django's own 404 and 500: JSON problem details under /api/, the site's pages elsewhere
# (templates/404.html, templates/500.html).
handler404 = "proposals.api.errors.page_not_found"
handler500 = "proposals.api.errors.server_error"
