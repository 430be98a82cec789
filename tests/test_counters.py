"""The expiring counters behind the public link's rate limit: a window starts at the first hit
and is not stretched by later ones, on Redis (one round trip) and on the in-process cache that
`make run` uses without Redis."""

from __future__ import annotations

import time
import uuid

import pytest
from django.core.cache import caches

from nps_platform.counters import RedisCache, window_hit

LOCMEM = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}


def _counts_in_a_window():
    key = f"hits-{uuid.uuid4().hex}"
    assert [window_hit(key, 2) for _ in range(3)] == [1, 2, 3]
    time.sleep(1.2)
    assert window_hit(key, 2) == 4  # later hits do not restart the window...
    time.sleep(1.0)
    assert window_hit(key, 2) == 1  # ...which ended two seconds after the first
    assert window_hit(f"other-{key}", 2) == 1


def test_window_on_redis():
    assert isinstance(caches["default"], RedisCache)
    _counts_in_a_window()


def test_window_on_the_in_process_cache(settings):
    settings.CACHES = LOCMEM
    _counts_in_a_window()


def test_the_redis_cache_keeps_one_client_per_pool():
    cache = caches["default"]
    cache.set("kept-client-probe", 1)
    client = cache._cache.get_client("kept-client-probe", write=True)
    assert cache._cache.get_client("kept-client-probe", write=True) is client
    assert cache.get("kept-client-probe") == 1


@pytest.fixture(autouse=True)
def _clean_cache():
    yield
    caches["default"].delete("kept-client-probe")
