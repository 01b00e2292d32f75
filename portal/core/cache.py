"""A Redis cache that turns an unreachable Redis into cache misses instead of errors.

The cache only speeds things up and counts API rates; nothing the portal stores lives only
there. Without this, a Redis restart would turn every API request into a 500 (the rate
limits read the cache on every call). With it, requests keep being answered from the
database while Redis is away - rate limits are not counted meanwhile - and /readyz reports
the cache as down (its probe cannot read back what it wrote), so operators still see it.
"""

from __future__ import annotations

import functools
import logging
import time

import redis
from django.core.cache.backends.redis import RedisCache, RedisCacheClient

logger = logging.getLogger(__name__)

UNREACHABLE = "cache unreachable, carrying on without it: %s"
_ERRORS = (redis.ConnectionError, redis.TimeoutError)
# One warning per this many seconds, not one per request, while Redis is away.
_WARN_EVERY = 30.0
_last_warning = 0.0


def _warn(exc: Exception) -> None:
    global _last_warning
    now = time.monotonic()
    if now - _last_warning >= _WARN_EVERY:
        _last_warning = now
        logger.warning(UNREACHABLE, exc)


def _degrade(fallback):
    """Wrap a cache method: on a connection error, log (throttled) and return `fallback(...)`."""

    def decorator(method):
        @functools.wraps(method)
        def wrapper(self, *args, **kwargs):
            try:
                return method(self, *args, **kwargs)
            except _ERRORS as exc:
                _warn(exc)
                return fallback(*args, **kwargs)

        return wrapper

    return decorator


class _ReusedClients(RedisCacheClient):
    """Django makes a new redis-py client for every cache call (~0.1 ms each: redis-py sets up
    its response callbacks per client; the API's rate limits make two calls a request). A
    client is a thin, thread-safe handle on its connection pool: one per pool does."""

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        clients = self.__dict__.setdefault("_clients", {})
        client = clients.get(id(pool))
        if client is None:
            client = clients[id(pool)] = self._client(connection_pool=pool)
        return client


class ResilientRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = _ReusedClients

    add = _degrade(lambda *a, **k: False)(RedisCache.add)
    get = _degrade(lambda key, default=None, *a, **k: default)(RedisCache.get)
    set = _degrade(lambda *a, **k: None)(RedisCache.set)
    touch = _degrade(lambda *a, **k: False)(RedisCache.touch)
    delete = _degrade(lambda *a, **k: False)(RedisCache.delete)
    get_many = _degrade(lambda *a, **k: {})(RedisCache.get_many)
    has_key = _degrade(lambda *a, **k: False)(RedisCache.has_key)
    set_many = _degrade(lambda data, *a, **k: list(data))(RedisCache.set_many)
    delete_many = _degrade(lambda *a, **k: None)(RedisCache.delete_many)
    # incr/decr and clear keep raising: a caller counting on them must know they failed.


def first_in_window(key: str, seconds: float) -> bool:
    """True for the first caller of `key` within `seconds`, across processes: what folds a
    burst of "start the job now" messages into one. A cache that is not shared between the web
    and worker processes (the embedded local-memory cache) cannot say that - the worker could
    not clear the web process's key - so there every caller is first."""
    from django.core.cache import caches
    from django.core.cache.backends.dummy import DummyCache
    from django.core.cache.backends.locmem import LocMemCache

    cache = caches["default"]
    if isinstance(cache, LocMemCache | DummyCache):
        return True
    return cache.add(key, 1, timeout=seconds)
