"""Connection slots handed out earliest deadline first."""

import heapq
import itertools
import threading
import time


class DeadlineSlots(object):
    """At most ``size`` holders at once; waiters are served in the order
    of their deadlines.

    A freed slot goes straight to the waiter whose deadline comes first,
    never to a caller arriving meanwhile. With a semaphore, callers arriving
    during a burst of boots barge in ahead of those already waiting, and the
    second IPA call of an early request can wait until its deadline passes
    (a 503 for nova). A request that has already spent part of its budget
    has the earlier deadline, so it finishes before new ones start.

    :meth:`acquire` returns when the slot became the caller's: for a
    waiter, the moment it was handed over, so that the time a slot is
    held counts the waiter's wake-up too.
    """

    def __init__(self, size, clock=time.perf_counter):
        self.size = size
        self._clock = clock
        self._lock = threading.Lock()
        self._free = size
        self._waiters = []
        self._order = itertools.count()

    def acquire(self, deadline):
        """When the slot was granted, or None if ``deadline`` passed first."""
        with self._lock:
            if self._free and not self._waiters:
                self._free -= 1
                return self._clock()
            # [end, order, event, granted at]: (end, order) is unique, so
            # the event is never compared.
            waiter = [deadline.end, next(self._order), threading.Event(),
                      None]
            heapq.heappush(self._waiters, waiter)
        waiter[2].wait(deadline.remaining())
        with self._lock:
            if waiter[3] is not None:
                return waiter[3]
            self._waiters.remove(waiter)
            heapq.heapify(self._waiters)
            return None

    def release(self):
        with self._lock:
            if self._waiters:
                waiter = heapq.heappop(self._waiters)
                waiter[3] = self._clock()
                waiter[2].set()
            else:
                self._free += 1

    def busy(self):
        """Slots held plus callers waiting for one."""
        with self._lock:
            return self.size - self._free + len(self._waiters)
