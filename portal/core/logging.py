"""Structured logs: JSON lines that carry the request id, user id and job id.

Three context variables hold what every log line should say about where it came from:

- ``request_id`` and ``user_id`` are set by :class:`RequestLogMiddleware` for the length of a
  request (the id comes from a well-formed ``X-Request-ID`` header, or is made up, and is sent
  back in the response header of the same name);
- ``job_id`` is set by background jobs with :func:`job_context`::

      from portal.core.logging import job_context

      def daily_summary(job_id):
          with job_context(job_id):
              logger.info("summary written")   # -> {"job_id": "...", ...}

:class:`ContextFilter` copies them onto every record, so any logger (Django's, a library's,
the portal's) gets them without passing ``extra=``. The settings attach the filter to the
handlers and pick the formatter (JSON in production, plain text in development).
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from contextvars import ContextVar
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.functional import SimpleLazyObject, empty
from pythonjsonlogger.json import JsonFormatter as _JsonFormatter

request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)
user_id_var: ContextVar[int | None] = ContextVar("user_id", default=None)
# The request being answered, so lines logged inside a view get the user id once the user is
# known (session users by AuthenticationMiddleware, API users by DRF inside the view).
request_var: ContextVar[object | None] = ContextVar("request", default=None)
job_id_var: ContextVar[str | None] = ContextVar("job_id", default=None)

REQUEST_ID_HEADER = "X-Request-ID"
# A client or proxy may pass its own id; anything else is replaced, so logs cannot be forged
# with newlines or made huge through the header.
_REQUEST_ID_RE = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")

request_logger = logging.getLogger("portal.request")

CONTEXT_FIELDS = ("request_id", "user_id", "job_id")
JSON_FIELDS = ["asctime", "levelname", "name", "message"]


def _known_user_id(request) -> int | None:
    """The signed-in user's id if it was already looked up; never queries the database
    (logging must not cause queries, and a query would log again)."""
    user = request.__dict__.get("user")
    if isinstance(user, SimpleLazyObject):
        wrapped = user.__dict__.get("_wrapped", empty)
        user = getattr(request, "_cached_user", None) if wrapped is empty else wrapped
    if user is not None and getattr(user, "is_authenticated", False):
        return user.pk
    return None


class ContextFilter(logging.Filter):
    """Add request_id, user_id and job_id (``None`` when unset) to every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "request_id", None) is None:
            record.request_id = request_id_var.get()
        if getattr(record, "user_id", None) is None:
            user_id = user_id_var.get()
            request = request_var.get()
            if user_id is None and request is not None:
                user_id = _known_user_id(request)
            record.user_id = user_id
        if getattr(record, "job_id", None) is None:
            record.job_id = job_id_var.get()
        return True


