"""Base settings: environment-driven, with embedded defaults for a single machine.

Nothing here exists only in production: production differs by environment variables
(see .env.example and docs/operations.md).
"""

from datetime import timedelta
from pathlib import Path
from urllib.parse import urlparse

from csp.constants import NONCE
from django.core.exceptions import ImproperlyConfigured

from portal.core.logging import build_logging
from portal.env import BASE_DIR, env


def _path(name: str, default: Path) -> Path:
    return Path(env.str(name, default=str(default)))


VAR_DIR = _path("VAR_DIR", BASE_DIR / "var")

# --- Core -------------------------------------------------------------------------------
DEBUG = env.bool("DEBUG", default=True)
ENVIRONMENT = env.str("ENVIRONMENT", default="dev" if DEBUG else "prod")

_secret = env.str("SECRET_KEY", default="")
if not _secret:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set when DEBUG is off (generate one with "
            "`python -c 'import secrets; print(secrets.token_urlsafe(50))'`)."
        )
    # Development only: a fixed, clearly marked key so sessions survive restarts.
    _secret = "dev-insecure-key-do-not-use-in-production-0123456789abcdefghijklmnop"
SECRET_KEY = _secret

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_NAME = env.str("SITE_NAME", default="Team Task Portal")
SITE_ID = 1

INSTALLED_APPS = [
    # unfold and its contrib apps must come before django.contrib.admin. unfold's basic config
    # leaves `admin.site` alone so the portal's own site (PortalAdminConfig) becomes the default.
    "unfold.apps.BasicAppConfig",
    "unfold.contrib.filters",
    "unfold.contrib.forms",
    "unfold.contrib.inlines",
    "unfold.contrib.import_export",
    "unfold.contrib.simple_history",
    "portal.adminsite.apps.PortalAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    # third party
    "simple_history",
    "import_export",
    "django_q",
    "csp",
    "rest_framework",
    "rest_framework.authtoken",
    "rest_framework_simplejwt",
    "rest_framework_simplejwt.token_blacklist",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "dj_rest_auth",
    "dj_rest_auth.registration",
    "axes",
    # the portal's own apps
    "portal.core",
    "portal.accounts",
    "portal.teams",
    "portal.tasks",
    "portal.jobs",
    "portal.api",
    "portal.reports",
    "portal.adminsite",
]

MIDDLEWARE = [
    # First: probes are answered before host checks and HTTPS redirects (portal/core/health.py).
    "portal.core.health.HealthCheckMiddleware",
    # Request id, user id and timing for every log line (portal/core/logging.py).
    "portal.core.logging.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last: turns a locked-out login attempt into a 429 page (see AXES_* below).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"
ASGI_APPLICATION = "portal.asgi.application"

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
                # unfold's look for the allauth pages under /accounts/.
                "portal.accounts.context_processors.unfold_site",
            ],
        },
    },
]

# --- Database ---------------------------------------------------------------------------
# No DATABASE_URL: a SQLite file under var/. DATABASE_URL=postgres://... -> PostgreSQL (psycopg 3).
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'portal.sqlite3'}")
}
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DB_CONN_MAX_AGE", default=60))
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several processes (web + qcluster) share the file: wait for locks instead of failing.
    DATABASES["default"].setdefault("OPTIONS", {}).update({"timeout": 20})
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache and Redis --------------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            # Redis being away means cache misses, not errors (portal/core/cache.py).
            "BACKEND": "portal.core.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="portal"),
            # Fail fast when Redis is unreachable rather than hold a request.
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Auth -------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # django-axes first: refuses logins while a client or account is cooling off.
    "portal.accounts.backends.LockoutBackend",
    # allauth's backend logs in by username or email (admin and API too).
    "allauth.account.auth_backends.AuthenticationBackend",
]
# One set of password rules for every door (admin, allauth, API).
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 8},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "portal.accounts.validators.CharacterClassValidator"},
    {"NAME": "portal.accounts.validators.NotContainingUsernameValidator"},
]
LOGIN_URL = "/accounts/login/"
# After signing in (allauth): where `next` says, otherwise the team pages.
LOGIN_REDIRECT_URL = "/teams/"
LOGOUT_REDIRECT_URL = "/accounts/login/"

