"""A shared cache for what the public reads from the API (issue 13).

Anonymous readers are most of the API's traffic and all of them see the same thing (the
visibility policy gives everyone without a role the same rows and fields). An answer to an
anonymous GET under /api/ is kept in the cache (Redis when REDIS_URL is set, else the database's
cache table) for settings.PUBLIC_API_CACHE_SECONDS and served from there to the next anonymous
reader of the same address, query, language and format, without running the view again. Each kept
answer carries an entity tag of its bytes; a reader that sends it back in If-None-Match gets a 304.

Never kept or served from the cache: a request with an Authorization header or a session cookie
(it may be someone's), anything but GET and HEAD, an answer other than 200 JSON, a streamed one
(exports), one that sets a cookie or says private or no-store. An answer is at most that many
seconds old: a reply just published appears to the public within them (the portal's pages keep
their figures the same way). The throttles count the requests that reach the view: one served
from the cache costs a cache read.
"""
from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse, HttpResponseNotModified
from django.utils.cache import patch_cache_control, patch_vary_headers

PREFIX = "public-api:"
KEPT_HEADERS = ("Content-Type", "Content-Language", "ETag", "Allow")


def _cacheable_request(request) -> bool:
    return (request.method in ("GET", "HEAD") and request.path.startswith("/api/")
            and "HTTP_AUTHORIZATION" not in request.META and settings.SESSION_COOKIE_NAME not in request.COOKIES)


def _key(request) -> str:
    language = getattr(request, "LANGUAGE_CODE", settings.LANGUAGE_CODE)
    raw = "\n".join((request.get_full_path(), language, request.META.get("HTTP_ACCEPT", "")))
    return PREFIX + hashlib.sha256(raw.encode()).hexdigest()


def _cacheable_response(response) -> bool:
    control = response.get("Cache-Control", "")
    return (response.status_code == 200 and not response.streaming and not response.cookies
            and response.get("Content-Type", "").startswith("application/json")
            and "private" not in control and "no-store" not in control and "no-cache" not in control)


def _not_modified(request, etag: str) -> bool:
    sent = request.META.get("HTTP_IF_NONE_MATCH", "")
    return bool(sent) and (sent.strip() == "*" or etag in {tag.strip() for tag in sent.split(",")})


class PublicAPICacheMiddleware:
    """After LocaleMiddleware (the language is part of the key), before everything that may read
    the user: a kept answer is returned before authentication, throttles and the view."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        seconds = getattr(settings, "PUBLIC_API_CACHE_SECONDS", 0)
        if not seconds or not _cacheable_request(request):
            return self.get_response(request)
        key = _key(request)
        kept = cache.get(key)
        if kept is not None:
            return self._answer(request, kept, seconds, hit=True)
        response = self.get_response(request)
        if request.method != "GET" or not _cacheable_response(response):
            return response
        content = response.content
        headers = {name: response[name] for name in KEPT_HEADERS if response.has_header(name)}
        headers["ETag"] = 'W/"%s"' % hashlib.sha256(content).hexdigest()[:32]
        kept = {"content": content, "headers": headers}
        cache.set(key, kept, seconds)
        return self._answer(request, kept, seconds, hit=False)

    def _answer(self, request, kept: dict, seconds: int, *, hit: bool):
        if _not_modified(request, kept["headers"]["ETag"]):
            response = HttpResponseNotModified()
            response["ETag"] = kept["headers"]["ETag"]
        else:
            response = HttpResponse(kept["content"] if request.method == "GET" else b"", status=200)
            for name, value in kept["headers"].items():
                response[name] = value
        patch_cache_control(response, public=True, max_age=seconds)
        patch_vary_headers(response, ("Accept", "Accept-Language", "Authorization", "Cookie"))
        response["X-Cache"] = "hit" if hit else "miss"
        return response
