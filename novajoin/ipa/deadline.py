"""A point in time a call must finish by."""

import time


class Deadline(object):

    def __init__(self, seconds, clock=time.monotonic):
        self.seconds = seconds
        self._clock = clock
        self._end = clock() + seconds

    @property
    def end(self):
        """The point in time, on the deadline's clock."""
        return self._end

    def remaining(self):
        return max(0.0, self._end - self._clock())

    def expired(self):
        return self.remaining() <= 0.0
