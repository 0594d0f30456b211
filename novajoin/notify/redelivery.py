"""Let the broker's redeliveries reach our handlers.

oslo.messaging's AMQP listener remembers the ids of the last messages it
acknowledged and drops a message it sees again, *without acknowledging
it* ("ignoring duplicate message"). That happens after every lost broker
connection: acknowledgements of messages handled just before the loss
fail, RabbitMQ redelivers those messages on the new connection, and they
stay unacknowledged on it for good. Each holds a prefetch slot, so a few
connection losses can stop the listener from receiving anything, and the
queue never drains.

Our handlers are idempotent (a host already gone is success), so a
redelivered message is simply handled again and acknowledged.

The fix replaces a private part of oslo.messaging. If a release renames
what it relies on, the listener must not run without it: it would stall
after the first broker connection loss. :class:`RedeliveryFixUnavailable`
says what is missing.
"""

from importlib import metadata

import oslo_messaging
from oslo_utils import importutils

amqp = importutils.try_import('oslo_messaging._drivers.amqp')

# Transports without the duplicate filter (and without redeliveries to
# worry about); every other one is taken to be AMQP and needs the fix.
_TRANSPORTS_WITHOUT_FILTER = frozenset(['fake', 'kafka'])


class RedeliveryFixUnavailable(RuntimeError):
    """oslo.messaging no longer has the private names the fix replaces."""

    def __init__(self, missing):
        try:
            version = metadata.version('oslo.messaging')
        except metadata.PackageNotFoundError:
            version = 'unknown'
        super(RedeliveryFixUnavailable, self).__init__(
            'the redelivery fix cannot be applied to oslo.messaging %s: %s '
            'is missing; without it the listener stalls after a broker '
            'connection loss (see novajoin/notify/redelivery.py)'
            % (version, missing))


def is_required(conf):
    """Whether the notification transport of ``conf`` needs the fix."""
    url = oslo_messaging.TransportURL.parse(
        conf, conf.oslo_messaging_notifications.transport_url)
    return url.transport not in _TRANSPORTS_WITHOUT_FILTER


def _cache_class():
    """oslo.messaging's message id cache, made to let redeliveries pass.

    :raises RedeliveryFixUnavailable:
    """
    if amqp is None:
        raise RedeliveryFixUnavailable('module oslo_messaging._drivers.amqp')
    base = getattr(amqp, '_MsgIdCache', None)
    unique_id = getattr(amqp, 'UNIQUE_ID', None)
    if not isinstance(base, type) or not callable(
            getattr(base, 'check_duplicate_message', None)):
        raise RedeliveryFixUnavailable('oslo_messaging._drivers.amqp.'
                                       '_MsgIdCache.check_duplicate_message')
    if not isinstance(unique_id, str):
        raise RedeliveryFixUnavailable('oslo_messaging._drivers.amqp.'
                                       'UNIQUE_ID')

    class HandleRedeliveries(base):
        def check_duplicate_message(self, message_data):
            # Still strip the id oslo.messaging adds, as the original does.
            return message_data.pop(unique_id, None)

    return HandleRedeliveries


def check_available():
    """Raise :class:`RedeliveryFixUnavailable` unless the fix can work."""
    _cache_class()


def handle_redeliveries(server, required=True):
    """Make the started notification ``server`` hand redeliveries on.

    With ``required`` false (transports that do not redeliver, such as
    ``fake://``), a server without an AMQP listener is left as it is.

    :returns: whether the fix was applied.
    :raises RedeliveryFixUnavailable: if required and it cannot be.
    """
    try:
        cache_class = _cache_class()
        listener = getattr(getattr(server, 'listener', None),
                           '_poll_style_listener', None)
        if not isinstance(getattr(listener, 'msg_id_cache', None),
                          amqp._MsgIdCache):
            raise RedeliveryFixUnavailable(
                'the AMQP listener\'s msg_id_cache (server.listener.'
                '_poll_style_listener.msg_id_cache)')
    except RedeliveryFixUnavailable:
        if required:
            raise
        return False
    listener.msg_id_cache = cache_class()
    return True
