"""Core settings: paths, DEBUG and the secret key, hosts, apps, middleware, templates, files.

The other modules of this package each configure one integration and import from here what
they depend on; `portal.settings.base` puts them together.
"""

from pathlib import Path

from portal.env import BASE_DIR, env
from portal.settings.secret_key import secret_key


def _path(name: str, default: Path) -> Path:
    return Path(env.str(name, default=str(default)))


VAR_DIR = _path("VAR_DIR", BASE_DIR / "var")

# --- Core -------------------------------------------------------------------------------
DEBUG = env.bool("DEBUG", default=True)
ENVIRONMENT = env.str("ENVIRONMENT", default="dev" if DEBUG else "prod")

# From the environment; in development without it, a random key kept in VAR_DIR/secret_key.
SECRET_KEY = secret_key(given=env.str("SECRET_KEY", default=""), debug=DEBUG, var_dir=VAR_DIR)

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_NAME = env.str("SITE_NAME", default="Team Task Portal")
# Where people reach the portal: the start of the links in emails sent by background jobs
# (notifications, digests), which have no request to take the address from.
PORTAL_URL = env.str("PORTAL_URL", default="http://127.0.0.1:8000").rstrip("/")
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
    "django_q",
    "csp",
    "rest_framework",
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
    "portal.events",
    "portal.webhooks",
    "portal.adminkit",
    "portal.teams",
    "portal.tasks",
    # files on tasks and comments (docs/attachments.md); beside the job runner it uses
    "portal.attachments",
    # after the outbox and the tasks it names: made from their events at dispatch time
    "portal.notifications",
    # a person's named filters of a team's task pages (docs/team-pages.md#saved-views)
    "portal.savedviews",
    "portal.jobs",
    "portal.spreadsheets",
    "portal.api",
    "portal.reports",
    "portal.adminsite",
    # the team pages (docs/team-pages.md); htmx requests are told apart by django-htmx
    "django_htmx",
    "portal.pages",
    "portal.demo",
    # After the portal's apps, so the spreadsheets app's `import` and `export` commands (which
    # act as a person, through the selectors and services) replace import-export's.
    "import_export",
]
# Development tools (`manage.py benchmark`, the demo fixture builder): commands only, no models
# or URLs; on while DEBUG is, off in production unless asked for (DEVTOOLS=true).
DEVTOOLS = env.bool("DEVTOOLS", default=DEBUG)
if DEVTOOLS:
    INSTALLED_APPS.insert(INSTALLED_APPS.index("import_export"), "portal.devtools")
# The API list's floor as a URL (/devtools/floor/tasks/, for `make wrk`): it answers without
# sign-in, so it is off unless asked for, and only with the development tools.
DEVTOOLS_FLOOR_VIEW = DEVTOOLS and env.bool("DEVTOOLS_FLOOR_VIEW", default=False)

MIDDLEWARE = [
    # Before anything reads them: forwarded headers only from TRUSTED_PROXIES (portal/core/proxies.py).
    "portal.core.proxies.ForwardedHeadersMiddleware",
    # First: probes are answered before host checks and HTTPS redirects (portal/core/health.py).
    "portal.core.health.HealthCheckMiddleware",
    # Request id, user id and timing for every log line (portal/core/logging.py).
    "portal.core.logging.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    # Exports and other downloads are never cached (portal/core/middleware.py).
    "portal.core.middleware.PrivateDownloadMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Read-your-writes with a read replica: after a write, stay on the primary a moment
    # (portal/core/replica.py; does nothing without DATABASE_REPLICA_URL).
    "portal.core.replica.ReplicaPinMiddleware",
    # Times in each person's own time zone, when they chose one (portal/core/middleware.py).
    "portal.core.middleware.PersonTimeZoneMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # The portal's also replaces the SAMEORIGIN that unfold's admin views set (see
    # portal/core/middleware.py); Django's stays listed for `check --deploy` (security.W002).
    "portal.core.middleware.FrameOptionsMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # NUL characters in a query string are refused on every door (portal/core/middleware.py).
    "portal.core.middleware.RejectNulQueryMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last: turns a locked-out login attempt into a 429 page (portal/settings/accounts.py).
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

# --- Internationalisation ---------------------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True
# Dates Django writes itself follow the portal's one format (portal/core/dates.py).
FORMAT_MODULE_PATH = ["portal.formats"]

# --- Static and media -------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = _path("STATIC_ROOT", VAR_DIR / "staticfiles")
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

# --- Domain settings --------------------------------------------------------------------
ARCHIVE_RETENTION_DAYS = env.int("ARCHIVE_RETENTION_DAYS", default=30)
DAILY_SUMMARY_HOUR = env.int("DAILY_SUMMARY_HOUR", default=7)

# --- Spreadsheet import and export (docs/spreadsheets.md) -------------------------------
SPREADSHEET_MAX_UPLOAD_MB = env.float("SPREADSHEET_MAX_UPLOAD_MB", default=10)
SPREADSHEET_MAX_ROWS = env.int("SPREADSHEET_MAX_ROWS", default=50_000)
# Imports and exports with more rows than this run as background jobs.
SPREADSHEET_BACKGROUND_ROWS = env.int("SPREADSHEET_BACKGROUND_ROWS", default=1_000)
# Export files written by jobs (SHARED_DIR/exports/) are deleted after this many days.
SPREADSHEET_EXPORT_RETENTION_DAYS = env.int("SPREADSHEET_EXPORT_RETENTION_DAYS", default=7)
