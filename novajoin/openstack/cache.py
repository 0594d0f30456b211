"""A TTL cache shared by the threads (or green threads) of a worker."""

import threading

import cachetools

_MISSING = object()


class ExpiringCache(object):
    """Remembers what ``fetch`` returned for a key during ``ttl`` seconds.

    The lock is not held while fetching, so one slow lookup does not block
    the others; two concurrent misses of one key may both fetch.
    """

    def __init__(self, maxsize, ttl, timer):
        self._cache = cachetools.TTLCache(maxsize=maxsize, ttl=ttl,
                                          timer=timer)
        self._lock = threading.Lock()

    def get_or_fetch(self, key, fetch):
        with self._lock:
            value = self._cache.get(key, _MISSING)
        if value is not _MISSING:
            return value
        value = fetch()
        with self._lock:
            self._cache[key] = value
        return value
