"""The Redis cache degrades to misses when Redis is unreachable, and works when it is there."""

import pytest
from django.core.cache.backends.redis import RedisCache

from portal.core.cache import ResilientRedisCache
from tests.deploy.servers import RedisServer, free_port


def _cache(port: int) -> ResilientRedisCache:
    return ResilientRedisCache(
        f"redis://127.0.0.1:{port}/0",
        {"KEY_PREFIX": "cache-test", "OPTIONS": {"socket_connect_timeout": 1}},
    )


def test_unreachable_redis_means_misses_not_errors():
    cache = _cache(free_port())  # nothing listens there
    assert cache.get("k") is None
    assert cache.get("k", "fallback") == "fallback"
    assert cache.get("k", default=3) == 3
    cache.set("k", 1)
    assert cache.add("k", 1) is False
    assert cache.get_many(["a", "b"]) == {}
    assert cache.has_key("k") is False
    assert cache.set_many({"a": 1, "b": 2}) == ["a", "b"]
    assert cache.delete("k") is False
    # Counters must not pretend to have counted.
    with pytest.raises(Exception) as excinfo:
        cache.incr("k")
    assert "connect" in str(excinfo.value).lower()
    assert isinstance(cache, RedisCache)


def test_reachable_redis_behaves_as_a_normal_cache(tmp_path):
    server = RedisServer(tmp_path).start()
    try:
        cache = _cache(server.port)
        cache.set("k", {"n": 1}, 30)
        assert cache.get("k") == {"n": 1}
        assert cache.add("k", 2) is False
        assert cache.get_many(["k", "missing"]) == {"k": {"n": 1}}
        assert cache.add("counter", 0) is True
        assert cache.incr("counter") == 1
        server.stop()
        assert cache.get("k", "gone") == "gone"
    finally:
        server.stop()
