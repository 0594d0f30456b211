"""Connection slots of one IPA server, served earliest deadline first.

A caller that finds a free slot and nobody waiting runs its round trip
at once, in its own thread. Otherwise it queues the round trip and waits
for the result: worker threads (green threads under eventlet) take queued
round trips, earliest deadline first, and a worker that finishes one goes
on with the next in the same thread, at once. Handing a freed slot to a
waiting caller instead would cost a wake-up of that caller per call, and
in a busy eventlet process that wake-up waits for every other ready green
thread: the connection -- one of only 4 WSGI processes of the IPA server --
would sit idle meanwhile.

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
        # Seconds the slot was the job's: from when a slot was free for it
        # until it was done.
        self.held = None

    def run(self, since, clock):
        try:
            self.result = self.function()
        except BaseException as exc:
            self.error = exc
        finished = clock()
        self.held = finished - since
        return finished


class DeadlineSlots(object):
    """At most ``size`` calls at once; waiting calls earliest deadline
    first.
    """

    def __init__(self, size, name='ipa', clock=time.perf_counter):
        self.size = size
        self._name = name
        self._clock = clock
        self._lock = threading.Lock()
        self._work = threading.Condition(self._lock)
        self._queue = []
        self._order = itertools.count()
        # One entry per free slot: since when it is free.
        self._free_since = [clock()] * size
        self._workers = []
        self._owner_pid = None
        self._closed = False

    def run(self, deadline, function):
        """``function()`` in a slot: ``(its result, seconds the slot was
        held)``, or the exception it raised.

        Raises :class:`NoSlot` if ``deadline`` passes before a slot takes
        the call.
        """
        now = self._clock()
        job = _Job(function, now)
        with self._work:
            if self._free_since and not self._queue:
                self._free_since.pop()
                inline = True
            else:
                inline = False
                self._ensure_workers()
                entry = [deadline.end, next(self._order), job]
                heapq.heappush(self._queue, entry)
                self._work.notify()
        if inline:
            finished = job.run(now, self._clock)
            self._release(finished)
        elif not job.done.wait(deadline.remaining()):
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

    def close(self):
        with self._work:
            self._closed = True
            self._work.notify_all()

    def _release(self, since):
        with self._work:
            self._free_since.append(since)
            if self._queue:
                self._work.notify()

    def _ensure_workers(self):
        # Threads do not survive a fork: a worker process of the API that
        # inherited this object starts its own.
        if self._owner_pid == os.getpid() and self._workers:
            return
        self._owner_pid = os.getpid()
        self._closed = False
        self._workers = [threading.Thread(
            target=self._serve, name='%s-slot-%d' % (self._name, n),
            daemon=True) for n in range(self.size)]
        for worker in self._workers:
            worker.start()

    def _serve(self):
        while True:
            with self._work:
                while not (self._queue and self._free_since) and \
                        not self._closed:
                    self._work.wait()
                if self._closed:
                    return
                since = self._free_since.pop(0)
                job = heapq.heappop(self._queue)[2]
                job.running = True
            # Then from one queued call to the next, holding the slot.
            while job is not None:
                since = job.run(max(since, job.queued), self._clock)
                job.done.set()
                with self._lock:
                    job = None
                    if self._queue:
                        job = heapq.heappop(self._queue)[2]
                        job.running = True
            self._release(since)
