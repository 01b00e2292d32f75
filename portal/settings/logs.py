"""Logging: JSON lines on stdout (plain text by default in development), and a rotating JSON
file as well when LOG_FILE is set. Every line carries request_id, user_id and job_id
(portal/core/logging.py)."""

from django.core.exceptions import ImproperlyConfigured

from portal.core.logging import build_logging
from portal.env import env
from portal.settings.core import DEBUG

LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
LOG_FORMAT = env.str("LOG_FORMAT", default="plain" if DEBUG else "json")
if LOG_FORMAT not in ("json", "plain"):
    raise ImproperlyConfigured("LOG_FORMAT must be 'json' or 'plain'.")
LOG_FILE = env.str("LOG_FILE", default="")
# A line for every static file served (a page pulls dozens); failures are logged anyway.
LOG_STATIC_REQUESTS = env.bool("LOG_STATIC_REQUESTS", default=False)
LOGGING = build_logging(
    level=LOG_LEVEL,
    fmt=LOG_FORMAT,
    log_file=LOG_FILE,
    max_bytes=env.int("LOG_FILE_MAX_BYTES", default=10 * 1024 * 1024),
    backups=env.int("LOG_FILE_BACKUPS", default=5),
)
