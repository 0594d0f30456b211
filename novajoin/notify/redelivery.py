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
"""

from oslo_messaging._drivers import amqp


class _HandleRedeliveries(amqp._MsgIdCache):
    def check_duplicate_message(self, message_data):
        # Still strip the id oslo.messaging adds, as the original does.
        return message_data.pop(amqp.UNIQUE_ID, None)


def handle_redeliveries(server):
    """Make the started notification ``server`` hand redeliveries on.

    Transports without an AMQP listener (``fake://``) are left as they
    are; they do not redeliver.
    """
    listener = getattr(server.listener, '_poll_style_listener', None)
    if isinstance(getattr(listener, 'msg_id_cache', None),
                  amqp._MsgIdCache):
        listener.msg_id_cache = _HandleRedeliveries()
        return True
    return False