class JsonFormatter(_JsonFormatter):
    """One JSON object per line: time, level, logger, message, context and any ``extra``."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "rename_fields", {"asctime": "time", "levelname": "level", "name": "logger"}
        )
        kwargs.setdefault("datefmt", "%Y-%m-%dT%H:%M:%S%z")
        super().__init__(JSON_FIELDS, *args, **kwargs)


@contextmanager
def job_context(job_id: object) -> Iterator[None]:
    """Tag every log line written inside the block with ``job_id``."""
    token = job_id_var.set(str(job_id))
    try:
        yield
    finally:
        job_id_var.reset(token)


def _incoming_request_id(request) -> str:
    candidate = request.headers.get(REQUEST_ID_HEADER, "")
    if _REQUEST_ID_RE.match(candidate):
        return candidate
    return uuid.uuid4().hex


def _is_quiet(request, status: int) -> bool:
    """Static files served successfully are not logged unless LOG_STATIC_REQUESTS is on
    (a page pulls dozens); a static file that fails still is."""
    if status >= 400 or getattr(settings, "LOG_STATIC_REQUESTS", False):
        return False
    static = urlsplit(settings.STATIC_URL or "").path
    return bool(static) and static != "/" and request.path.startswith(static)


class RequestLogMiddleware:
    """Give each request an id and write one log line when it is answered.

    Placed first in MIDDLEWARE so the duration covers the whole stack and the id is known to
    every other middleware. The user id is read after the view ran (JWT authentication happens
    inside DRF views, not in middleware). Successful static file requests are left out
    unless LOG_STATIC_REQUESTS is on.
    """

    def __init__(self, get_response: Callable):
        self.get_response = get_response

    def __call__(self, request):
        request_id = _incoming_request_id(request)
        request.request_id = request_id
        rid_token = request_id_var.set(request_id)
        uid_token = user_id_var.set(None)
        req_token = request_var.set(request)
        started = time.monotonic()
        status = 500
        try:
            response = self.get_response(request)
            status = response.status_code
            response[REQUEST_ID_HEADER] = request_id
            return response
        finally:
            user_id_var.set(_known_user_id(request))
            duration_ms = round((time.monotonic() - started) * 1000, 1)
            if not _is_quiet(request, status):
                request_logger.info(
                    "%s %s %s",
                    request.method,
                    request.path,
                    status,
                    extra={
                        "method": request.method,
                        "path": request.path,
                        "status": status,
                        "duration_ms": duration_ms,
                    },
                )
            request_var.reset(req_token)
            user_id_var.reset(uid_token)
            request_id_var.reset(rid_token)


def build_logging(
    *, level: str, fmt: str, log_file: str = "", max_bytes: int = 0, backups: int = 0
) -> dict:
    """The LOGGING dict: stdout always, a rotating file as well when ``log_file`` is set."""
    handlers: dict[str, dict] = {
        "console": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": fmt,
            "filters": ["context"],
        }
    }
    if log_file:
        handlers["file"] = {
            "class": "logging.handlers.RotatingFileHandler",
            "filename": log_file,
            "maxBytes": max_bytes,
            "backupCount": backups,
            "encoding": "utf-8",
            "formatter": "json",
            "filters": ["context"],
        }
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"context": {"()": "portal.core.logging.ContextFilter"}},
        "formatters": {
            "json": {"()": "portal.core.logging.JsonFormatter"},
            "plain": {
                "format": "%(asctime)s %(levelname)s %(name)s [req=%(request_id)s "
                "user=%(user_id)s job=%(job_id)s] %(message)s"
            },
        },
        "handlers": handlers,
        "root": {"handlers": list(handlers), "level": level},
        "loggers": {
            # Django's own request logger repeats what portal.request says (4xx/5xx lines);
            # keep its errors (with tracebacks) but not its warnings.
            "django.request": {"level": "ERROR"},
            # runserver's access log would be a second line for every request (portal.request
            # writes the one line, with the request id and user; django.request the errors).
            "django.server": {"handlers": [], "level": "CRITICAL", "propagate": False},
            # django-axes: failures and lockouts (warnings), not its per-attempt chatter; its
            # start-up banner is off too (AXES_VERBOSE).
            "axes": {"level": "WARNING"},
            "django.db.backends": {"level": "INFO"},
            "django_q": {"level": level},
        },
    }


def gunicorn_logger_class():
    """gunicorn's logger with JSON lines for its error log and access log.

    Defined lazily so importing this module never needs gunicorn (the worker and tests do
    not run it).
    """
    from gunicorn.glogging import Logger

    class JsonGunicornLogger(Logger):
        def setup(self, cfg):
            super().setup(cfg)
            formatter = JsonFormatter()
            for log in (self.error_log, self.access_log):
                for handler in log.handlers:
                    handler.setFormatter(formatter)
                    if not any(isinstance(f, ContextFilter) for f in handler.filters):
                        handler.addFilter(ContextFilter())

        def access(self, resp, req, environ, request_time):
            if not self.access_log_enabled:
                return
            headers = dict((k.lower(), v) for k, v in (resp.headers or []))
            status = resp.status
            if isinstance(status, str):
                status = status.split(None, 1)[0]
            with suppress(TypeError, ValueError):
                status = int(status)
            self.access_log.info(
                "access",
                extra={
                    "method": environ.get("REQUEST_METHOD"),
                    "path": environ.get("PATH_INFO"),
                    "status": status,
                    "duration_ms": round(request_time.total_seconds() * 1000, 1),
                    "remote_addr": environ.get("REMOTE_ADDR"),
                    "user_agent": environ.get("HTTP_USER_AGENT"),
                    "request_id": headers.get(REQUEST_ID_HEADER.lower()),
                },
            )

    return JsonGunicornLogger
