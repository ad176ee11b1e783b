"""How often the API answers one client: anonymous requests per address, signed-in requests per
user, exports (?format=csv|xlsx) in a stricter scope of their own, and bad tokens per address.

Rates are settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] (set from the environment, see
config/settings.py); counts live in Django's cache (the database, or Redis when REDIS_URL is set).

Bad tokens are counted in the authentication class, not in a throttle class: DRF runs throttles only
after authentication has succeeded, so a request with a wrong token (401) never reaches them. Once an
address has sent too many wrong tokens, every token request from it is answered 429 until the window
has passed, a valid token included: were a valid token still accepted, a guesser would keep
guessing at full speed and simply notice the first 200.
"""
from rest_framework import exceptions, throttling
from rest_framework.authentication import TokenAuthentication, get_authorization_header
from rest_framework.settings import api_settings

from proposals.api.export import EXPORT_FORMATS


class _RateFromCurrentSettings:
    """DRF reads the rates once, when rest_framework.throttling is imported; read them per request
    instead, so that a changed setting (override_settings in a test) takes effect."""

    def get_rate(self):
        try:
            return api_settings.DEFAULT_THROTTLE_RATES[self.scope]
        except KeyError:
            return super().get_rate()


class AnonymousRateThrottle(_RateFromCurrentSettings, throttling.AnonRateThrottle):
    """Anonymous requests, per client address (scope ``anon``)."""


class UserRateThrottle(_RateFromCurrentSettings, throttling.UserRateThrottle):
    """Signed-in requests, per user (scope ``user``). Anonymous ones are AnonymousRateThrottle's
    alone, rather than counted twice against the same address."""

    def get_cache_key(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return None
        return super().get_cache_key(request, view)


class ExportRateThrottle(_RateFromCurrentSettings, throttling.ScopedRateThrottle):
    """Spreadsheet downloads of a view with a ``throttle_scope`` (ExportMixin's ``export``): a whole
    filtered list, unpaged, costs far more than a page. Other requests to the same view pass."""

    def allow_request(self, request, view):
        if request.query_params.get(api_settings.URL_FORMAT_OVERRIDE) not in EXPORT_FORMATS:
            return True
        return super().allow_request(request, view)


class FailedTokenThrottle(_RateFromCurrentSettings, throttling.SimpleRateThrottle):
    """Wrong tokens per client address (scope ``failed_token``): only failures are counted."""

    scope = "failed_token"

    def get_cache_key(self, request, view=None):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}

    def is_blocked(self, request) -> bool:
        if self.rate is None:
            return False
        self.key = self.get_cache_key(request)
        self.history = self.cache.get(self.key, [])
        self.now = self.timer()
        while self.history and self.history[-1] <= self.now - self.duration:
            self.history.pop()
        return len(self.history) >= self.num_requests

    def record_failure(self):
        """After is_blocked(request) said no."""
        if self.rate is not None:
            self.throttle_success()


class ThrottledTokenAuthentication(TokenAuthentication):
    """``Authorization: Token <key>``, answered 429 to an address that has sent too many wrong tokens
    (FailedTokenThrottle); see the module's docstring."""

    def authenticate(self, request):
        header = get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        failures = FailedTokenThrottle()
        if failures.is_blocked(request):
            raise exceptions.Throttled(wait=failures.wait())
        try:
            return super().authenticate(request)
        except exceptions.AuthenticationFailed:
            failures.record_failure()
            raise
