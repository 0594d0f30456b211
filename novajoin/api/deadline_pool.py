"""Run a call on a small pool of threads and stop waiting at a deadline.

A request must be answered by its deadline, but some calls it makes cannot
be told about one: keystonemiddleware's token validation bounds each round
trip to Keystone, not how many it makes (version discovery, its own
service token, the validation itself). :class:`DeadlinePool` runs such a
call on another thread and gives up waiting at the deadline; the call
goes on by itself until its own timeouts end it, then frees its slot.

The pool is bounded: when every slot is taken by a call still running
past its caller's deadline, a new caller waits for a slot only until its
own deadline, so no work is ever queued to start after the caller is
gone. Under ``eventlet.monkey_patch()`` (novajoin-server) the threads and
locks are green threads; under uWSGI or mod_wsgi they are real threads.
"""

from concurrent import futures
import threading
import time


class DeadlineExceeded(Exception):
    """The call did not finish before the deadline; it goes on alone."""


class PoolSaturated(Exception):
    """No slot came free before the deadline; the call was not started."""


class DeadlinePool(object):
    def __init__(self, max_calls, name):
        self._slots = threading.BoundedSemaphore(max_calls)
        self._executor = futures.ThreadPoolExecutor(
            max_workers=max_calls, thread_name_prefix=name)

    def call(self, deadline, function, *args):
        """``function(*args)``'s result, or its exception.

        ``deadline`` is a :func:`time.monotonic` time. Raises
        :class:`PoolSaturated` or :class:`DeadlineExceeded` when it passes
        first.
        """
        if not self._slots.acquire(timeout=_remaining(deadline)):
            raise PoolSaturated()
        try:
            future = self._executor.submit(function, *args)
        except BaseException:
            self._slots.release()
            raise
        future.add_done_callback(self._release)
        futures.wait([future], timeout=_remaining(deadline))
        if not future.done():
            raise DeadlineExceeded()
        return future.result()

    def _release(self, future):
        self._slots.release()


def _remaining(deadline):
    return max(0.0, deadline - time.monotonic())
