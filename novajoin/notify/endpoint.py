"""The oslo.messaging endpoint: run a handler, then ack, requeue or park.

A message is acknowledged (``HANDLED``) only once its handler has finished,
or once it has been published to the dead-letter topic. A failing handler
gets its message requeued after a backoff, up to ``max_attempts`` times.
"""

import logging
import threading
import time

import oslo_messaging

from novajoin import metrics
from novajoin.notify import delivery
from novajoin.notify import handlers
from novajoin.notify import payloads

LOG = logging.getLogger(__name__)

HANDLED = oslo_messaging.NotificationResult.HANDLED
REQUEUE = oslo_messaging.NotificationResult.REQUEUE


def _event_filter(event_types):
    pattern = '^(%s)$' % '|'.join(t.replace('.', r'\.')
                                  for t in sorted(event_types))
    return oslo_messaging.NotificationFilter(event_type=pattern)


class NotificationEndpoint(object):
    """Handles ``info`` notifications of the event types in HANDLERS."""

    filter_rule = _event_filter(handlers.HANDLERS)

    def __init__(self, deps, dead_letters, max_attempts, backoff,
                 backoff_max, handler_table=None):
        self._deps = deps
        self._dead_letters = dead_letters
        self._max_attempts = max_attempts
        self._backoff = backoff
        self._backoff_max = backoff_max
        self._handlers = handler_table or handlers.HANDLERS
        self._attempts = delivery.AttemptCounter()
        self._stopping = threading.Event()

    @classmethod
    def from_conf(cls, conf, deps, dead_letters):
        group = conf.notify
        return cls(deps, dead_letters, group.max_attempts,
                   group.retry_backoff, group.retry_backoff_max)

    def begin_shutdown(self):
        """Finish what is running, hand everything else back to the broker.

        Messages not started yet and failed messages are requeued at once,
        without waiting out a backoff, so shutdown takes one handler run.
        """
        self._stopping.set()

    def info(self, ctxt, publisher_id, event_type, payload, metadata):
        if self._stopping.is_set():
            _count(event_type, 'requeued')
            return REQUEUE
        message_id = metadata.get('message_id') or 'no-message-id'
        attempt = self._attempts.failures(message_id) + 1
        started = time.monotonic()
        malformed = failure = None
        try:
            outcome = self._handlers[event_type](self._deps, payload)
        except payloads.MalformedNotification as exc:
            malformed = exc
        # Anything else may succeed later (IPA or nova down, a bug fixed by
        # an upgrade); the attempt cap keeps it from looping forever.
        except Exception as exc:
            failure = exc
        # Handled outside the except blocks: oslo.log would otherwise append
        # the in-flight exception to every line logged from there.
        if malformed is not None:
            return self._park(ctxt, publisher_id, event_type, payload,
                              metadata, 'malformed: %s' % malformed, attempt,
                              started)
        if failure is not None:
            return self._failed(ctxt, publisher_id, event_type, payload,
                                metadata, failure, started)
        self._attempts.forget(message_id)
        LOG.log(_level_of(outcome), 'event=%s message_id=%s instance=%s '
                'fqdn=%s outcome=%s attempts=%d duration=%.3fs%s',
                event_type, message_id, outcome.instance_id or '-',
                ','.join(outcome.fqdns) or '-', outcome.result, attempt,
                time.monotonic() - started,
                ' reason=%s' % outcome.reason if outcome.reason else '')
        _count(event_type, 'handled')
        return HANDLED

    def _failed(self, ctxt, publisher_id, event_type, payload, metadata,
                exc, started):
        message_id = metadata.get('message_id') or 'no-message-id'
        failures = self._attempts.record_failure(message_id)
        reason = '%s: %s' % (type(exc).__name__, exc)
        if failures >= self._max_attempts:
            return self._park(ctxt, publisher_id, event_type, payload,
                              metadata, 'failed %d times, last %s'
                              % (failures, reason), failures, started)
        delay = delivery.backoff_delay(failures, self._backoff,
                                       self._backoff_max)
        LOG.warning('event=%s message_id=%s instance=%s fqdn=- '
                    'outcome=retry attempts=%d duration=%.3fs '
                    'requeue_in=%.1fs reason=%s', event_type, message_id,
                    payloads.instance_hint(payload) or '-', failures,
                    time.monotonic() - started, delay, reason,
                    exc_info=_traceback_of_unexpected(exc))
        # Waiting here keeps an outage from spinning the message through the
        # broker; other messages go on in the other worker threads.
        self._stopping.wait(delay)
        _count(event_type, 'requeued')
        return REQUEUE

    def _park(self, ctxt, publisher_id, event_type, payload, metadata,
              reason, attempts, started):
        message_id = metadata.get('message_id') or 'no-message-id'
        instance_id = payloads.instance_hint(payload) or '-'
        try:
            self._dead_letters.park(ctxt, publisher_id, event_type, payload,
                                    metadata, reason, attempts, instance_id)
        except Exception as exc:
            LOG.error('event=%s message_id=%s instance=%s outcome=requeued '
                      'reason=could not publish to the dead-letter topic: '
                      '%s: %s', event_type, message_id, instance_id,
                      type(exc).__name__, exc)
            self._stopping.wait(self._backoff_max)
            _count(event_type, 'requeued')
            return REQUEUE
        self._attempts.forget(message_id)
        LOG.error('event=%s message_id=%s instance=%s fqdn=- '
                  'outcome=dead-lettered attempts=%d duration=%.3fs '
                  'reason=%s', event_type, message_id, instance_id,
                  attempts, time.monotonic() - started, reason)
        _count(event_type, 'dead_lettered')
        return HANDLED


def _count(event_type, result):
    metrics.NOTIFICATIONS.labels(event_type=event_type, result=result).inc()


def _level_of(outcome):
    if outcome.observed:
        return logging.DEBUG
    return logging.WARNING if outcome.warn else logging.INFO


def _traceback_of_unexpected(exc):
    if isinstance(exc, handlers.OUTAGE_ERRORS):
        return False
    return (type(exc), exc, exc.__traceback__)
