"""Knobs and counters for tests and benchmarks: latency, a concurrency cap,
outages, connection and login counts.
"""

import contextlib
import socket
import threading
import time

OUTAGE_MODES = ('none', 'refuse', '503')


LATENCY_CONTROLS = ('latency_ms', 'read_latency_ms', 'write_latency_ms')


class Latency(object):
    """How long each JSON-RPC request waits before it runs, standing in for
    the work of a real IPA server: ``latency_ms`` for every request, or
    separate values for requests that only read and those that write (None
    falls back to ``latency_ms``). A batch is one request; it counts as a
    write if any of its commands writes.
    """

    def __init__(self, latency_ms=0, read_latency_ms=None,
                 write_latency_ms=None):
        self.latency_ms = latency_ms
        self.read_latency_ms = read_latency_ms
        self.write_latency_ms = write_latency_ms

    def update(self, changes):
        for name in LATENCY_CONTROLS:
            if name in changes:
                setattr(self, name, changes[name])

    def milliseconds(self, writes):
        specific = self.write_latency_ms if writes else self.read_latency_ms
        return self.latency_ms if specific is None else specific

    def pause(self, writes):
        delay = self.milliseconds(writes)
        if delay:
            time.sleep(delay / 1000.0)

    def snapshot(self):
        return {name: getattr(self, name) for name in LATENCY_CONTROLS}


class CallGate(object):
    """At most ``limit`` requests run at once (None: no cap); the rest wait
    in arrival order, like requests queued for a busy worker pool.
    """

    def __init__(self, limit=None):
        self._cond = threading.Condition()
        self._limit = limit
        self._running = 0
        self._peak = 0
        self._next_ticket = 0
        self._serving = 0

    def set_limit(self, limit):
        with self._cond:
            self._limit = limit
            self._cond.notify_all()

    @contextlib.contextmanager
    def slot(self):
        with self._cond:
            ticket = self._next_ticket
            self._next_ticket += 1
            while ticket != self._serving or (
                    self._limit is not None and self._running >= self._limit):
                self._cond.wait()
            self._serving += 1
            self._running += 1
            self._peak = max(self._peak, self._running)
            self._cond.notify_all()
        try:
            yield
        finally:
            with self._cond:
                self._running -= 1
                self._cond.notify_all()

    def snapshot(self):
        with self._cond:
            return {'concurrent_now': self._running,
                    'concurrent_peak': self._peak}

    def reset_peak(self):
        with self._cond:
            self._peak = self._running


class ConnectionTracker(object):
    """Accepted and open client connections, so tests can count TCP
    connections and an outage can cut them.
    """

    def __init__(self):
        self._lock = threading.Lock()
        self._open = set()
        self._accepted = 0

    def opened(self, sock):
        with self._lock:
            self._accepted += 1
            self._open.add(sock)

    def closed(self, sock):
        with self._lock:
            self._open.discard(sock)

    def close_all(self):
        with self._lock:
            socks = list(self._open)
        for sock in socks:
            # The peer may have gone already; then there is nothing to cut.
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()

    def snapshot(self):
        with self._lock:
            return {'connections_accepted': self._accepted,
                    'connections_open': len(self._open)}

    def reset(self):
        with self._lock:
            self._accepted = 0


class LoginCounter(object):
    def __init__(self):
        self._lock = threading.Lock()
        self._counts = {'password': 0, 'kerberos': 0}

    def count(self, kind):
        with self._lock:
            self._counts[kind] += 1

    def snapshot(self):
        with self._lock:
            return dict(self._counts)

    def reset(self):
        with self._lock:
            for kind in self._counts:
                self._counts[kind] = 0


def validate_control(body):
    """Check a POST /control body; returns the normalized changes."""
    if not isinstance(body, dict):
        raise ValueError('body must be a JSON object')
    unknown = set(body) - set(LATENCY_CONTROLS) - {
        'max_concurrency', 'outage', 'directory_sizelimit'}
    if unknown:
        raise ValueError('unknown control(s): %s' % ', '.join(sorted(unknown)))
    changes = {}
    for name in LATENCY_CONTROLS:
        if name not in body:
            continue
        latency = body[name]
        if latency is None and name != 'latency_ms':
            changes[name] = None
            continue
        if isinstance(latency, bool) or not isinstance(latency, int) \
                or latency < 0:
            raise ValueError('%s must be an integer >= 0%s' % (
                name, '' if name == 'latency_ms' else ' or null'))
        changes[name] = latency
    if 'max_concurrency' in body:
        cap = body['max_concurrency']
        if cap is not None and (isinstance(cap, bool)
                                or not isinstance(cap, int) or cap < 1):
            raise ValueError('max_concurrency must be null or an integer '
                             '>= 1')
        changes['max_concurrency'] = cap
    if 'directory_sizelimit' in body:
        cap = body['directory_sizelimit']
        if cap is not None and (isinstance(cap, bool)
                                or not isinstance(cap, int) or cap < 1):
            raise ValueError('directory_sizelimit must be null or an '
                             'integer >= 1')
        changes['directory_sizelimit'] = cap
    if 'outage' in body:
        if body['outage'] not in OUTAGE_MODES:
            raise ValueError('outage must be one of %s'
                             % ', '.join(OUTAGE_MODES))
        changes['outage'] = body['outage']
    return changes
