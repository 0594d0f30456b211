"""Which tokens this process has validated recently, by their SHA-256.

keystonemiddleware keeps a validated token's data for
``[keystone_authtoken] token_cache_time`` and then answers from that cache
without calling Keystone. Knowing that a token is in there lets the API
skip handing its validation to another thread (see
:mod:`novajoin.api.deadline_pool`), which is the common case: nova keeps
its token for hours.

Only hashes are kept, never a token. An entry is forgotten one second
before keystonemiddleware's own (whose clock counts whole seconds), timed
from before the validation started, so it never outlives the cache entry
it stands for. A false "recent" (memcached evicted the entry) only means
one validation runs without the hand-off, on a warm middleware: one
Keystone round trip, bounded by ``http_connect_timeout``.
"""

import hashlib
import threading
import time

import cachetools

# Distinct tokens remembered; nova's services hold a handful each.
MAX_TOKENS = 4096


class ValidatedTokens(object):
    def __init__(self, token_cache_time, clock=time.monotonic):
        # token_cache_time = -1 turns keystonemiddleware's cache off.
        self._lifetime = token_cache_time - 1
        self._clock = clock
        self._expiry = cachetools.TLRUCache(
            maxsize=MAX_TOKENS, ttu=lambda key, expires, now: expires,
            timer=clock)
        self._lock = threading.Lock()

    def start(self):
        """The time to pass to :meth:`add` once validation succeeded."""
        return self._clock()

    def add(self, tokens, started):
        """``tokens`` validated; their validation began at ``started``."""
        if self._lifetime <= 0:
            return
        with self._lock:
            self._expiry[_digest(tokens)] = started + self._lifetime

    def __contains__(self, tokens):
        with self._lock:
            return _digest(tokens) in self._expiry


def _digest(tokens):
    digest = hashlib.sha256()
    for token in tokens:
        digest.update((token or '').encode('utf-8'))
        digest.update(b'\0')
    return digest.digest()
