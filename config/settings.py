"""Settings for the CPPCC proposal tracker, read from the environment.

DATABASE_URL defaults to an SQLite file beside manage.py; PostgreSQL is one
variable away (postgres://user@host:5432/name).
"""
import datetime
import sys
from pathlib import Path

import environ
from csp.constants import NONCE, NONE, SELF, UNSAFE_INLINE

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env(
    DJANGO_ALLOWED_HOSTS=(list, ["127.0.0.1", "localhost"]),
    DJANGO_SECURE_SSL_REDIRECT=(bool, True),
)

# A deployment provides DJANGO_SECRET_KEY and so runs with DEBUG off unless told otherwise;
# a development checkout provides nothing and runs with DEBUG on and an insecure key.
_secret_key = env("DJANGO_SECRET_KEY", default="")
DEBUG = env.bool("DJANGO_DEBUG", default=not _secret_key)
if _secret_key:
    SECRET_KEY = _secret_key
elif DEBUG:
    SECRET_KEY = "insecure-dev-key-only-for-debug-mode-do-not-deploy"
else:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off.")

ALLOWED_HOSTS = env("DJANGO_ALLOWED_HOSTS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "csp",
    "proposals",
    "replies",
    "notifications",
    "portal",
    "workspace",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Static files (the portal's stylesheet, the admin's) straight from the app server, compressed
    # and with far-future caching of the hashed names when the manifest storage is on (STORAGES).
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "config.middleware.PermissionsPolicyMiddleware",
    "config.middleware.PrivateCacheForAuthenticatedMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # What the public reads from the API, kept for PUBLIC_API_CACHE_SECONDS (after the language is
    # known, before authentication and the views).
    "config.public_cache.PublicAPICacheMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a refused login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"].setdefault("ATOMIC_REQUESTS", False)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite has one write lock for the whole file. A DEFERRED transaction (Django's default) reads
    # first and must then upgrade its lock to write, which SQLite refuses at once ("database is
    # locked") when another writer is busy. An IMMEDIATE one takes the write lock when it begins,
    # so a second writer waits for the first to commit, up to ``timeout`` seconds; past that the
    # admin and the API answer 503 "busy". Both can be set in the URL (sqlite:///db.sqlite3?timeout=5).
    _sqlite_options = DATABASES["default"].setdefault("OPTIONS", {})
    _sqlite_options.setdefault("transaction_mode", "IMMEDIATE")
    _sqlite_options.setdefault("timeout", 20)
else:
    # A connection per request cost about a third of the server's capacity in a load test (issue 13):
    # keep each worker's connection for a while (DJANGO_CONN_MAX_AGE seconds; 0 closes it after every
    # request) and check it is alive before reusing it. `?conn_max_age=` in DATABASE_URL wins.
    if "conn_max_age" not in env("DATABASE_URL", default=""):
        DATABASES["default"]["CONN_MAX_AGE"] = env.int("DJANGO_CONN_MAX_AGE", default=60)
    DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Throttling (REST_FRAMEWORK below) counts requests in the cache: a table of the database by default
# (`manage.py createcachetable`, run by `make run`; a test database gets it when Django creates it),
# Redis when REDIS_URL is set.
REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "tracker_cache"}}

# API lists count exactly up to this many rows; past it (PostgreSQL) the count is the planner's
# estimate, flagged "count_estimated" (proposals/api/pagination.py). 0: always exact.
API_EXACT_COUNT_LIMIT = env.int("DJANGO_API_EXACT_COUNT_LIMIT", default=10_000)

# Anonymous GETs of the API are answered from the cache for this long (config/public_cache.py); 0: never.
PUBLIC_API_CACHE_SECONDS = env.int("DJANGO_PUBLIC_API_CACHE_SECONDS", default=30)

# django-axes first: it refuses a locked-out username before the password is even checked, and
# grants no permission (proposals.roles keeps its one-query fast path with it).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# The Nth wrong password in a row for one username locks that username, on the admin's login and on
# the API's (/api/auth/login/), for the cool-off time; a successful login starts the count again.
# By username, not by address: the offices share a few addresses behind NAT. Staff see and delete
# lockouts in the admin (Axes › Access attempts).
AXES_FAILURE_LIMIT = env.int("DJANGO_LOGIN_FAILURE_LIMIT", default=6)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env.int("DJANGO_LOGIN_COOLOFF_MINUTES", default=30))
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# Axes warns when addresses are not locked too; locking one would lock a whole office behind its NAT.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]

