"""Liveness and readiness.

``/healthz`` answers 200 while the process can serve a request at all (no dependencies), so
an orchestrator restarts only a process that is really stuck. ``/readyz`` checks what the
portal needs to do useful work - the database, Redis, the cache and a recent heartbeat from
a django-q2 cluster - and answers 503 with a JSON body naming what is down, so a proxy or
load balancer stops sending traffic without anyone restarting a healthy process.

Both are answered by :class:`HealthCheckMiddleware` at the top of the middleware stack: a
container probe calls ``http://127.0.0.1:8000/healthz`` with a Host header that is not in
ALLOWED_HOSTS and without the proxy's ``X-Forwarded-Proto``, and must get an answer instead
of a 400 or an HTTPS redirect. Their answers still get the headers every response gets
(nosniff, referrer and opener policies, X-Frame-Options, the Content-Security-Policy and, over
HTTPS, HSTS): the response side of those middlewares runs on them.
"""

from __future__ import annotations

import logging
import secrets
import socket
import time
from collections.abc import Callable

from csp.middleware import CSPMiddleware
from django.conf import settings
from django.core.cache import cache
from django.db import connections
from django.http import HttpRequest, HttpResponseNotAllowed, JsonResponse
from django.middleware.security import SecurityMiddleware

from portal.core.middleware import FrameOptionsMiddleware

logger = logging.getLogger(__name__)

OK = "ok"
DOWN = "down"
# A check that cannot be made in this configuration (no Redis set, or a cluster heartbeat
# the web process cannot see); it does not make the portal unready.
SKIPPED = "skipped"

NO_CLUSTER = "no django-q2 cluster has reported a heartbeat"
CLUSTER_NOT_VISIBLE = (
    "cluster heartbeats are kept in the cache, which is local to each process "
    "(set REDIS_URL to share it)"
)

HEALTH_PATHS = {"/healthz", "/healthz/"}
READY_PATHS = {"/readyz", "/readyz/"}


def _timed(fn: Callable[[], dict | None]) -> dict:
    started = time.monotonic()
    try:
        result = fn() or {}
        result.setdefault("status", OK)
    except Exception as exc:  # a check reports any failure; it never raises
        logger.warning("readiness check failed: %s", exc, exc_info=True)
        result = {"status": DOWN, "error": type(exc).__name__}
    result["ms"] = round((time.monotonic() - started) * 1000, 1)
    return result


def check_database() -> dict | None:
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return None


def _redis_client():
    import redis

    timeout = settings.HEALTH_CHECK_TIMEOUT
    return redis.Redis.from_url(
        settings.REDIS_URL, socket_connect_timeout=timeout, socket_timeout=timeout
    )


def check_redis() -> dict | None:
    if not settings.REDIS_URL:
        return {"status": SKIPPED, "detail": "REDIS_URL is not set"}
    client = _redis_client()
    try:
        client.ping()
    finally:
        client.close()
    return None


def check_cache() -> dict | None:
    key = f"health:{socket.gethostname()}"
    token = secrets.token_hex(8)
    cache.set(key, token, 30)
    if cache.get(key) != token:
        raise RuntimeError("cache did not return the value just written")
    return None


def _cluster_stats_visible() -> bool:
    """Whether another process's cluster heartbeat can reach this process at all."""
    from django_q.conf import Conf

    if not Conf.ORM:
        return True  # the Redis broker keeps heartbeats in Redis itself
    # The ORM broker keeps them in Django's cache, shared only if the cache is.
    backend = settings.CACHES[Conf.CACHE]["BACKEND"]
    return not backend.endswith(("LocMemCache", "DummyCache"))


def cluster_stats(host: str | None = None) -> list:
    """Heartbeats of running clusters (django-q2 refreshes each every cycle with a 3 s expiry)."""
    from django_q.conf import Conf
    from django_q.status import Stat

    alive = {Conf.STARTING, Conf.IDLE, Conf.WORKING}
    return [
        stat
        for stat in Stat.get_all()
        if stat.status in alive and (host is None or stat.host == host)
    ]


def check_cluster() -> dict | None:
    if not _cluster_stats_visible():
        return {"status": SKIPPED, "detail": CLUSTER_NOT_VISIBLE}
    stats = cluster_stats()
    if not stats:
        return {"status": DOWN, "error": NO_CLUSTER}
    return {"clusters": len(stats), "workers": sum(len(s.workers) for s in stats)}


CHECKS: dict[str, Callable[[], dict | None]] = {
    "database": check_database,
    "redis": check_redis,
    "cache": check_cache,
    "cluster": check_cluster,
}


def run_checks() -> dict:
    results = {name: _timed(check) for name, check in CHECKS.items()}
    down = [name for name, result in results.items() if result["status"] == DOWN]
    return {"status": DOWN if down else OK, "down": down, "checks": results}


def _no_store(response: JsonResponse) -> JsonResponse:
    response["Cache-Control"] = "no-store"
    return response


def healthz(request: HttpRequest) -> JsonResponse:
    return _no_store(JsonResponse({"status": OK}))


def readyz(request: HttpRequest) -> JsonResponse:
    report = run_checks()
    status = 503 if report["down"] else 200
    if status != 200:
        logger.warning("not ready: %s", ", ".join(report["down"]), extra={"down": report["down"]})
    return _no_store(JsonResponse(report, status=status))


class HealthCheckMiddleware:
    """Answer the probes before host validation, HTTPS redirects and sessions run."""

    def __init__(self, get_response: Callable):
        self.get_response = get_response
        # Only their process_response runs here: no HTTPS redirect, no host check.
        self.headers = [
            middleware(get_response)
            for middleware in (SecurityMiddleware, CSPMiddleware, FrameOptionsMiddleware)
        ]

    def __call__(self, request: HttpRequest):
        path = request.path_info
        if path in HEALTH_PATHS or path in READY_PATHS:
            if request.method not in ("GET", "HEAD"):
                response = HttpResponseNotAllowed(["GET", "HEAD"])
            else:
                response = healthz(request) if path in HEALTH_PATHS else readyz(request)
            for middleware in self.headers:
                response = middleware.process_response(request, response)
            return response
        return self.get_response(request)
