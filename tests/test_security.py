"""Issue 9, items 4 and 8: brute-force protection (login lockout, API throttling), security headers,
and demo users only in a debug install."""
import datetime
import io
import json
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from replies.demo import DEMO_USERS
from replies.models import SourceDocument
from tests.api_support import client_for
from tests.factories import UserFactory, staff_user

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "correct-horse-battery-9"
LOGIN_PAGES = ["/admin/login/", "/api/auth/login/"]

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Every login attempt here checks a password: the production hasher would make this file slow."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def clerk():
    user = UserFactory(username="clerk", is_staff=True)
    user.set_password(PASSWORD)
    user.save()
    return user


def post_login(client, page, username, password):
    return client.post(page, {"username": username, "password": password, "next": "/admin/"})


def logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def rates(settings, **changed):
    """Override some of the API's throttle rates for one test."""
    framework = dict(settings.REST_FRAMEWORK)
    framework["DEFAULT_THROTTLE_RATES"] = {**framework["DEFAULT_THROTTLE_RATES"], **changed}
    settings.REST_FRAMEWORK = framework


def settings_in_a_fresh_process(**env) -> dict:
    """The settings module read by a new process with the given environment (nothing else DJANGO_/REDIS_)."""
    base = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "REDIS_"))}
    base.update(env)
    code = ("import json; from django.conf import settings as s; "
            "print(json.dumps({'cooloff': s.AXES_COOLOFF_TIME.total_seconds(), 'limit': s.AXES_FAILURE_LIMIT, "
            "'rates': s.REST_FRAMEWORK['DEFAULT_THROTTLE_RATES'], 'cache': s.CACHES['default']}))")
    result = subprocess.run([sys.executable, "manage.py", "shell", "-c", code], cwd=ROOT, env=base,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


# --- Login lockout (django-axes) ------------------------------------------------------------------

@pytest.mark.parametrize("page", LOGIN_PAGES)
def test_five_wrong_passwords_then_the_right_one_still_logs_in(client, clerk, page):
    for _ in range(5):
        assert post_login(client, page, "clerk", "wrong").status_code == 200
    assert post_login(client, page, "clerk", PASSWORD).status_code == 302
    assert logged_in(client)


@pytest.mark.parametrize("page", LOGIN_PAGES)
def test_the_sixth_wrong_password_locks_the_username_even_against_the_right_one(client, clerk, page):
    for _ in range(5):
        post_login(client, page, "clerk", "wrong")
    sixth = post_login(client, page, "clerk", "wrong")
    assert sixth.status_code == 429
    right = post_login(client, page, "clerk", PASSWORD)
    assert right.status_code == 429
    assert not logged_in(client)
    page_text = right.content.decode()
    assert "登录失败次数过多" in page_text and "30 分钟" in page_text and "clerk" in page_text


def test_fifty_wrong_passwords_then_the_right_one_does_not_log_in(client, clerk):
    for _ in range(50):
        post_login(client, "/admin/login/", "clerk", "wrong")
    assert post_login(client, "/admin/login/", "clerk", PASSWORD).status_code == 429
    assert not logged_in(client)


def test_a_success_resets_the_count_of_wrong_passwords(client, clerk):
    for _ in range(5):
        post_login(client, "/admin/login/", "clerk", "wrong")
    assert post_login(client, "/admin/login/", "clerk", PASSWORD).status_code == 302
    client.logout()
    for _ in range(5):
        post_login(client, "/admin/login/", "clerk", "wrong")
    assert post_login(client, "/admin/login/", "clerk", PASSWORD).status_code == 302


def test_the_lock_is_per_username(client, clerk):
    other = UserFactory(username="typist")
    other.set_password(PASSWORD)
    other.save()
    for _ in range(6):
        post_login(client, "/admin/login/", "clerk", "wrong")
    assert post_login(Client(), "/admin/login/", "typist", PASSWORD).status_code == 302


def test_a_locked_username_logs_in_again_after_the_cool_off_time(client, clerk, settings):
    from axes.models import AccessAttempt

    for _ in range(6):
        post_login(client, "/admin/login/", "clerk", "wrong")
    assert post_login(client, "/admin/login/", "clerk", PASSWORD).status_code == 429
    cooled_off = timezone.now() - settings.AXES_COOLOFF_TIME - datetime.timedelta(seconds=1)
    AccessAttempt.objects.filter(username="clerk").update(attempt_time=cooled_off)
    assert post_login(client, "/admin/login/", "clerk", PASSWORD).status_code == 302


def test_staff_see_and_can_lift_lockouts_in_the_admin(client, clerk):
    from axes.models import AccessAttempt

    for _ in range(6):
        post_login(Client(), "/admin/login/", "clerk", "wrong")
    client.force_login(UserFactory(username="chief", is_staff=True, is_superuser=True))
    listing = client.get("/admin/axes/accessattempt/")
    assert listing.status_code == 200
    assert "clerk" in listing.content.decode()
    assert post_login(Client(), "/admin/login/", "clerk", PASSWORD).status_code == 429
    attempt = AccessAttempt.objects.get(username="clerk")
    assert client.post(f"/admin/axes/accessattempt/{attempt.pk}/delete/", {"post": "yes"}).status_code == 302
    assert post_login(Client(), "/admin/login/", "clerk", PASSWORD).status_code == 302


def test_the_lockout_pages_of_the_admin_are_in_the_readers_language(client, clerk, settings):
    """django-axes ships no Simplified Chinese: locale/zh_Hans carries its admin texts."""
    for _ in range(6):
        post_login(Client(), "/admin/login/", "clerk", "wrong")
    client.force_login(UserFactory(username="chief", is_staff=True, is_superuser=True))
    chinese = client.get("/admin/axes/accessattempt/").content.decode()
    assert "登录尝试" in chinese and "失败次数" in chinese and "已锁定" in chinese
    assert "access attempt" not in chinese.lower() and "Failed Logins" not in chinese
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = client.get("/admin/axes/accessattempt/").content.decode()
    assert "access attempts" in english.lower() and "Failed Logins" in english


def test_lockout_settings_come_from_the_environment_with_defaults():
    defaults = settings_in_a_fresh_process()
    assert defaults["cooloff"] == 30 * 60 and defaults["limit"] == 6
    chosen = settings_in_a_fresh_process(DJANGO_LOGIN_COOLOFF_MINUTES="5", DJANGO_LOGIN_FAILURE_LIMIT="10")
    assert chosen["cooloff"] == 5 * 60 and chosen["limit"] == 10


# --- API throttling (DRF) -------------------------------------------------------------------------

def random_token_client(remote_addr="203.0.113.7") -> APIClient:
    client = client_for(None)
    client.credentials(HTTP_AUTHORIZATION=f"Token {secrets.token_hex(20)}", REMOTE_ADDR=remote_addr)
    return client


def test_two_hundred_random_tokens_from_one_address_end_in_429():
    codes = [random_token_client().get("/api/committees/").status_code for _ in range(200)]
    assert set(codes) == {401, 429}
    first_429 = codes.index(429)
    assert set(codes[:first_429]) == {401} and set(codes[first_429:]) == {429}
    assert first_429 <= 100


def test_a_blocked_address_is_refused_even_with_a_valid_token_and_others_are_not(settings, clerk):
    rates(settings, failed_token="3/hour")
    key = Token.objects.create(user=clerk).key
    for _ in range(3):
        assert random_token_client().get("/api/committees/").status_code == 401
    blocked = random_token_client()
    blocked.credentials(HTTP_AUTHORIZATION=f"Token {key}", REMOTE_ADDR="203.0.113.7")
    refused = blocked.get("/api/committees/")
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    elsewhere = client_for(None)
    elsewhere.credentials(HTTP_AUTHORIZATION=f"Token {key}", REMOTE_ADDR="198.51.100.2")
    assert elsewhere.get("/api/committees/").status_code == 200


def test_a_forged_forwarded_for_header_does_not_escape_the_token_throttle(settings):
    rates(settings, failed_token="3/hour")
    codes = []
    for n in range(6):
        client = random_token_client()
        client.credentials(HTTP_AUTHORIZATION=f"Token {secrets.token_hex(20)}", REMOTE_ADDR="203.0.113.7",
                           HTTP_X_FORWARDED_FOR=f"10.0.0.{n}")
        codes.append(client.get("/api/committees/").status_code)
    assert codes == [401, 401, 401, 429, 429, 429]


def test_anonymous_requests_are_throttled_per_address(settings):
    rates(settings, anon="3/minute")
    client = client_for(None)
    assert [client.get("/api/committees/").status_code for _ in range(4)] == [200, 200, 200, 429]
    other = client_for(None)
    other.defaults["REMOTE_ADDR"] = "198.51.100.2"
    assert other.get("/api/committees/").status_code == 200


def test_each_user_has_a_rate_of_its_own(settings, clerk):
    rates(settings, user="3/minute", anon="1/minute")
    client = client_for(clerk)
    assert [client.get("/api/committees/").status_code for _ in range(4)] == [200, 200, 200, 429]
    assert client_for(UserFactory(username="typist")).get("/api/committees/").status_code == 200


def test_exports_have_a_stricter_rate_than_lists(settings):
    rates(settings, export="2/minute")
    client = client_for(staff_user())
    assert client.get("/api/committees/", {"format": "csv"}).status_code == 200
    assert client.get("/api/committees/", {"format": "xlsx"}).status_code == 200
    refused = client.get("/api/committees/", {"format": "csv"})
    assert refused.status_code == 429 and refused["Content-Type"] == "application/json"
    assert all(client.get("/api/committees/").status_code == 200 for _ in range(5))


def test_default_rates_are_generous_and_come_from_the_environment():
    def per_minute(rate):
        count, period = rate.split("/")
        return int(count) * {"s": 60, "m": 1, "h": 1 / 60, "d": 1 / 1440}[period[0]]

    defaults = settings_in_a_fresh_process()["rates"]
    assert per_minute(defaults["anon"]) >= 60 and per_minute(defaults["user"]) >= 300
    assert per_minute(defaults["export"]) < per_minute(defaults["user"])
    chosen = settings_in_a_fresh_process(DJANGO_THROTTLE_ANON="7/minute", DJANGO_THROTTLE_USER="8/minute",
                                         DJANGO_THROTTLE_EXPORT="9/hour", DJANGO_THROTTLE_FAILED_TOKEN="10/hour")
    assert chosen == {**chosen, "rates": {"anon": "7/minute", "user": "8/minute", "export": "9/hour",
                                          "failed_token": "10/hour"}}


def test_the_cache_is_the_database_unless_redis_url_is_set():
    assert settings_in_a_fresh_process()["cache"]["BACKEND"] == "django.core.cache.backends.db.DatabaseCache"
    redis = settings_in_a_fresh_process(REDIS_URL="redis://cache.internal:6379/2")["cache"]
    assert redis == {**redis, "BACKEND": "django.core.cache.backends.redis.RedisCache",
                     "LOCATION": "redis://cache.internal:6379/2"}
    import redis as redis_client  # the package RedisCache needs is installed from requirements.txt

    assert redis_client.Redis


def test_throttling_works_on_the_database_cache_table(settings):
    """The suite runs on an in-memory cache (tests/conftest.py); the default database cache needs its
    table, which the test database gets from createcachetable."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache",
                                   "LOCATION": "tracker_cache"}}
    rates(settings, anon="2/minute")
    client = client_for(None)
    assert [client.get("/api/committees/").status_code for _ in range(3)] == [200, 200, 429]


# --- Security headers -----------------------------------------------------------------------------

PAGES = ["/admin/login/", "/api/", "/api/schema/swagger/", "/api/schema/redoc/", "/api/auth/login/"]


def csp_of(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


@pytest.mark.parametrize("page", PAGES)
def test_pages_carry_a_self_only_content_security_policy(client, page):
    response = client.get(page, HTTP_ACCEPT="text/html")
    assert response.status_code == 200
    policy = csp_of(response)
    assert policy["default-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"]
    sources = [source for values in policy.values() for source in values]
    assert not [s for s in sources if "://" in s or s == "*" or s == "'unsafe-eval'"], sources
    assert "'unsafe-inline'" not in policy["script-src"]


@pytest.mark.parametrize("page", PAGES)
def test_every_script_and_stylesheet_of_a_page_is_allowed_by_its_policy(client, page):
    """Scripts come from the site itself or carry the response's nonce (the Swagger UI's inline start-up
    script); nothing is loaded from another origin (the sidecar serves Swagger UI and ReDoc)."""
    response = client.get(page, HTTP_ACCEPT="text/html")
    html = response.content.decode()
    nonce = re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"])
    for tag in re.findall(r"<script\b[^>]*>", html):
        if 'type="application/json"' in tag:
            continue  # data, not code
        source = re.search(r'src="([^"]*)"', tag)
        if source:
            assert source.group(1).startswith("/"), tag
        else:
            assert nonce and f'nonce="{nonce.group(1)}"' in tag, tag
    for url in re.findall(r'<link\b[^>]*href="([^"]*)"', html):
        assert url.startswith("/"), url


def test_the_swagger_ui_start_up_script_is_inline_with_a_nonce(client):
    response = client.get("/api/schema/swagger/")
    nonce = re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"]).group(1)
    assert re.search(rf'<script nonce="{re.escape(nonce)}">\s*\S', response.content.decode())
    assert client.get("/api/schema/swagger/")["Content-Security-Policy"] != response["Content-Security-Policy"]


def test_the_swagger_ui_sends_the_schema_to_no_outside_validator(client):
    """Swagger UI's default shows a badge loaded from validator.swagger.io with the schema's address."""
    assert re.search(r'"validatorUrl": null', client.get("/api/schema/swagger/").content.decode())


@pytest.mark.parametrize("page", ["/admin/login/", "/api/committees/"])
def test_permissions_and_referrer_policies(client, page):
    response = client.get(page)
    features = dict(item.split("=") for item in response["Permissions-Policy"].split(", "))
    assert {"camera", "microphone", "geolocation", "payment", "usb"} <= set(features)
    assert set(features.values()) == {"()"}
    assert response["Referrer-Policy"] == "same-origin"
    assert "Server" not in response


def test_a_token_response_is_private_and_varies_on_authorization(clerk):
    client = client_for(None)
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=clerk).key}")
    response = client.get("/api/committees/")
    assert response.status_code == 200
    assert "private" in response["Cache-Control"]
    assert {"Authorization", "Cookie"} <= {v.strip() for v in response["Vary"].split(",")}


def test_a_session_response_is_private(client, clerk):
    client.force_login(clerk)
    response = client.get("/api/committees/")
    assert "private" in response["Cache-Control"]
    assert {"Authorization", "Cookie"} <= {v.strip() for v in response["Vary"].split(",")}


def test_an_anonymous_response_stays_cacheable(client):
    response = client.get("/api/committees/")
    assert "private" not in response.get("Cache-Control", "")


def test_a_no_store_response_is_left_as_it_is():
    from config.middleware import PrivateCacheForAuthenticatedMiddleware

    def no_store_view(request):
        response = HttpResponse("x")
        response["Cache-Control"] = "no-store"
        return response

    request = RequestFactory().get("/", HTTP_AUTHORIZATION="Token abc")
    response = PrivateCacheForAuthenticatedMiddleware(no_store_view)(request)
    assert response["Cache-Control"] == "no-store"
    assert "Authorization" in response["Vary"]


# --- Demo users only in a debug install -----------------------------------------------------------

def test_setup_demo_loads_the_corpus_but_no_demo_users_when_debug_is_off(settings):
    settings.DEBUG = False
    err = io.StringIO()
    call_command("setup_demo", stdout=io.StringIO(), stderr=err)
    assert SourceDocument.objects.count() == 5
    assert not get_user_model().objects.filter(username__in=DEMO_USERS).exists()
    assert "--force" in err.getvalue()


def test_setup_demo_creates_the_demo_users_when_debug_is_off_and_forced(settings):
    settings.DEBUG = False
    call_command("setup_demo", "--force", stdout=io.StringIO())
    assert set(get_user_model().objects.filter(username__in=DEMO_USERS).values_list("username", flat=True)) == set(
        DEMO_USERS)


def test_setup_demo_creates_the_demo_users_in_a_debug_install(settings):
    settings.DEBUG = True
    call_command("setup_demo", stdout=io.StringIO())
    assert get_user_model().objects.filter(username__in=DEMO_USERS).count() == len(DEMO_USERS)