# How many reverse proxies stand before the app: 0 means the client address is REMOTE_ADDR and an
# X-Forwarded-For header (which anyone can send) is ignored by the throttles and by Axes' log.
NUM_PROXIES = env.int("DJANGO_NUM_PROXIES", default=0)
AXES_IPWARE_PROXY_COUNT = NUM_PROXIES or None
AXES_IPWARE_META_PRECEDENCE_ORDER = ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR") if NUM_PROXIES else ("REMOTE_ADDR",)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# Hashed, compressed file names (WhiteNoise's manifest storage) in production only: that storage
# needs `manage.py collectstatic` first, which neither a development checkout nor the tests run
# (a page naming a file missing from the manifest is a 500). DJANGO_STATIC_MANIFEST=0 turns it off
# (a benchmark, a production-like run without collectstatic), =1 forces it.
_testing = "pytest" in sys.modules or sys.argv[1:2] == ["test"]
_static_manifest = env.bool("DJANGO_STATIC_MANIFEST", default=not DEBUG and not _testing)
# Without collectstatic (development, tests) WhiteNoise looks files up per request instead of
# indexing STATIC_ROOT once, which does not exist there.
WHITENOISE_AUTOREFRESH = DEBUG or _testing
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage" if _static_manifest
                    else "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

LOGIN_URL = "admin:login"

REST_FRAMEWORK = {
    # Token first: its WWW-Authenticate header makes a request that needs a login (an anonymous
    # write, a bad token) a 401, which tells a script to authenticate; a logged-in user who may
    # see but not do gets a 403. Sessions serve the browsable API after logging in.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "proposals.api.throttling.ThrottledTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["proposals.api.permissions.ReadOrAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["proposals.api.filters.TrackerFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "proposals.api.schema.TrackerAutoSchema",
    "DEFAULT_PAGINATION_CLASS": "proposals.api.pagination.TrackerPagination",
    "PAGE_SIZE": 20,
    "EXCEPTION_HANDLER": "proposals.api.errors.tracker_exception_handler",
    # JSON nested deeper than proposals.api.parsers.MAX_DEPTH is a 400 "too_deep", not a RecursionError.
    "DEFAULT_PARSER_CLASSES": [
        "proposals.api.parsers.DepthLimitedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_RENDERER_CLASSES": [
        "proposals.api.renderers.FastJSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    # Rates per address (anonymous) or per user; exports (?format=csv|xlsx) have a stricter scope of their
    # own, and so do bad tokens (proposals.api.throttling explains why that one sits in authentication).
    "DEFAULT_THROTTLE_CLASSES": [
        "proposals.api.throttling.AnonymousRateThrottle",
        "proposals.api.throttling.UserRateThrottle",
        "proposals.api.throttling.ExportRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env("DJANGO_THROTTLE_ANON", default="300/minute"),
        "user": env("DJANGO_THROTTLE_USER", default="1200/minute"),
        "export": env("DJANGO_THROTTLE_EXPORT", default="60/hour"),
        "failed_token": env("DJANGO_THROTTLE_FAILED_TOKEN", default="60/hour"),
    },
    "NUM_PROXIES": NUM_PROXIES,
}

# Export jobs (proposals.exports, run by `manage.py run_export_jobs`): lists past a synchronous
# export's cap (EXPORT_MAX_ROWS, proposals.api.export) are written to files under EXPORT_ROOT.
EXPORT_ROOT = Path(env("EXPORT_ROOT", default=str(BASE_DIR / "var" / "exports")))
EXPORT_JOB_MAX_PENDING = env.int("EXPORT_JOB_MAX_PENDING", default=3)  # unfinished jobs per user or address
EXPORT_JOB_MAX_ROWS = env.int("EXPORT_JOB_MAX_ROWS", default=2_000_000)
EXPORT_JOB_KEEP_HOURS = env.int("EXPORT_JOB_KEEP_HOURS", default=24)  # a finished file, then deleted
EXPORT_JOB_TIMEOUT_MINUTES = env.int("EXPORT_JOB_TIMEOUT_MINUTES", default=60)  # running longer: failed

# E-mail (notifications, sent by `manage.py send_notifications`). Without EMAIL_HOST nothing leaves
# the machine: each message is written as a file under EMAIL_FILE_PATH (default var/mail/), where a
# person can read what would have been sent. With EMAIL_HOST set, mail goes out by SMTP.
EMAIL_HOST = env("EMAIL_HOST", default="")
EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.smtp.EmailBackend" if EMAIL_HOST
                    else "django.core.mail.backends.filebased.EmailBackend")
EMAIL_FILE_PATH = env("EMAIL_FILE_PATH", default=str(BASE_DIR / "var" / "mail"))
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)  # STARTTLS, usually port 587
EMAIL_USE_SSL = env.bool("EMAIL_USE_SSL", default=False)  # implicit TLS, usually port 465
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=20)  # seconds; a hung server fails one message, not the run
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="tracker@localhost")
# Notifications (notifications.delivery): a failed message is tried again after 1, 2, 4 … times
# NOTIFICATION_RETRY_SECONDS, at most NOTIFICATION_MAX_ATTEMPTS times, then flagged for staff.
NOTIFICATION_MAX_ATTEMPTS = env.int("NOTIFICATION_MAX_ATTEMPTS", default=5)
NOTIFICATION_RETRY_SECONDS = env.int("NOTIFICATION_RETRY_SECONDS", default=60)
NOTIFICATION_DIGEST_TIME = env("NOTIFICATION_DIGEST_TIME", default="08:00")  # local time of the daily digest
# The address of the tracker as its users reach it: the links in mails are this plus the page's path.
NOTIFICATION_SITE_URL = env("NOTIFICATION_SITE_URL", default="http://127.0.0.1:8000")