# --- allauth ----------------------------------------------------------------------------
ACCOUNT_LOGIN_METHODS = {"username", "email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "username*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = env.str("ACCOUNT_EMAIL_VERIFICATION", default="none")
ACCOUNT_ALLOW_SIGNUP = env.bool("ACCOUNT_ALLOW_SIGNUP", default=True)
ACCOUNT_ADAPTER = "portal.accounts.adapter.AccountAdapter"
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
# Failed logins are limited by django-axes for every door (below); allauth keeps its other limits.
ACCOUNT_RATE_LIMITS = {"login_failed": False}

# --- Brute-force protection (django-axes): admin, allauth and API logins ------------------
# After AXES_FAILURE_LIMIT failures from one IP address or against one account, logins from that
# IP / for that account are refused (HTTP 429) until AXES_COOLOFF_MINUTES have passed.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=10)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = ["ip_address", "username"]
# Attempts during a lockout do not extend it, so nobody can keep an account locked for good.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_CALLABLE = "portal.accounts.lockout.username_for_lockout"
AXES_LOCKOUT_TEMPLATE = "account/lockout.html"
AXES_COOLOFF_MESSAGE = "Too many failed sign-in attempts. Try again in a few minutes."
# Behind N reverse proxies set TRUSTED_PROXY_COUNT=N so X-Forwarded-For gives the client address.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
AXES_CLIENT_IP_CALLABLE = "portal.accounts.lockout.client_ip"

# --- Internationalisation ---------------------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

# --- Static and media -------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = _path("STATIC_ROOT", BASE_DIR / "var" / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = _path("MEDIA_ROOT", VAR_DIR / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": env.str(
            "STATICFILES_BACKEND",
            default="whitenoise.storage.CompressedManifestStaticFilesStorage"
            if not DEBUG
            else "django.contrib.staticfiles.storage.StaticFilesStorage",
        )
    },
}
# Shared folder for summaries and exports (compose mounts a volume at /shared).
SHARED_DIR = _path("SHARED_DIR", VAR_DIR / "shared")

# --- Email ------------------------------------------------------------------------------
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="portal@localhost")
if env.str("EMAIL_URL", default=""):
    globals().update(env.email_url("EMAIL_URL"))

# --- django-q2 --------------------------------------------------------------------------
Q_CLUSTER = {
    "name": env.str("Q_CLUSTER_NAME", default="portal"),
    "workers": env.int("Q_WORKERS", default=2),
    # Finite timeout; retry must exceed it or a slow task is handed out twice.
    "timeout": env.int("Q_TIMEOUT", default=600),
    "retry": env.int("Q_RETRY", default=660),
    "max_attempts": env.int("Q_MAX_ATTEMPTS", default=3),
    "ack_failures": True,
    "catch_up": False,
    "save_limit": env.int("Q_SAVE_LIMIT", default=1000),
    "label": "Background queue",
}
if REDIS_URL:
    _redis = urlparse(REDIS_URL)
    Q_CLUSTER["redis"] = {
        "host": _redis.hostname or "127.0.0.1",
        "port": _redis.port or 6379,
        "db": int((_redis.path or "/0").lstrip("/") or 0),
        "password": _redis.password,
    }
else:
    Q_CLUSTER["orm"] = "default"

# --- Domain settings --------------------------------------------------------------------
ARCHIVE_RETENTION_DAYS = env.int("ARCHIVE_RETENTION_DAYS", default=30)
DAILY_SUMMARY_HOUR = env.int("DAILY_SUMMARY_HOUR", default=7)

