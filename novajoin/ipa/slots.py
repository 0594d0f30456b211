"""Connection slots of one IPA server, served earliest deadline first.

Each slot is a worker thread (a green thread under eventlet) that runs
round trips one after the other. A caller queues its round trip and waits
for the result; a worker that finishes one takes the queued round trip
whose deadline comes first, in the same thread, at once. Handing a freed
slot to a waiting caller instead would cost a wake-up of that caller per
call, and in a busy eventlet process that wake-up waits for every other
ready green thread: the connection -- one of only 4 WSGI processes of the
IPA server -- would sit idle meanwhile.

Earliest deadline first: callers arriving during a burst of boots do not
go ahead of those already waiting, and a request that has already spent
part of its budget on one IPA call gets its next call in before new
requests start theirs.
"""

import heapq
import itertools
import os
import threading
import time


class NoSlot(Exception):
    """The deadline passed before a slot was free for the call."""


class _Job(object):
    __slots__ = ('function', 'queued', 'done', 'result', 'error', 'running',
                 'held')

    def __init__(self, function, queued):
        self.function = function
        self.queued = queued
        self.done = threading.Event()
        self.result = None
        self.error = None
        self.running = False
        # Seconds the slot was the job's: from when a worker was free for
        # it (or it arrived at a free worker) until it was done.
        self.held = None


class DeadlineSlots(object):
    """``size`` workers running queued calls, earliest deadline first."""

    def __init__(self, size, name='ipa', clock=time.perf_counter):
        self.size = size
        self._name = name
        self._clock = clock
        self._lock = threading.Lock()
        self._work = threading.Condition(self._lock)
        self._queue = []
        self._order = itertools.count()
        self._workers = []
        self._idle = 0
        self._owner_pid = None
        self._closed = False

    def run(self, deadline, function):
        """``function()`` in a slot; its result, or the exception it raised.

        Raises :class:`NoSlot` if ``deadline`` passes before a slot takes
        the call. Returns ``(result, seconds the slot was held)``.
        """
        job = _Job(function, self._clock())
        entry = [deadline.end, next(self._order), job]
        with self._work:
            self._ensure_workers()
            heapq.heappush(self._queue, entry)
            self._work.notify()
        if not job.done.wait(deadline.remaining()):
            with self._lock:
                if not job.running:
                    self._queue.remove(entry)
                    heapq.heapify(self._queue)
                    raise NoSlot()
            # Started just in time: its own timeouts end it soon.
            job.done.wait()
        if job.error is not None:
            raise job.error
        return job.result, job.held

    def busy(self):
        """Calls running plus calls waiting for a slot."""
        with self._lock:
            return len(self._workers) - self._idle + len(self._queue)

    def close(self):
        with self._work:
            self._closed = True
            self._work.notify_all()

    def _ensure_workers(self):
        # Threads do not survive a fork: a worker process of the API that
        # inherited this object starts its own.
        if self._owner_pid == os.getpid() and self._workers:
            return
        self._owner_pid = os.getpid()
        self._closed = False
        self._idle = 0
        self._workers = [threading.Thread(
            target=self._serve, name='%s-slot-%d' % (self._name, n),
            daemon=True) for n in range(self.size)]
        for worker in self._workers:
            worker.start()

    def _serve(self):
        free_since = self._clock()
        while True:
            with self._work:
                self._idle += 1
                while not self._queue and not self._closed:
                    self._work.wait()
                self._idle -= 1
                if self._closed:
                    return
                job = heapq.heappop(self._queue)[2]
                job.running = True
            # The slot is the job's from when both it and this worker
            # were there.
            start = max(free_since, job.queued)
            try:
                job.result = job.function()
            except BaseException as exc:
                job.error = exc
            free_since = self._clock()
            job.held = free_since - start
            job.done.set()
