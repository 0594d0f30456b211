"""Which failures of an IPA call are retried, where, and after how long.

A call tries its servers in preference order; a server that fails is left
for the next one. Once every server has been tried, attempts back off
exponentially, but never past the call's deadline.
"""

import functools
import logging

import tenacity

# Logged under the transport's name, as operators filter on it.
LOG = logging.getLogger('novajoin.ipa.transport')

# Below this, an attempt cannot finish a round trip, so do not start one.
MIN_ATTEMPT_SECONDS = 0.05


class Retryable(Exception):
    """A failure another attempt (maybe on another server) may fix.

    ``may_have_run``: the server may have received the request and run it
    (no answer, or one cut off); a write's outcome is then unknown and it
    is not sent to another server (see :mod:`routing`).
    """

    def __init__(self, server, description, may_have_run=False):
        super().__init__('%s: %s' % (server, description))
        self.server = server
        self.description = description
        self.may_have_run = may_have_run

    def before_the_call(self):
        """The same failure, known to have come before the call was sent
        (during a login).
        """
        return Retryable(self.server, self.description, may_have_run=False)


class Call(object):
    """Progress of one call through its servers, in preference order."""

    def __init__(self, deadline, servers):
        self.deadline = deadline
        self.servers = servers
        self.index = 0
        self.tried = set()
        self.attempts = 0
        # Retried on the same server only (see Transport._attempt).
        self.stayed = False

    @property
    def server(self):
        return self.servers[self.index]

    def untried_servers(self):
        return len(self.servers) - len(self.tried)

    def connect_timeout(self):
        # Leave room to fail over: a server that does not answer SYNs
        # must not eat the time the untried servers would need.
        return self.deadline.remaining() / max(1, self.untried_servers())

    def server_failed(self):
        self.tried.add(self.index)
        self.index = (self.index + 1) % len(self.servers)

    def stay(self):
        """The next attempt goes to the same server, after a backoff."""
        self.tried.add(self.index)
        self.stayed = True


class RetryPolicy(object):
    """Up to ``max_attempts`` attempts per call on :class:`Retryable`."""

    def __init__(self, max_attempts, retry_backoff, sleep):
        self.max_attempts = max_attempts
        self._sleep = sleep
        self._backoff = tenacity.wait_random_exponential(
            multiplier=retry_backoff)

    def retrying(self, call):
        """A ``tenacity.Retrying`` for ``call``."""
        return tenacity.Retrying(
            retry=tenacity.retry_if_exception_type(Retryable),
            stop=tenacity.stop_any(
                tenacity.stop_after_attempt(self.max_attempts),
                functools.partial(self._out_of_time, call)),
            wait=functools.partial(self._delay_before_retry, call),
            sleep=self._sleep,
            before_sleep=self._log_retry)

    def _out_of_time(self, call, retry_state):
        return call.deadline.remaining() < MIN_ATTEMPT_SECONDS

    def _delay_before_retry(self, call, retry_state):
        if call.untried_servers() > 0 and not call.stayed:
            return 0.0
        delay = self._backoff(retry_state)
        budget = call.deadline.remaining() - MIN_ATTEMPT_SECONDS
        return max(0.0, min(delay, budget))

    def _log_retry(self, retry_state):
        LOG.warning('IPA attempt failed attempt=%d error=%s retry_in=%.2fs',
                    retry_state.attempt_number,
                    retry_state.outcome.exception(),
                    retry_state.next_action.sleep)