# --- Background jobs (portal.jobs, docs/jobs.md) ----------------------------------------
# A running job writes a heartbeat every JOBS_HEARTBEAT_SECONDS; the watchdog (every
# JOBS_WATCHDOG_MINUTES) re-queues a job whose heartbeat is older than JOBS_STALE_SECONDS, or
# that has waited in the queue longer than JOBS_QUEUED_STALE_SECONDS (the broker lost it).
JOBS_HEARTBEAT_SECONDS = env.float("JOBS_HEARTBEAT_SECONDS", default=10)
JOBS_STALE_SECONDS = env.float("JOBS_STALE_SECONDS", default=60)
JOBS_QUEUED_STALE_SECONDS = env.float("JOBS_QUEUED_STALE_SECONDS", default=600)
JOBS_MAX_ATTEMPTS = env.int("JOBS_MAX_ATTEMPTS", default=3)
JOBS_MAX_ENQUEUES = env.int("JOBS_MAX_ENQUEUES", default=5)
JOBS_WATCHDOG_MINUTES = env.int("JOBS_WATCHDOG_MINUTES", default=2)
JOBS_RECORD_RETENTION_DAYS = env.int("JOBS_RECORD_RETENTION_DAYS", default=90)
OVERDUE_REMINDER_LOOKBACK_DAYS = env.int("OVERDUE_REMINDER_LOOKBACK_DAYS", default=7)

# --- REST API ---------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # JWT first: a call without credentials gets 401, not 403.
        "rest_framework_simplejwt.authentication.JWTAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "portal.api.pagination.PagePagination",
    "PAGE_SIZE": 25,
    "EXCEPTION_HANDLER": "portal.api.exceptions.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": [
        "portal.api.throttles.AnonThrottle",
        "portal.api.throttles.UserThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env.str("API_THROTTLE_ANON", default="100/min"),
        "user": env.str("API_THROTTLE_USER", default="1000/min"),
        # Per client address, on the doors that take a password or send an email.
        "login": env.str("API_THROTTLE_LOGIN", default="20/min"),
        "registration": env.str("API_THROTTLE_REGISTRATION", default="10/hour"),
        "password_reset": env.str("API_THROTTLE_PASSWORD_RESET", default="10/hour"),
    },
}
SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=env.int("JWT_ACCESS_MINUTES", default=15)),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=env.int("JWT_REFRESH_DAYS", default=7)),
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    "UPDATE_LAST_LOGIN": True,
}
REST_AUTH = {
    "USE_JWT": True,
    "JWT_AUTH_HTTPONLY": False,
    "JWT_AUTH_COOKIE": "portal-access",
    "JWT_AUTH_REFRESH_COOKIE": "portal-refresh",
    # API clients carry the bearer token only; no session is opened by the API login.
    "SESSION_LOGIN": False,
    "OLD_PASSWORD_FIELD_ENABLED": True,
    "LOGOUT_ON_PASSWORD_CHANGE": False,
    "USER_DETAILS_SERIALIZER": "portal.api.serializers.ProfileSerializer",
    "REGISTER_SERIALIZER": "portal.api.serializers.RegisterSerializer",
    "PASSWORD_RESET_SERIALIZER": "portal.api.serializers.PasswordResetSerializer",
}
SPECTACULAR_SETTINGS = {
    "TITLE": f"{SITE_NAME} API",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "portal.api.schema.add_error_responses",
    ],
    "ENUM_NAME_OVERRIDES": {
        "TaskStatusEnum": "portal.tasks.models.Status",
        "TaskPriorityEnum": "portal.tasks.models.Priority",
        "RoleEnum": "portal.teams.models.Role",
    },
}

