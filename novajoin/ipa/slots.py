"""Connection slots handed out earliest deadline first."""

import heapq
import itertools
import threading


class DeadlineSlots(object):
    """At most ``size`` holders at once; waiters are served in the order
    of their deadlines.

    A freed slot goes straight to the waiter whose deadline comes first,
    never to a caller arriving meanwhile. With a semaphore, callers arriving
    during a burst of boots barge in ahead of those already waiting, and the
    second IPA call of an early request can wait until its deadline passes
    (a 503 for nova). A request that has already spent part of its budget
    has the earlier deadline, so it finishes before new ones start.
    """

    def __init__(self, size):
        self._lock = threading.Lock()
        self._free = size
        self._waiters = []
        self._order = itertools.count()

    def acquire(self, deadline):
        """True once a slot is held; False if ``deadline`` passed first."""
        with self._lock:
            if self._free and not self._waiters:
                self._free -= 1
                return True
            # (end, order) is unique: the event is never compared.
            waiter = (deadline.end, next(self._order), threading.Event())
            heapq.heappush(self._waiters, waiter)
        granted = waiter[2].wait(deadline.remaining())
        with self._lock:
            if granted or waiter[2].is_set():
                return True
            self._waiters.remove(waiter)
            heapq.heapify(self._waiters)
            return False

    def release(self):
        with self._lock:
            if self._waiters:
                heapq.heappop(self._waiters)[2].set()
            else:
                self._free += 1
