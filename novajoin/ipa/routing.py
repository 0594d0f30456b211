"""Which IPA server a call goes to.

Every call about one host goes to the same server while that server is up
(rendezvous hashing of the host's name over the servers): a write and the
read after it never race replication between IPA replicas, and the hosts
of a booting cloud spread evenly over the servers. When a server stops
answering it is skipped for a while; its hosts move to their next server
in the same hash order (each to its own, so the load stays spread) and
come back when it answers again.

A host written to recently stays on the server that took the write, even
while that server is marked down (:meth:`Router.wrote`): the write may
not have reached the other replicas yet, and one whose answer never came
(a read timeout on a slow server) may still be running there. Writing the
host on another server meanwhile would create a second entry for it on
another replica -- a replication conflict. Only calls about such hosts
wait for a slow server; the others move away from it.
"""

import collections
import hashlib
import itertools
import threading
import time

# After a connection error or HTTP 5xx, a server is tried last for this long.
DOWN_SECONDS = 10.0
# After a write about a host was sent to a server (answered or not), calls
# about that host go there first for this long: a write still queued at a
# slow server, plus replication to the others. Nova's requests for one
# boot come seconds apart.
WRITE_AFFINITY_SECONDS = 30.0


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
                 write_affinity_seconds=WRITE_AFFINITY_SECONDS,
                 clock=time.monotonic):
        self.servers = list(servers)
        self._down_seconds = down_seconds
        self._write_affinity_seconds = write_affinity_seconds
        self._clock = clock
        self._down_until = {}
        # key -> (server, until), oldest first: every entry gets the same
        # lifetime, so expired ones are at the front.
        self._written = collections.OrderedDict()
        self._lock = threading.Lock()
        self._rotation = itertools.cycle(range(len(self.servers)))

    def order(self, key, write=False):
        """Servers to try for a call about ``key`` (None: about no host).

        A ``write`` about a host ignores the servers marked failed: every
        process then sends it to the same server (the host's first by the
        hash) and moves on only when that server did not take it. The
        server a recent write about the host went to comes first in any
        case.
        """
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
        if down and not (write and key is not None):
            ordered = ([s for s in ordered if s not in down]
                       + [s for s in ordered if s in down])
        pinned = self.pinned(key)
        if pinned in ordered:
            ordered.remove(pinned)
            ordered.insert(0, pinned)
        return ordered

    def pinned(self, key):
        """The server a write about ``key`` went to in the last
        ``write_affinity_seconds``, or None.
        """
        if key is None:
            return None
        with self._lock:
            written = self._written.get(key)
        if written is None or written[1] <= self._clock():
            return None
        return written[0]

    def failed(self, server):
        with self._lock:
            self._down_until[server] = self._clock() + self._down_seconds

    def wrote(self, keys, server):
        """A write about each of ``keys`` was sent to ``server``: it may be
        there and nowhere else.
        """
        keys = [key for key in keys if key is not None]
        if not keys or len(self.servers) == 1:
            return
        now = self._clock()
        with self._lock:
            for key in keys:
                self._written.pop(key, None)
                self._written[key] = (server,
                                      now + self._write_affinity_seconds)
            while self._written:
                oldest = next(iter(self._written.values()))
                if oldest[1] > now:
                    break
                self._written.popitem(last=False)

    def answered(self, server):
        if server in self._down_until:
            with self._lock:
                self._down_until.pop(server, None)
