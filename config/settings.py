"""Settings for the CPPCC proposal tracker, read from the environment.

DATABASE_URL defaults to an SQLite file beside manage.py; PostgreSQL is one
variable away (postgres://user@host:5432/name).
"""
from pathlib import Path

import environ

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
    "proposals",
    "replies",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
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

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

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

LOGIN_URL = "admin:login"

REST_FRAMEWORK = {
    # Token first: its WWW-Authenticate header makes a request that needs a login (an anonymous
    # write, a bad token) a 401, which tells a script to authenticate; a logged-in user who may
    # see but not do gets a 403. Sessions serve the browsable API after logging in.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["proposals.api.permissions.ReadOrAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["proposals.api.filters.TrackerFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "proposals.api.pagination.TrackerPagination",
    "PAGE_SIZE": 20,
    "EXCEPTION_HANDLER": "proposals.api.errors.tracker_exception_handler",
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "CPPCC proposal tracker API(政协提案办理系统接口)",
    "DESCRIPTION": (
        "Proposals, assignments, replies and feedback of CPPCC committees. Lists are paged "
        "(?page, ?page_size; ?pagination=cursor for large sets), filtered by the parameters shown, and "
        "downloadable with ?format=csv or ?format=xlsx. Errors: 400 (field and reason), 401 (log in or send a "
        "valid token), 403 (visible but not allowed), 404 (absent or not visible), 409 (changed under the request). "
        "Authenticate with a session or "
        "with the header 'Authorization: Token <key>' (tokens are issued by staff in the admin)."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "ProposalStatusEnum": "proposals.models.Proposal.Status",
        "AssignmentStatusEnum": "proposals.models.Assignment.Status",
        "ReplyStatusEnum": "replies.models.Reply.Status",
        "ProposerKindEnum": "proposals.models.Proposer.Kind",
        "CalendarDayKindEnum": "proposals.models.CalendarDay.Kind",
        "ReplyKindEnum": "replies.models.Reply.Kind",
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
}

if not DEBUG:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env("DJANGO_SECURE_SSL_REDIRECT")
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
