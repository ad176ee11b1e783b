"""Response headers that Django and django-csp do not set themselves."""
from django.conf import settings
from django.utils.cache import patch_cache_control, patch_vary_headers


class PermissionsPolicyMiddleware:
    """``Permissions-Policy`` from settings.PERMISSIONS_POLICY ({feature: allowlist}), on every response
    that has none of its own."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.header = ", ".join(f"{feature}={allow}" for feature, allow in settings.PERMISSIONS_POLICY.items())

    def __call__(self, request):
        response = self.get_response(request)
        if self.header:
            response.headers.setdefault("Permissions-Policy", self.header)
        return response


class PrivateCacheForAuthenticatedMiddleware:
    """What one user sees must not be served to another from a shared cache (a proxy, a CDN): a
    response to a signed-in session or to a request with an Authorization header is marked
    ``Cache-Control: private`` (unless it already says no-store, which is stricter) and varies on
    Authorization and Cookie."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        # request.user is set by AuthenticationMiddleware, and DRF writes a token's user back onto it.
        user = getattr(request, "user", None)
        if "HTTP_AUTHORIZATION" in request.META or (user is not None and user.is_authenticated):
            if "no-store" not in response.get("Cache-Control", ""):
                patch_cache_control(response, private=True)
            patch_vary_headers(response, ("Authorization", "Cookie"))
        return response
