"""The Redis cache backend keeps one client per connection pool (exportai/cache.py) and still reads,
writes and deletes through it."""

import os

from exportai.cache import RedisCache

# The Redis the tests' broker and cache use (scripts/test_env.py), a database of this test's own.
LOCATION = "redis://127.0.0.1:6379/9"


def test_redis_cache_reuses_one_client_for_every_operation():
    cache = RedisCache(LOCATION, {"KEY_PREFIX": f"test-redis-cache-{os.getpid()}"})
    try:
        first = cache._cache.get_client(write=True)
        cache.set("answer", {"n": 42}, 30)
        assert cache.get("answer") == {"n": 42}
        assert cache._cache.get_client() is first and cache._cache.get_client(write=True) is first
        assert cache.delete("answer") is True and cache.get("answer") is None
    finally:
        cache.delete("answer")
        cache.close()


def test_the_portal_uses_it_when_the_cache_url_is_redis(settings):
    cache = settings.CACHES["default"]
    assert cache["BACKEND"] != "django.core.cache.backends.redis.RedisCache"
    if str(cache.get("LOCATION", "")).startswith("redis://"):
        assert cache["BACKEND"] == "exportai.cache.RedisCache"
