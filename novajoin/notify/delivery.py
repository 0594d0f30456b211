"""Retry, requeue and dead-letter policy of the listener.

RabbitMQ hands a requeued message back at once and counts nothing, so this
process counts failed attempts per message id itself, waits with a growing
backoff before requeueing, and parks a message on the dead-letter topic once
it has failed ``max_attempts`` times. The count lives in this process: a
restart gives every message a fresh budget, which only costs extra attempts.
"""

import threading
import uuid

import cachetools
import oslo_messaging
from oslo_utils import timeutils

DEAD_LETTER_EVENT_TYPE = 'novajoin.notification.dead_letter'
PUBLISHER_ID = 'novajoin-notify'

# Request context keys worth keeping with a parked message. Everything else
# (auth_token, service catalog, ...) stays out: it may be a secret.
SAFE_CONTEXT_KEYS = ('request_id', 'global_request_id', 'project_id',
                     'project_name', 'tenant', 'user_id', 'user',
                     'user_name')

_ATTEMPT_CACHE_SIZE = 100000
_ATTEMPT_CACHE_TTL = 24 * 3600


class AttemptCounter(object):
    """Failed attempts per message id (thread-safe, bounded)."""

    def __init__(self, maxsize=_ATTEMPT_CACHE_SIZE, ttl=_ATTEMPT_CACHE_TTL):
        self._failures = cachetools.TTLCache(maxsize=maxsize, ttl=ttl)
        self._lock = threading.Lock()

    def failures(self, message_id):
        with self._lock:
            return self._failures.get(message_id, 0)

    def record_failure(self, message_id):
        """Count one more failure; returns the failures so far."""
        with self._lock:
            count = self._failures.get(message_id, 0) + 1
            self._failures[message_id] = count
            return count

    def forget(self, message_id):
        with self._lock:
            self._failures.pop(message_id, None)


def backoff_delay(failures, base, maximum):
    """Seconds to wait before requeueing after ``failures`` failures."""
    return min(base * (2 ** (failures - 1)), maximum)


def safe_context(ctxt):
    if not isinstance(ctxt, dict):
        return {}
    return {key: ctxt[key] for key in SAFE_CONTEXT_KEYS if key in ctxt}


class DeadLetterQueue(object):
    """Publishes notifications we give up on, with why, for an operator.

    A parked message is published like a notification (messagingv2
    envelope, routing key ``<topic>.error`` on this process's control
    exchange, where the driver also declares a queue of that name so it is
    kept until read).
    """

    PRIORITY = 'error'

    def __init__(self, transport, topic, retry=3):
        self._transport = transport
        self._target = oslo_messaging.Target(
            topic='%s.%s' % (topic, self.PRIORITY))
        self._retry = retry

    @classmethod
    def from_conf(cls, conf, transport):
        return cls(transport, conf.notify.dead_letter_topic)

    def park(self, ctxt, publisher_id, event_type, payload, metadata,
             reason, attempts, instance_id):
        """Publish; raises if the broker did not take the message."""
        message = {
            'message_id': str(uuid.uuid4()),
            'publisher_id': PUBLISHER_ID,
            'event_type': DEAD_LETTER_EVENT_TYPE,
            'priority': self.PRIORITY.upper(),
            'timestamp': str(timeutils.utcnow()),
            'payload': {
                'event_type': event_type,
                'publisher_id': publisher_id,
                'message_id': metadata.get('message_id'),
                'timestamp': metadata.get('timestamp'),
                'instance_id': instance_id,
                'reason': reason,
                'attempts': attempts,
                'payload': payload,
            },
        }
        # oslo_messaging.Notifier logs and swallows send failures; parking
        # must fail loudly so the original message is requeued, not lost.
        self._transport._send_notification(
            self._target, safe_context(ctxt), message, version=2.0,
            retry=self._retry)