# --- Admin (unfold) ---------------------------------------------------------------------
UNFOLD = {
    "SITE_TITLE": SITE_NAME,
    "SITE_HEADER": SITE_NAME,
    "SITE_SYMBOL": "task_alt",
    "SITE_FAVICONS": [
        {
            "rel": "icon",
            "sizes": "any",
            "type": "image/svg+xml",
            "href": "/static/portal/favicon.svg",
        }
    ],
    "ENVIRONMENT": "portal.adminsite.navigation.environment_callback",
    "DASHBOARD_CALLBACK": "portal.adminsite.dashboard.dashboard_callback",
    "SHOW_HISTORY": True,
    "SHOW_VIEW_ON_SITE": False,
    "SIDEBAR": {
        "show_search": True,
        "show_all_applications": False,
        "navigation": "portal.adminsite.navigation.sidebar_navigation",
    },
    "COLORS": {
        "primary": {
            "50": "oklch(97.5% .02 265)",
            "100": "oklch(94.5% .04 265)",
            "200": "oklch(89% .08 265)",
            "300": "oklch(81% .13 265)",
            "400": "oklch(71% .18 265)",
            "500": "oklch(62% .21 265)",
            "600": "oklch(54% .22 265)",
            "700": "oklch(47% .2 265)",
            "800": "oklch(40% .16 265)",
            "900": "oklch(36% .13 265)",
            "950": "oklch(26% .09 265)",
        },
    },
}

# --- Security (HTTPS behind a proxy, cookies, headers, CSP) ------------------------------
# Production (DEBUG off) defaults are the safe ones; each can be turned off by its variable
# (e.g. to try the compose stack over plain HTTP). See docs/operations.md.
# The TLS proxy in front must set X-Forwarded-Proto (and overwrite any the client sent).
if env.bool("BEHIND_TLS_PROXY", default=not DEBUG):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
SESSION_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
REST_AUTH["JWT_AUTH_SECURE"] = SESSION_COOKIE_SECURE
REST_AUTH.setdefault("JWT_AUTH_SAMESITE", "Lax")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
HEALTH_CHECK_TIMEOUT = env.float("HEALTH_CHECK_TIMEOUT", default=2.0)

# Content-Security-Policy (django-csp 4). Only this origin; no inline scripts except those
# carrying the per-response nonce (the API docs' start-up scripts, templates/drf_spectacular/).
# The admin's Alpine.js evaluates x-data/@click expressions with `new Function`, which needs
# 'unsafe-eval'; unfold, Swagger UI and ReDoc set inline styles, which need 'unsafe-inline'
# for styles (not scripts). ReDoc runs its search index in a blob: worker and shows Redocly's
# logo from cdn.redoc.ly (the page works without it; allowed so it logs no violation).
_csp = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", "'unsafe-eval'", NONCE],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:", "https://cdn.redoc.ly"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "worker-src": ["'self'", "blob:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
if env.bool("CSP_REPORT_ONLY", default=False):
    CONTENT_SECURITY_POLICY_REPORT_ONLY = _csp
else:
    CONTENT_SECURITY_POLICY = _csp

# --- Logging ----------------------------------------------------------------------------
# JSON lines on stdout (plain text by default in development); a rotating JSON file as well
# when LOG_FILE is set. Every line carries request_id, user_id and job_id (portal/core/logging.py).
LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
LOG_FORMAT = env.str("LOG_FORMAT", default="plain" if DEBUG else "json")
if LOG_FORMAT not in ("json", "plain"):
    raise ImproperlyConfigured("LOG_FORMAT must be 'json' or 'plain'.")
LOG_FILE = env.str("LOG_FILE", default="")
LOGGING = build_logging(
    level=LOG_LEVEL,
    fmt=LOG_FORMAT,
    log_file=LOG_FILE,
    max_bytes=env.int("LOG_FILE_MAX_BYTES", default=10 * 1024 * 1024),
    backups=env.int("LOG_FILE_BACKUPS", default=5),
)

# --- Team pages (portal.pages, docs/team-pages.md) --------------------------------------
# A door like the admin and the API: htmx requests are told apart by django-htmx.
INSTALLED_APPS += ["django_htmx", "portal.pages"]
MIDDLEWARE += ["django_htmx.middleware.HtmxMiddleware"]