SPECTACULAR_SETTINGS = {
    "TITLE": "CPPCC proposal tracker API(政协提案办理系统接口)",
    "DESCRIPTION": (
        "Proposals, assignments, replies and feedback of CPPCC committees. Lists are paged "
        "(?page, ?page_size; ?pagination=cursor for large sets), filtered by the parameters shown, and "
        "downloadable with ?format=csv or ?format=xlsx. Errors: 400 (field and reason), 401 (log in or send a "
        "valid token), 403 (visible but not allowed), 404 (absent or not visible), 409 (changed under the request), "
        "429 (too many requests, or too many wrong tokens from one address: wait Retry-After seconds). "
        "Authenticate with a session or "
        "with the header 'Authorization: Token <key>' (tokens are issued by staff in the admin)."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    # No validator badge: it is an image from validator.swagger.io, sent the schema's address.
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Every operation also documents the errors the shared layers give it (proposals.api.schema).
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums",
                             "proposals.api.schema.document_common_errors"],
    "ENUM_NAME_OVERRIDES": {
        "ProposalStatusEnum": "proposals.models.Proposal.Status",
        "AssignmentStatusEnum": "proposals.models.Assignment.Status",
        "ReplyStatusEnum": "replies.models.Reply.Status",
        "ProposerKindEnum": "proposals.models.Proposer.Kind",
        "CalendarDayKindEnum": "proposals.models.CalendarDay.Kind",
        "ReplyKindEnum": "replies.models.Reply.Kind",
        "NotificationKindEnum": "notifications.models.Notification.Kind",
    },
}

# Default deadline rules (../shared/domain.md); every committee and session may override them.
TRACKER_DEFAULT_RULES = {
    "reply_months": 3,
    "reply_max_months": 6,
    "co_opinion_months": 1,
    "objection_working_days": 5,
    "feedback_working_days": 15,
    "rehandle_months": 1,
    # Re-handling after 不满意 has its own cap on extensions, counted from the dissatisfied rating.
    "rehandle_max_months": 2,
    # Co-signing invitations are answered within this many working days.
    "cosign_working_days": 3,
    # A period that ends on a rest day moves to the next working day (Civil Code art. 203).
    "rest_day_shift": True,
    # Whether a missing co-handling opinion blocks the lead's reply (default: warn, not block).
    "opinion_blocks_reply": False,
    # Reminders (notifications.reminders, manage.py remind): on these working days before a reply, a
    # co-handling opinion, an objection window's end and a feedback window's end ([] for none), and
    # on the day itself. Past due by this many working days, the agency, the staff and a key
    # proposal's supervising leader are told (0 for never).
    "remind_reply_working_days": [10, 3],
    "remind_opinion_working_days": [10, 3],
    "remind_objection_working_days": [2],
    "remind_feedback_working_days": [3],
    "escalate_after_working_days": 5,
}

# Content-Security-Policy (django-csp): everything from the site itself. Scripts: files only, except
# the Swagger UI's inline start-up script, which carries the response's nonce
# (templates/drf_spectacular/swagger_ui.html). Styles may be inline: the admin, DRF's pages and ReDoc
# write style attributes and <style> elements. ReDoc runs its search in a worker built from a blob.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "worker-src": [SELF, "blob:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
# Browser features the tracker never uses, switched off for every page (config.middleware).
PERMISSIONS_POLICY = {feature: "()" for feature in (
    "accelerometer", "camera", "geolocation", "gyroscope", "magnetometer", "microphone", "payment", "usb")}
SECURE_REFERRER_POLICY = "same-origin"

if not DEBUG:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env("DJANGO_SECURE_SSL_REDIRECT")
    # A load balancer asks each app server over plain HTTP (config.health).
    SECURE_REDIRECT_EXEMPT = [r"^health/$"]
    SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", default="WARNING")},
}
