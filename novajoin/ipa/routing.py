"""Which IPA server a call goes to.

Every call about one host goes to the same server while that server is up
(rendezvous hashing of the host's name over the servers): a write and the
read after it never race replication between IPA replicas, and the hosts
of a booting cloud spread evenly over the servers. When a server stops
answering it is skipped for a while; its hosts move to their next server
in the same hash order (each to its own, so the load stays spread) and
come back when it answers again.
"""

import hashlib
import itertools
import threading
import time

# After a connection error or HTTP 5xx, a server is tried last for this long.
DOWN_SECONDS = 10.0


def _weight(key, server):
    digest = hashlib.blake2b(('%s\0%s' % (key, server)).encode('utf-8'),
                             digest_size=8).digest()
    return int.from_bytes(digest, 'big')


def preference(key, servers):
    """``servers`` in the order calls about ``key`` should try them."""
    return sorted(servers, key=lambda server: _weight(key, server),
                  reverse=True)


class Router(object):
    """Server order per call, with servers that just failed tried last."""

    def __init__(self, servers, down_seconds=DOWN_SECONDS,
                 clock=time.monotonic):
        self.servers = list(servers)
        self._down_seconds = down_seconds
        self._clock = clock
        self._down_until = {}
        self._lock = threading.Lock()
        self._rotation = itertools.cycle(range(len(self.servers)))

    def order(self, key):
        """Servers to try for a call about ``key`` (None: about no host)."""
        if len(self.servers) == 1:
            return list(self.servers)
        if key is None:
            start = next(self._rotation)
            ordered = self.servers[start:] + self.servers[:start]
        else:
            ordered = preference(key, self.servers)
        now = self._clock()
        with self._lock:
            down = {s for s, until in self._down_until.items() if until > now}
        if not down:
            return ordered
        return ([s for s in ordered if s not in down]
                + [s for s in ordered if s in down])

    def failed(self, server):
        with self._lock:
            self._down_until[server] = self._clock() + self._down_seconds

    def answered(self, server):
        if server in self._down_until:
            with self._lock:
                self._down_until.pop(server, None)
